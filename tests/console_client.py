"""A caseworker driving the console over HTTP, as a browser would (cookies, CSRF tokens)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.console import totp
from bot.console.auth import add_account
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Organisation, Role
from bot.devtools.fake_telegram import Server

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
OPEN: list[httpx.Client] = []      # closed after each test by the close_clients fixture
SECRETS: dict[str, str] = {}       # the TOTP secret each e-mail enrolled last, as a phone keeps it
LAST_STEP: dict[str, int] = {}     # the last step a code was made for, per secret (never twice)


def client(base: str, **options: object) -> httpx.Client:
    made = httpx.Client(base_url=base, timeout=30, **options)  # type: ignore[arg-type]
    OPEN.append(made)
    return made


def add_caseworker(database: str, email: str, *, organisation: str = "helpline",
                   password: str = "correct horse battery", role: Role = Role.caseworker) -> None:
    engine = make_engine(database)
    try:
        with make_sessions(engine).begin() as session:
            if session.get(Organisation, organisation) is None:
                session.add(Organisation(id=organisation, name=organisation, kind="union", country="RU"))
                session.flush()
            add_account(session, organisation=organisation, email=email, role=role, password=password)
    finally:
        engine.dispose()


class Console:
    def __init__(self, base: str) -> None:
        self.http = client(base, headers={"accept-language": "en"})
        self.csrf = ""

    def login(self, email: str, password: str = "correct horse battery", *,
              second_factor: bool = True) -> httpx.Response:
        """Log in; with `second_factor`, as a person with a phone would: enter the code when asked,
        and set a second factor up when an admin is sent to (remembered in SECRETS)."""
        page = self.http.get("/console/login")
        token = CSRF.search(page.text)
        assert token is not None
        response = self.http.post("/console/login", data={"csrf": token.group(1), "email": email,
                                                          "password": password})
        if second_factor and response.headers.get("location") == "/console/login/code":
            response = self.post_form("/console/login/code", code=code_now(SECRETS[email]))
        if second_factor and response.headers.get("location") == "/console/account" and self.enrol(email):
            response = self.post_form("/console/account/totp/confirm", page="/console/account",
                                      code=code_now(SECRETS[email]))
        if response.status_code == 303:
            found = CSRF.search(self.http.get("/console").text)     # none while the account is held
            self.csrf = found.group(1) if found else ""
        return response

    def post_form(self, url: str, *, page: str | None = None, **form: str) -> httpx.Response:
        """POST a form with the CSRF token of the page it is on (`page`: another than `url`)."""
        found = CSRF.search(self.http.get(page or url).text)
        assert found is not None
        return self.http.post(url, data={"csrf": found.group(1), **form})

    def enrol(self, email: str) -> bool:
        """Set up a second factor if the account page holds the account for one."""
        page = self.http.get("/console/account").text
        if 'data-held="totp"' not in page:
            return False
        if SECRET.search(page) is None:
            self.post_form("/console/account/totp/start", page="/console/account")
            page = self.http.get("/console/account").text
        found = SECRET.search(page)
        assert found is not None
        SECRETS[email] = found.group(1)
        return True

    def queue(self) -> str:
        return self.http.get("/console").text

    def case_ids(self) -> list[int]:
        return [int(x) for x in re.findall(r'href="/console/cases/(\d+)"', self.queue())]

    def act(self, case_id: int, action: str, **form: str) -> httpx.Response:
        return self.http.post(f"/console/cases/{case_id}/{action}", data={"csrf": self.csrf, **form})

    def messages(self, case_id: int, after: int = 0) -> list[dict[str, Any]]:
        response = self.http.get(f"/console/cases/{case_id}/messages", params={"after": after})
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()["messages"]
        return result


def code_now(secret: str) -> str:
    """A code for `secret` that the console has not taken yet: now's, or the next step's (the
    drift allows one), else wait for the next step."""
    while True:
        now = totp.step_at(dt.datetime.now(dt.UTC))
        step = max(now, LAST_STEP.get(secret, now - 1) + 1)
        if step <= now + totp.DRIFT:
            LAST_STEP[secret] = step
            return totp.code_at(secret, step)
        time.sleep(1)


@contextlib.contextmanager
def serving(app: Starlette, port: int) -> Iterator[None]:
    """uvicorn in a thread, like `Server`, but a start-up failure fails the test instead of hanging."""
    server = Server(app, port)
    server.thread.start()
    deadline = time.monotonic() + 60
    while not server.server.started:
        assert server.thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.__exit__()
