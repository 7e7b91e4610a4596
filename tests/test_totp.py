"""A second factor for console accounts (bot/console/totp.py, bot/console/auth.py, the login and
account pages): enrolment with a first code, the code step that tells nothing about the
password, codes never taken twice and counted by the login limit, admins held until they have
one, and its removal by an admin or on the command line. A real gateway on loopback, on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import html
import logging
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from bot.console import totp
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account, ConsoleSession, Role
from bot.privacy.keys import Keys, SealError
from tests.conftest import TEST_KEYS
from tests.console_client import CSRF, SECRET, SECRETS, Console, add_caseworker, code_now
from tests.console_site import PASSWORD, Site, site_with
from tests.test_qr import grid_of
from tests.test_qr import read as qr_read

PEOPLE = {"cw": ("cw@union-a.example", "union_a", Role.caseworker),
          "admin": ("admin@union-a.example", "union_a", Role.admin),
          "cw_b": ("cw@union-b.example", "union_b", Role.caseworker),
          "root": ("root@helpline.example", "helpline", Role.global_admin)}
SECRET_32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"      # 160 bits, as pyotp.random_base32() makes
NOW = dt.datetime(2026, 12, 7, 12, 0, 10, tzinfo=dt.UTC)


# -- the secret and the codes -------------------------------------------------------------------

def test_a_sealed_secret_opens_only_for_its_account_and_key() -> None:
    sealed = totp.seal(TEST_KEYS, 7, SECRET_32)
    assert SECRET_32 not in sealed and totp.unseal(TEST_KEYS, 7, sealed) == SECRET_32
    with pytest.raises(SealError):
        totp.unseal(TEST_KEYS, 8, sealed)                      # copied to another account's row
    with pytest.raises(SealError):
        totp.unseal(Keys(b"another secret key of enough length!!"), 7, sealed)


def test_a_code_is_taken_for_its_step_or_one_either_side_and_only_after_the_last() -> None:
    secret, step = SECRET_32, totp.step_at(NOW)
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, step + offset), NOW, None) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(secret, totp.code_at(secret, step + offset), NOW, None) is None
    code = totp.code_at(secret, step)
    assert totp.matching_step(secret, f" {code[:3]} {code[3:]} ", NOW, None) == step     # as the app groups it
    assert totp.matching_step(secret, code, NOW, step) is None                           # taken already
    assert totp.matching_step(secret, totp.code_at(secret, step + 1), NOW, step) == step + 1
    assert all(totp.matching_step(secret, junk, NOW, None) is None for junk in ("", "12345", "１２３４５６", "abcdef"))


def test_the_address_for_the_app_names_the_helpline_and_the_account() -> None:
    found = urlparse(totp.uri(SECRET_32, "cw@union-a.example"))
    query = parse_qs(found.query)
    assert (found.scheme, found.netloc) == ("otpauth", "totp")
    assert query["secret"] == [SECRET_32] and query["issuer"] == ["Helpline console"]
    assert "cw%40union-a.example" in found.path


# -- the console --------------------------------------------------------------------------------

@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    with site_with(PEOPLE, database_url, tmp_path / "var") as running:
        yield running


def enrol(console: Console, email: str) -> str:
    """Set up a second factor from the account page, as a person would; the secret."""
    console.post_form("/console/account/totp/start", page="/console/account")
    page = console.http.get("/console/account").text
    found = SECRET.search(page)
    assert found is not None
    SECRETS[email] = found.group(1)
    done = console.post_form("/console/account/totp/confirm", page="/console/account", code=code_now(found.group(1)))
    assert done.status_code == 303 and done.headers["location"] == "/console/account?done=totp"
    return found.group(1)


def password_step(console: Console, email: str, password: str = PASSWORD) -> tuple[int, str | None]:
    response = console.login(email, password, second_factor=False)
    return response.status_code, response.headers.get("location")


def test_a_caseworker_sets_up_a_second_factor_and_then_needs_a_code(site: Site, caplog: pytest.LogCaptureFixture,
                                                                   tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    console = site.signed_in("cw")
    page = console.http.get("/console/account").text
    assert "Off. With a second factor" in page and 'id="totp-secret"' not in page
    console.post_form("/console/account/totp/start", page="/console/account")
    page = console.http.get("/console/account").text
    secret = SECRET.search(page)
    assert secret is not None
    assert "otpauth://totp/Helpline%20console:cw%40union-a.example?secret=" in page
    assert 'id="totp-qr"><svg ' in page                                         # drawn here,
    assert "<img" not in page and "src=" not in page.split("<main>")[1]          # no image service asked
    if shutil.which("zbarimg"):                                                  # and a phone reads the address
        shown = html.unescape(page.split('id="totp-uri">')[1].split("<")[0])
        assert qr_read(grid_of(page.split('id="totp-qr">')[1].split("</svg>")[0] + "</svg>"), tmp_path) == shown
    wrong = console.post_form("/console/account/totp/confirm", page="/console/account", code="000000")
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    assert not totp.enabled(site.account("cw"))
    SECRETS[PEOPLE["cw"][0]] = secret.group(1)
    done = console.post_form("/console/account/totp/confirm", page="/console/account", code=code_now(secret.group(1)))
    assert done.status_code == 303
    assert "The second factor is on" in console.http.get(done.headers["location"]).text
    stored = site.account("cw")
    assert totp.enabled(stored) and stored.totp_secret is not None and secret.group(1) not in stored.totp_secret
    assert [action for action in ("totp.enrol", "totp.enrol_failed", "totp.on") if site.audit(action)] == [
        "totp.enrol", "totp.enrol_failed", "totp.on"]
    # the next login asks for the code
    again = site.console("cw")
    assert password_step(again, PEOPLE["cw"][0]) == (303, "/console/login/code")
    assert again.http.get("/console").headers["location"] == "/console/login"      # not in yet
    assert again.login(PEOPLE["cw"][0]).status_code == 303 and "Open cases" in again.queue()
    assert secret.group(1) not in caplog.text


def test_the_code_step_does_not_tell_whether_the_password_was_right(site: Site) -> None:
    enrol(site.signed_in("cw"), PEOPLE["cw"][0])
    email = PEOPLE["cw"][0]
    right, wrong = site.console("cw"), site.console("cw")
    assert password_step(right, email) == password_step(wrong, email, "wrong password!") == (303, "/console/login/code")
    pages = [c.http.get("/console/login/code") for c in (right, wrong)]
    assert [p.status_code for p in pages] == [200, 200]
    assert len({CSRF.sub("", p.text) for p in pages}) == 1                  # the same page but its token
    code = code_now(SECRETS[email])
    refused = wrong.post_form("/console/login/code", code=code)          # even the right code
    assert refused.status_code == 401 and "Wrong e-mail, password or code. Log in again." in refused.text
    mistyped = right.post_form("/console/login/code", code="123456" if code != "123456" else "654321")
    assert mistyped.status_code == 401 and mistyped.text.count("Wrong e-mail, password or code.") == 1
    assert site.audit("login.failed") == [(site.account("cw").id, ""), (site.account("cw").id, "code")]


def test_a_code_is_not_taken_twice(site: Site) -> None:
    email = PEOPLE["cw"][0]
    secret = enrol(site.signed_in("cw"), email)
    first = site.console("cw")
    password_step(first, email)
    code = code_now(secret)
    assert first.post_form("/console/login/code", code=code).status_code == 303
    second = site.console("cw")
    password_step(second, email)
    assert second.post_form("/console/login/code", code=code).status_code == 401      # seen over a shoulder


def test_every_code_tried_counts_against_the_login_limit(site: Site) -> None:
    email = PEOPLE["cw"][0]
    enrol(site.signed_in("cw"), email)
    for _ in range(5):                              # the right password, a wrong code
        console = site.console("cw")
        assert password_step(console, email) == (303, "/console/login/code")
        assert console.post_form("/console/login/code", code="000000").status_code == 401
    blocked = site.console("cw")
    assert password_step(blocked, email) == (429, None)


def test_the_code_step_runs_out(site: Site) -> None:
    email = PEOPLE["cw"][0]
    enrol(site.signed_in("cw"), email)
    console = site.console("cw")
    password_step(console, email)
    page = console.http.get("/console/login/code")
    with site.sessions.begin() as session:
        session.execute(update(ConsoleSession).where(ConsoleSession.stage == "code")
                        .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    late = console.http.post("/console/login/code", data={"csrf": "x", "code": code_now(SECRETS[email])})
    assert page.status_code == 200
    assert late.status_code == 303 and late.headers["location"] == "/console/login?late"
    assert "The time for the code has run out. Log in again." in console.http.get(late.headers["location"]).text
    assert console.http.get("/console/login/code").headers["location"] == "/console/login"


def test_an_admin_without_a_second_factor_can_do_nothing_else(site: Site) -> None:
    admin = site.console("admin")
    assert password_step(admin, PEOPLE["admin"][0]) == (303, "/console/account")
    for page in ("/console", "/console/organiser/coverage", "/console/accounts", "/console/cases/1"):
        response = admin.http.get(page)
        assert response.status_code == 303 and response.headers["location"] == "/console/login", page
    assert admin.http.get("/console/login").headers["location"] == "/console/account"
    held = admin.http.get("/console/account").text
    assert 'data-held="totp"' in held and "Admins need a second factor" in held
    assert 'href="/console/accounts"' not in held and 'href="/console/organiser' not in held
    csrf = admin.http.get("/console/account").text.split('name="csrf" value="')[1].split('"')[0]
    assert admin.http.post("/console/cases/1/close", data={"csrf": csrf}).status_code == 401
    assert admin.http.post("/console/accounts/1/password", data={"csrf": csrf}).status_code == 401
    enrol(admin, PEOPLE["admin"][0])
    assert "Open cases" in admin.queue()
    assert admin.http.get("/console/accounts").status_code == 200


def test_a_held_admin_can_log_out(site: Site) -> None:
    admin = site.console("admin")
    password_step(admin, PEOPLE["admin"][0])
    assert admin.post_form("/console/logout", page="/console/account").status_code == 303
    assert admin.http.get("/console/account").headers["location"] == "/console/login"


def test_an_admin_removes_the_second_factor_of_an_account_in_reach(site: Site) -> None:
    cw = site.signed_in("cw")
    enrol(cw, PEOPLE["cw"][0])
    admin = site.signed_in("admin")                 # enrols on the way (an admin must)
    target = site.account("cw").id
    assert admin.http.post(f"/console/accounts/{site.account('cw_b').id}/totp",
                           data={"csrf": admin.csrf}).status_code == 404          # another organisation's
    assert admin.http.post(f"/console/accounts/{site.account('root').id}/totp",
                           data={"csrf": admin.csrf}).status_code == 404          # a global admin's
    assert admin.http.post(f"/console/accounts/{target}/totp", data={"csrf": "forged"}).status_code == 403
    done = admin.http.post(f"/console/accounts/{target}/totp", data={"csrf": admin.csrf})
    assert done.status_code == 200 and "The second factor of cw@union-a.example is removed" in done.text
    assert not totp.enabled(site.account("cw"))
    assert site.audit("totp.reset") == [(site.account("admin").id, f"account={target}")]
    assert cw.http.get("/console").status_code == 303                          # its sessions ended
    assert password_step(site.console("cw"), PEOPLE["cw"][0]) == (303, "/console")   # no code asked now
    caseworker = site.signed_in("cw_b")
    assert caseworker.http.get("/console/accounts").status_code == 403
    assert caseworker.http.post(f"/console/accounts/{target}/totp",
                                data={"csrf": caseworker.csrf}).status_code == 403


def test_a_removed_admin_is_sent_to_set_up_again(site: Site) -> None:
    admin = site.signed_in("admin")
    root = site.signed_in("root")
    admin_id = site.account("admin").id
    assert root.http.post(f"/console/accounts/{admin_id}/totp", data={"csrf": root.csrf}).status_code == 200
    assert admin.http.get("/console").status_code == 303
    assert password_step(site.console("admin"), PEOPLE["admin"][0]) == (303, "/console/account")


def test_the_command_line_removes_the_last_admins_second_factor(site: Site, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    site.signed_in("root")
    assert totp.enabled(site.account("root"))
    monkeypatch.setenv("HELPLINE_DATABASE_URL", site.database)
    assert main(["user", "reset-totp", "--email", " ROOT@helpline.example"]) == 0
    assert "root@helpline.example" in capsys.readouterr().out
    assert not totp.enabled(site.account("root"))
    assert site.audit("totp.reset") == [(None, f"account={site.account('root').id}; command line")]
    assert main(["user", "reset-totp", "--email", "nobody@helpline.example"]) == 1
    assert "no account nobody@helpline.example" in capsys.readouterr().err


def test_the_account_pages_speak_russian(site: Site) -> None:
    admin = site.console("admin", language="ru")
    admin.login(PEOPLE["admin"][0], second_factor=False)
    page = admin.http.get("/console/account").text
    assert "Администраторам нужен второй фактор" in page and "Смена пароля" in page
    console = site.console("cw", language="ru")
    enrol(site.signed_in("cw"), PEOPLE["cw"][0])
    console.login(PEOPLE["cw"][0], second_factor=False)
    assert "Код из приложения-аутентификатора" in console.http.get("/console/login/code").text


def test_after_the_secret_key_changes_a_second_factor_answers_wrong_until_reset(site: Site) -> None:
    email = PEOPLE["cw"][0]
    secret = enrol(site.signed_in("cw"), email)
    other = Keys(b"the next secret key, after a rotation!")
    with site.sessions.begin() as session:
        account = session.scalars(select(Account).where(Account.email == email)).one()
        account.totp_secret = totp.seal(other, account.id, secret)
    console = site.console("cw")
    password_step(console, email)
    assert console.post_form("/console/login/code", code=code_now(secret)).status_code == 401
    admin = site.signed_in("admin")         # an admin's pending enrolment under the old key starts again
    with site.sessions.begin() as session:
        account = session.scalars(select(Account).where(Account.email == PEOPLE["admin"][0])).one()
        totp.clear(account)
        account.totp_secret = totp.seal(other, account.id, secret)
    page = admin.http.get("/console/account")
    assert page.status_code == 200 and "/console/account/totp/start" in page.text



def test_one_code_sent_twice_at_the_same_moment_is_taken_once(database_url: str) -> None:
    """The last step is claimed by one UPDATE ... WHERE last step < this one: of 8 logins with
    one code at once, one passes (on SQLite the others may also fail to get the write lock)."""
    add_caseworker(database_url, "cw@union-a.example", organisation="union_a", password=PASSWORD)
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        account = session.scalars(select(Account)).one()
        account.totp_secret, account.totp_enabled_at = totp.seal(TEST_KEYS, account.id, SECRET_32), now
    gate = threading.Barrier(8)

    def take(_: int) -> bool:
        try:
            with sessions.begin() as session:
                found = session.scalars(select(Account)).one()
                gate.wait(10)
                return totp.take_code(session, TEST_KEYS, found, totp.code_at(SECRET_32, totp.step_at(now)), now)
        except OperationalError:          # SQLite: another writer got there first
            return False
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            taken = list(pool.map(take, range(8)))
    finally:
        engine.dispose()
    assert taken.count(True) == 1


def test_a_code_step_sent_twice_at_once_logs_in_once(site: Site) -> None:
    """A double click: both requests carry the waiting token; one logs in, the other is sent
    back to the login page (never a server error, on SQLite too)."""
    email = PEOPLE["cw"][0]
    secret = enrol(site.signed_in("cw"), email)
    console = site.console("cw")
    password_step(console, email)
    found = CSRF.search(console.http.get("/console/login/code").text)
    assert found is not None
    form, code = {"csrf": found.group(1)}, code_now(secret)
    gate = threading.Barrier(2)

    def send(_: int) -> tuple[int, str | None]:
        gate.wait(10)
        response = console.http.post("/console/login/code", data={**form, "code": code})
        return response.status_code, response.headers.get("location")
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = sorted(pool.map(send, range(2)), key=str)
    assert answers == [(303, "/console"), (303, "/console/login?late")]
