"""Password change and an admin's reset (bot/console/accounts.py, bot/console/account_pages.py):
the current password checked under the login limit, the rules of account creation, the other
sessions ended; a one-time password for an account in the admin's reach, audited, to be
changed at the next login and useless after 72 hours; the command line's reset for when no
admin can log in. A real gateway on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.console.accounts import may_manage
from bot.db.models import Account, Role
from tests.console_client import Console
from tests.console_site import PASSWORD, Site, site_with

NEW = "a new and longer secret"
PEOPLE = {"cw": ("cw@union-a.example", "union_a", Role.caseworker),
          "other": ("other@union-a.example", "union_a", Role.supervisor),
          "admin": ("admin@union-a.example", "union_a", Role.admin),
          "cw_b": ("cw@union-b.example", "union_b", Role.caseworker),
          "root": ("root@helpline.example", "helpline", Role.global_admin)}
ONE_TIME = re.compile(r'id="one-time-password">([^<]+)<')


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    with site_with(PEOPLE, database_url, tmp_path / "var") as running:
        yield running


def change(console: Console, current: str, new: str, again: str | None = None) -> tuple[int, str]:
    response = console.post_form("/console/account/password", page="/console/account", current=current, new=new,
                                 again=new if again is None else again)
    return response.status_code, response.text


def test_a_password_change_needs_the_current_password_and_ends_the_other_sessions(site: Site) -> None:
    here, elsewhere = site.signed_in("cw"), site.signed_in("cw")
    assert change(here, "wrong password!", NEW)[0] == 403
    assert "The current password is wrong." in change(here, "wrong password!", NEW)[1]
    assert "at least 12 characters" in change(here, PASSWORD, "short")[1]
    assert "The two new passwords differ." in change(here, PASSWORD, NEW, NEW + "!")[1]
    assert "must differ from the current one" in change(here, PASSWORD, PASSWORD)[1]
    changed = here.post_form("/console/account/password", page="/console/account", current=PASSWORD, new=NEW,
                             again=NEW)
    assert changed.status_code == 303
    assert "Your password is changed" in here.http.get(changed.headers["location"]).text
    assert "Open cases" in here.queue()                                          # this session goes on
    assert elsewhere.http.get("/console").headers["location"] == "/console/login"   # the other one ended
    assert site.console().login(PEOPLE["cw"][0], PASSWORD).status_code == 401
    assert site.console().login(PEOPLE["cw"][0], NEW).status_code == 303
    cw = site.account("cw").id
    assert site.audit("password.change_failed") == [(cw, ""), (cw, "")]
    assert site.audit("password.change") == [(cw, "")]


def test_guessing_the_current_password_is_limited_like_a_login(site: Site) -> None:
    """A session left open must not become a way to guess the password without limit."""
    here = site.signed_in("cw")
    assert [change(here, f"guess number {n}", NEW)[0] for n in range(3)] == [403] * 3
    assert site.console().login(PEOPLE["cw"][0], "wrong password!").status_code == 401
    assert site.console().login(PEOPLE["cw"][0], "wrong password!").status_code == 401
    assert change(here, PASSWORD, NEW)[0] == 429                                  # five failures: blocked
    assert site.console().login(PEOPLE["cw"][0], PASSWORD).status_code == 429


def test_an_admin_sets_a_one_time_password_that_must_be_changed(site: Site) -> None:
    cw = site.signed_in("cw")
    admin = site.signed_in("admin")
    page = admin.http.get("/console/accounts").text
    assert all(PEOPLE[who][0] in page for who in ("cw", "other", "admin"))
    assert PEOPLE["cw_b"][0] not in page and PEOPLE["root"][0] not in page       # another organisation's
    target = site.account("cw").id
    response = admin.http.post(f"/console/accounts/{target}/password", data={"csrf": admin.csrf})
    found = ONE_TIME.search(response.text)
    assert response.status_code == 200 and found is not None
    one_time = found.group(1)
    assert "It works for 72 hours, once" in response.text
    assert one_time not in admin.http.get("/console/accounts").text                  # shown once
    assert site.audit("password.reset") == [(site.account("admin").id, f"account={target}")]
    assert cw.http.get("/console").status_code == 303                              # its sessions ended
    assert site.console().login(PEOPLE["cw"][0], PASSWORD).status_code == 401      # the old one is gone
    user = site.console()
    response = user.login(PEOPLE["cw"][0], one_time)
    assert response.status_code == 303 and response.headers["location"] == "/console/account"
    assert user.http.get("/console").headers["location"] == "/console/login"
    assert user.http.get("/console/login").headers["location"] == "/console/account"
    assert 'data-held="password"' in user.http.get("/console/account").text
    assert change(user, one_time, NEW)[0] == 303
    assert "Open cases" in user.queue()
    stored = site.account("cw")
    assert not stored.must_change_password and stored.password_expires_at is None


def test_a_one_time_password_stops_working(site: Site) -> None:
    admin = site.signed_in("admin")
    response = admin.http.post(f"/console/accounts/{site.account('cw').id}/password", data={"csrf": admin.csrf})
    found = ONE_TIME.search(response.text)
    assert found is not None
    with site.sessions.begin() as session:
        session.execute(update(Account).where(Account.email == PEOPLE["cw"][0])
                        .values(password_expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    assert site.console().login(PEOPLE["cw"][0], found.group(1)).status_code == 401


def test_who_may_reset_whom(site: Site) -> None:
    admin, root = site.signed_in("admin"), site.signed_in("root")

    def reset(console: Console, who: str) -> int:
        return console.http.post(f"/console/accounts/{site.account(who).id}/password",
                                 data={"csrf": console.csrf}).status_code
    assert [reset(admin, who) for who in ("cw_b", "root", "admin")] == [404, 404, 404]
    assert admin.http.post(f"/console/accounts/{site.account('cw').id}/password",
                           data={"csrf": "forged"}).status_code == 403
    assert reset(admin, "other") == 200
    assert [reset(root, who) for who in ("cw_b", "admin")] == [200, 200]
    assert reset(root, "root") == 404                                 # their own: they change it
    caseworker = site.signed_in("cw")
    assert caseworker.http.get("/console/accounts").status_code == 403
    assert reset(caseworker, "cw_b") == 403
    with site.sessions() as session:
        accounts = {who: session.scalars(select(Account).where(Account.email == email)).one()
                    for who, (email, _, _) in PEOPLE.items()}
        accounts["admin"].active = False
        assert not may_manage(accounts["admin"], accounts["cw"])           # an inactive admin: none


def test_the_command_line_sets_a_one_time_password(site: Site, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    monkeypatch.setenv("HELPLINE_DATABASE_URL", site.database)
    assert main(["user", "reset-password", "--email", PEOPLE["root"][0]]) == 0
    printed = capsys.readouterr().out
    one_time = printed.rsplit(": ", 1)[1].strip()
    assert "valid 72 hours" in printed and len(one_time) == 16
    assert site.audit("password.reset") == [(None, f"account={site.account('root').id}; command line")]
    response = site.console().login(PEOPLE["root"][0], one_time, second_factor=False)
    assert response.headers["location"] == "/console/account"
    assert main(["user", "add", "--email", "x@helpline.example"]) == 1
    assert "--org and --role are needed" in capsys.readouterr().err


def test_the_pages_speak_russian(site: Site) -> None:
    cw = site.console(language="ru")
    cw.login(PEOPLE["cw"][0])
    response = cw.post_form("/console/account/password", page="/console/account", current="wrong password!",
                            new=NEW, again=NEW)
    assert "Текущий пароль неверный." in response.text and "Смена пароля" in response.text
    admin = site.console(language="ru")
    admin.login(PEOPLE["admin"][0])
    page = admin.http.get("/console/accounts").text
    assert "Задать одноразовый пароль" in page and "Учётные записи" in page


def test_sessions_end_from_the_account_page_and_an_admins_page(site: Site) -> None:
    here, laptop, phone = site.signed_in("cw"), site.signed_in("cw"), site.signed_in("cw")
    done = here.post_form("/console/account/sessions", page="/console/account")
    assert done.status_code == 303
    assert "Your other sessions have ended." in here.http.get(done.headers["location"]).text
    assert "Open cases" in here.queue()
    assert [c.http.get("/console").status_code for c in (laptop, phone)] == [303, 303]
    admin = site.signed_in("admin")
    target = site.account("cw").id
    assert admin.http.post(f"/console/accounts/{site.account('cw_b').id}/sessions",
                           data={"csrf": admin.csrf}).status_code == 404
    ended = admin.http.post(f"/console/accounts/{target}/sessions", data={"csrf": admin.csrf})
    assert ended.status_code == 200 and "Every session of cw@union-a.example has ended." in ended.text
    assert here.http.get("/console").status_code == 303
    assert site.console().login(PEOPLE["cw"][0]).status_code == 303           # nothing else changed
    cw = site.account("cw").id
    assert site.audit("sessions.end_others") == [(cw, "")]
    assert site.audit("sessions.end") == [(site.account("admin").id, f"account={target}")]



async def test_a_refused_reset_takes_none_of_the_login_checks(site: Site) -> None:
    from bot.console.accounts import reset_password
    from bot.console.passwords import PasswordChecks
    from bot.db.database import Database

    class Untouchable(PasswordChecks):
        async def hash(self, password: str) -> str:
            raise AssertionError("hashed for a reset that is not allowed")

    database = Database.open(site.database, connections=1)
    try:
        refused = await reset_password(database.run, Untouchable(1), actor_id=site.account("admin").id,
                                       target_id=site.account("cw_b").id)       # another union's account
    finally:
        database.close()
    assert refused is None
