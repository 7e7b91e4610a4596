"""Accounts in the console (bot/console/invites.py, account_changes.py, admin_pages.py,
link_pages.py): an admin invites by a one-time link, changes roles, deactivates and reactivates,
and makes password reset links, within its reach, never leaving an organisation without an
active admin, every change audited; migration 0008. A real gateway on loopback, on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import func, inspect, select, update

from bot.db.engine import alembic_config, make_engine
from bot.db.models import Account, AccountLink, Role
from tests.console_client import CSRF, Console, add_caseworker
from tests.console_site import PASSWORD, Site, site_with

NEW = "a new and longer secret"
PEOPLE = {"cw": ("cw@union-a.example", "union_a", Role.caseworker),
          "organiser": ("organiser@union-a.example", "union_a", Role.organiser),
          "admin": ("admin@union-a.example", "union_a", Role.admin),
          "cw_b": ("cw@union-b.example", "union_b", Role.caseworker),
          "root": ("root@helpline.example", "helpline", Role.global_admin)}
LINK = re.compile(r'id="one-time-link">https?://[^/]+(/console/link/[^<]+)<')


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    with site_with(PEOPLE, database_url, tmp_path / "var") as running:
        yield running


def invite(admin: Console, email: str, role: str = "supervisor", **form: str) -> httpx.Response:
    return admin.http.post("/console/accounts/invite", data={"csrf": admin.csrf, "email": email, "role": role, **form})


def link_of(response: httpx.Response) -> str:
    found = LINK.search(response.text)
    assert response.status_code == 200 and found is not None, response.text
    return found.group(1)


def choose(site: Site, link: str, new: str = NEW, again: str | None = None) -> httpx.Response:
    """Open the link in a browser of its own and choose a password."""
    browser = site.console()
    page = browser.http.get(link)
    token = CSRF.search(page.text)
    assert page.status_code == 200 and token is not None, page.text
    return browser.http.post(link, data={"csrf": token.group(1), "new": new, "again": new if again is None else again})


def links(site: Site) -> int:
    with site.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AccountLink)) or 0)


def test_an_invitation_link_makes_an_account_that_logs_in_once(site: Site) -> None:
    admin = site.signed_in("admin")
    response = invite(admin, " New@Union-A.example ")
    link = link_of(response)
    assert "There is no mail server" in response.text and "It works once, for 72 hours" in response.text
    assert link not in admin.http.get("/console/accounts").text                      # shown once
    with site.sessions() as session:
        stored = session.scalars(select(AccountLink)).one()
    assert stored.token_hash not in link and link.rsplit("/", 1)[1] not in stored.token_hash   # only a hash kept
    assert (stored.email, stored.role, stored.organisation_id) == ("new@union-a.example", Role.supervisor, "union_a")
    assert stored.expires_at - stored.created_at == dt.timedelta(hours=72) and stored.used_at is None
    assert choose(site, link, "too short").status_code == 400                      # the rules of a password change
    done = choose(site, link)
    assert done.status_code == 200 and "Your password is set" in done.text
    assert site.console().login("new@union-a.example", NEW).status_code == 303
    with site.sessions() as session:
        new = session.scalars(select(Account).where(Account.email == "new@union-a.example")).one()
    assert (new.role, new.organisation_id, new.active) == (Role.supervisor, "union_a", True)
    assert site.audit("invite.create") == [(site.account("admin").id,
                                            f"invite={stored.id}; organisation=union_a; role=supervisor")]
    assert site.audit("invite.accept") == [(new.id, f"account={new.id}; invite={stored.id}; role=supervisor")]
    again = site.console().http.get(link)
    assert again.status_code == 410 and "has been used already" in again.text
    browser = site.console()
    form = CSRF.search(browser.http.get("/console/login").text)      # a form token of its own, cookie and all
    assert form is not None
    browser.http.cookies.set("helpline_console_link", form.group(1), path="/console")
    used = browser.http.post(link, data={"csrf": form.group(1), "new": "yet another secret", "again":
                                         "yet another secret"})
    assert used.status_code == 410
    assert site.console().login("new@union-a.example", "yet another secret").status_code == 401


def test_an_expired_or_unknown_link_gets_a_page_that_says_so(site: Site) -> None:
    link = link_of(invite(site.signed_in("admin"), "late@union-a.example"))
    with site.sessions.begin() as session:
        session.execute(update(AccountLink).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    late = site.console().http.get(link)
    assert late.status_code == 410 and "This link has run out" in late.text
    unknown = site.console().http.get("/console/link/not-a-token")
    assert unknown.status_code == 404 and "This link does not work" in unknown.text
    assert "Срок действия ссылки истёк" in site.console(language="ru").http.get(link).text


def test_an_invitation_to_an_address_with_an_account_is_refused(site: Site) -> None:
    admin = site.signed_in("admin")
    refused = invite(admin, " CW@Union-A.example")
    assert refused.status_code == 409 and "cw@union-a.example already has an account" in refused.text
    assert "not an e-mail address" in invite(admin, "nobody").text
    link = link_of(invite(admin, "late@union-a.example"))
    add_caseworker(site.database, "late@union-a.example", organisation="union_a", password=PASSWORD)
    taken = choose(site, link)
    assert taken.status_code == 409 and "has an account already" in taken.text
    assert site.audit("invite.create") == [(site.account("admin").id, taken_detail(site))]
    assert site.audit("invite.accept") == []


def taken_detail(site: Site) -> str:
    with site.sessions() as session:
        return f"invite={session.scalars(select(AccountLink.id)).one()}; organisation=union_a; role=supervisor"


def test_an_organisation_admin_invites_only_into_its_own_organisation_and_not_global_admins(site: Site) -> None:
    admin = site.signed_in("admin")
    assert invite(admin, "x@union-b.example", organisation="union_b").status_code == 403
    assert invite(admin, "x@union-a.example", role="global_admin").status_code == 403
    assert invite(admin, "x@union-a.example", role="nonsense").status_code == 403
    assert 'value="global_admin"' not in admin.http.get("/console/accounts").text
    assert links(site) == 0 and site.audit("invite.create") == []
    root = site.signed_in("root")
    page = root.http.get("/console/accounts").text
    assert all(PEOPLE[who][0] in page for who in PEOPLE)
    assert page.index("Organisation: union_a") < page.index("Organisation: union_b")        # grouped
    assert choose(site, link_of(invite(root, "boss@union-b.example", "admin", organisation="union_b"))
                  ).status_code == 200
    assert site.console().login("boss@union-b.example", NEW).status_code == 303     # a second factor set up first
    with site.sessions() as session:
        boss = session.scalars(select(Account).where(Account.email == "boss@union-b.example")).one()
    assert (boss.organisation_id, boss.role) == ("union_b", Role.admin)


@pytest.mark.parametrize("who", ["cw", "organiser"])
def test_caseworkers_and_organisers_may_not_manage_accounts(site: Site, who: str) -> None:
    console, target = site.signed_in(who), site.account("cw").id
    assert console.http.get("/console/accounts").status_code == 403
    for action in ("role", "deactivate", "reactivate", "reset-link"):
        assert console.http.post(f"/console/accounts/{target}/{action}",
                                 data={"csrf": console.csrf, "role": "admin"}).status_code == 403
    assert invite(console, "x@union-a.example").status_code == 403
    assert links(site) == 0 and site.account("cw").role is Role.caseworker and site.account("cw").active


def test_every_post_needs_the_csrf_token(site: Site) -> None:
    admin, target = site.signed_in("admin"), site.account("cw").id
    for url in ("/console/accounts/invite", *(f"/console/accounts/{target}/{action}"
                                              for action in ("role", "deactivate", "reactivate", "reset-link"))):
        for data in ({}, {"csrf": "forged"}):
            assert admin.http.post(url, data={"email": "x@union-a.example", "role": "admin", **data}
                                   ).status_code == 403, url
    link = link_of(invite(admin, "new@union-a.example"))
    browser = site.console()
    assert browser.http.get(link).status_code == 200                  # the form's cookie set
    assert browser.http.post(link, data={"csrf": "forged", "new": NEW, "again": NEW}).status_code == 403
    assert site.console().http.post(link, data={"new": NEW, "again": NEW}).status_code == 403
    assert site.account("cw").active and site.account("cw").role is Role.caseworker
    assert links(site) == 1 and site.audit("invite.accept") == []


def test_deactivating_ends_the_sessions_and_stops_login_until_reactivated(site: Site) -> None:
    cw, admin, target = site.signed_in("cw"), site.signed_in("admin"), site.account("cw").id
    done = admin.http.post(f"/console/accounts/{target}/deactivate", data={"csrf": admin.csrf})
    assert done.status_code == 200 and "cw@union-a.example is deactivated" in done.text
    assert cw.http.get("/console").headers["location"] == "/console/login"
    assert site.console().login(PEOPLE["cw"][0]).status_code == 401
    row = re.search(rf'<tr data-account="{target}">(.*?)</tr>', admin.http.get("/console/accounts").text, re.S)
    assert row is not None and "inactive" in row.group(1) and "Reactivate" in row.group(1)
    assert admin.http.post(f"/console/accounts/{target}/reactivate", data={"csrf": admin.csrf}).status_code == 200
    assert site.console().login(PEOPLE["cw"][0]).status_code == 303
    page = admin.http.get("/console/accounts").text
    row = re.search(rf'<tr data-account="{target}">(.*?)</tr>', page, re.S)
    assert row is not None and ">active<" in row.group(1) and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", row.group(1))
    organiser = re.search(rf'<tr data-account="{site.account("organiser").id}">(.*?)</tr>', page, re.S)
    assert organiser is not None and "never" in organiser.group(1) and "Organiser" in organiser.group(1)
    admin_id = site.account("admin").id
    assert site.audit("account.deactivate") == [(admin_id, f"account={target}")]
    assert site.audit("account.reactivate") == [(admin_id, f"account={target}")]


def test_a_role_change_is_audited_and_stays_in_reach(site: Site) -> None:
    admin, target = site.signed_in("admin"), site.account("cw").id
    done = admin.http.post(f"/console/accounts/{target}/role", data={"csrf": admin.csrf, "role": "organiser"})
    assert done.status_code == 200 and "cw@union-a.example is now: Organiser." in done.text
    assert site.account("cw").role is Role.organiser
    assert site.audit("account.role") == [(site.account("admin").id, f"account={target}; role=caseworker->organiser")]
    assert admin.http.post(f"/console/accounts/{target}/role",
                           data={"csrf": admin.csrf, "role": "global_admin"}).status_code == 403
    for who in ("cw_b", "root"):                                     # another organisation's, a global admin
        other = site.account(who).id
        for action in ("role", "deactivate", "reset-link"):
            assert admin.http.post(f"/console/accounts/{other}/{action}",
                                   data={"csrf": admin.csrf, "role": "caseworker"}).status_code == 404
    assert site.account("cw_b").active and site.account("root").role is Role.global_admin
    assert len(site.audit("account.role")) == 1


def test_the_last_active_admin_of_an_organisation_stays(site: Site) -> None:
    admin, me = site.signed_in("admin"), site.account("admin").id
    for action, data in (("deactivate", {}), ("role", {"role": "caseworker"})):
        refused = admin.http.post(f"/console/accounts/{me}/{action}", data={"csrf": admin.csrf, **data})
        assert refused.status_code == 409 and "without an active admin" in refused.text
    root = site.signed_in("root")
    assert root.http.post(f"/console/accounts/{me}/deactivate", data={"csrf": root.csrf}).status_code == 409
    assert site.account("admin").active and site.account("admin").role is Role.admin
    cw = site.account("cw").id
    assert admin.http.post(f"/console/accounts/{cw}/role", data={"csrf": admin.csrf, "role": "admin"}
                           ).status_code == 200
    stepped_down = admin.http.post(f"/console/accounts/{me}/role", data={"csrf": admin.csrf, "role": "supervisor"})
    assert stepped_down.status_code == 303 and site.account("admin").role is Role.supervisor
    assert admin.http.get("/console/accounts").status_code == 403
    assert site.audit("account.role")[-1] == (me, f"account={me}; role=admin->supervisor")


def test_a_reset_link_sets_a_new_password_and_the_old_one_stops_working(site: Site) -> None:
    cw, admin, target = site.signed_in("cw"), site.signed_in("admin"), site.account("cw").id
    response = admin.http.post(f"/console/accounts/{target}/reset-link", data={"csrf": admin.csrf})
    link = link_of(response)
    assert "Password reset link for cw@union-a.example" in response.text
    assert cw.http.get("/console").headers["location"] == "/console/login"          # its sessions ended
    with site.sessions() as session:
        made = session.scalars(select(AccountLink)).one()
    assert (made.kind, made.account_id) == ("reset", target)
    short = choose(site, link, "short")
    assert short.status_code == 400 and "at least 12 characters" in short.text
    assert choose(site, link, NEW, NEW + "!").status_code == 400
    assert "Choose a new password" in site.console().http.get(link).text            # still open
    meanwhile = site.signed_in("cw")                          # the old password works until the link is used
    assert choose(site, link).status_code == 200
    assert meanwhile.http.get("/console").headers["location"] == "/console/login"   # and its sessions end again
    assert site.console().login(PEOPLE["cw"][0], PASSWORD).status_code == 401
    assert site.console().login(PEOPLE["cw"][0], NEW).status_code == 303
    assert site.console().http.get(link).status_code == 410
    assert site.audit("password.reset_link") == [(site.account("admin").id, f"account={target}; link={made.id}")]
    assert site.audit("password.reset_by_link") == [(target, f"account={target}; link={made.id}")]
    assert admin.http.post(f"/console/accounts/{site.account('admin').id}/reset-link",
                           data={"csrf": admin.csrf}).status_code == 404           # their own: change it


def test_migration_0008_goes_up_and_down(database_url: str) -> None:
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    try:
        command.downgrade(config, "0007")
        assert "account_link" not in inspect(engine).get_table_names()
        command.upgrade(config, "0008")
        assert "account_link" in inspect(engine).get_table_names()
        command.downgrade(config, "0007")
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_links_are_deleted_30_days_after_they_ran_out(site: Site) -> None:
    now = dt.datetime.now(dt.UTC)
    with site.sessions.begin() as session:
        for days in (31, 29):                 # ran out 31 and 29 days ago
            session.add(AccountLink(token_hash=f"{days:064d}", kind="invite", email=f"old{days}@union-a.example",
                                    role=Role.caseworker, organisation_id="union_a",
                                    created_by=site.account("admin").id, created_at=now - dt.timedelta(days=days + 3),
                                    expires_at=now - dt.timedelta(days=days)))
    link_of(invite(site.signed_in("admin"), "new@union-a.example"))      # making a link clears old ones
    with site.sessions() as session:
        kept = sorted(session.scalars(select(AccountLink.email)))
    assert kept == ["new@union-a.example", "old29@union-a.example"]
