"""A caseworker driving the console over HTTP, as a browser would (cookies, CSRF tokens)."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.console.auth import add_account
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Organisation, Role
from bot.devtools.fake_telegram import Server

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
OPEN: list[httpx.Client] = []      # closed after each test by the close_clients fixture


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

    def login(self, email: str, password: str = "correct horse battery") -> httpx.Response:
        page = self.http.get("/console/login")
        token = CSRF.search(page.text)
        assert token is not None
        response = self.http.post("/console/login", data={"csrf": token.group(1), "email": email,
                                                          "password": password})
        if response.status_code == 303:
            queue = self.http.get("/console")
            found = CSRF.search(queue.text)
            assert found is not None
            self.csrf = found.group(1)
        return response

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
