"""A console of its own on a loopback port with a few accounts in two unions, for the tests of
logins, second factors and account management (tests/test_totp.py, tests/test_accounts.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account, AuditEvent, Role
from bot.gateway.app import create_app
from tests.conftest import make_settings
from tests.console_client import Console, add_caseworker, serving

PASSWORD = "correct horse battery"
People = Mapping[str, tuple[str, str, Role]]        # who → (e-mail, organisation, role)


@dataclass
class Site:
    url: str
    database: str
    sessions: sessionmaker[Session]
    people: People

    def console(self, who: str | None = None, *, language: str = "en") -> Console:
        """A browser of its own (`who` only names whose it is, for the reader)."""
        console = Console(self.url)
        console.http.headers["accept-language"] = language
        return console

    def signed_in(self, who: str, password: str = PASSWORD) -> Console:
        console = self.console(who)
        assert console.login(self.people[who][0], password).status_code == 303
        return console

    def account(self, who: str) -> Account:
        with self.sessions() as session:
            return session.scalars(select(Account).where(Account.email == self.people[who][0])).one()

    def audit(self, action: str) -> list[tuple[int | None, str]]:
        with self.sessions() as session:
            return [(e.account_id, e.detail) for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


@contextlib.contextmanager
def site_with(people: People, database_url: str, data_dir: Path) -> Iterator[Site]:
    for email, organisation, role in people.values():
        add_caseworker(database_url, email, organisation=organisation, role=role, password=PASSWORD)
    settings = make_settings(data_dir, database_url=database_url)
    engine = make_engine(database_url)
    try:
        with serving(create_app(settings), settings.gateway_port):
            yield Site(f"http://127.0.0.1:{settings.gateway_port}", database_url, make_sessions(engine), people)
    finally:
        engine.dispose()
