"""The data layer on SQLite and on the PostgreSQL server (127.0.0.1:5432): migrations, time
zones, the case lifecycle, and organisation isolation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cases import service
from bot.db.base import Base
from bot.db.engine import make_engine, make_sessions, upgrade
from bot.db.models import Account, AuditEvent, Case, CaseState, Organisation, Role, Sender


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


def seed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add_all([Organisation(id="union_a", name="A", kind="union", country="RU"),
                         Organisation(id="union_b", name="B", kind="union", country="KZ")])
        session.flush()
        session.add_all([Account(organisation_id="union_a", email="a@example.org", role=Role.caseworker,
                                 password_hash="x"),
                         Account(organisation_id="union_b", email="b@example.org", role=Role.caseworker,
                                 password_hash="x")])


def opening(conversation: str, org: str = "union_a", *, urgent: bool = False) -> service.Opening:
    return service.Opening(conversation=conversation, channel="telegram", organisation_id=org,
                           language="tg", topic="wages_unpaid", urgent=urgent,
                           transcript=("корфармо маош намедиҳад",))


def test_migrations_match_the_models_and_run_twice(database_url: str) -> None:
    upgrade(database_url)                                 # already at head: nothing to do
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert {"organisation", "contact", "account", "support_case", "case_message", "audit_event",
            "console_session", "alembic_version"} <= tables


def test_timestamps_come_back_aware_and_in_utc(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    with sessions.begin() as session:
        case, created = service.open_case(session, opening("tg:1"))
        assert created
        case.opened_at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    with sessions() as session:
        stored = session.scalars(select(Case)).one()
        assert stored.opened_at == dt.datetime(2026, 3, 1, 7, 0, tzinfo=dt.UTC)
        assert stored.opened_at.tzinfo is dt.UTC
    with sessions.begin() as session, pytest.raises(Exception, match="naive"):
        session.add(Organisation(id="x1", name="x", kind="union", country="RU"))
        session.flush()
        session.scalars(select(Case)).one().closed_at = dt.datetime(2026, 1, 1)
        session.flush()


def test_case_lifecycle_order_and_isolation(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    with sessions.begin() as session:
        first, _ = service.open_case(session, opening("tg:1"))
        again, created = service.open_case(session, opening("tg:1"))
        assert again.id == first.id and not created                  # one open case per conversation
        urgent, _ = service.open_case(session, opening("web:abc", urgent=True))
        other, _ = service.open_case(session, opening("tg:9", org="union_b"))
        ids = first.id, urgent.id, other.id
    with sessions.begin() as session:
        a = session.scalars(select(Account).where(Account.email == "a@example.org")).one()
        b = session.scalars(select(Account).where(Account.email == "b@example.org")).one()
        assert [c.id for c in service.queue(session, a)] == [ids[1], ids[0]]   # urgent first
        assert service.case_for(session, a, ids[2]) is None                   # another union's case
        assert service.case_for(session, b, ids[0]) is None
        case = service.case_for(session, a, ids[0])
        assert case is not None and service.claim(session, a, case)
        assert not service.claim(session, b, case)
        for n in range(5):
            service.add_message(session, case, Sender.caseworker, f"reply {n}", author=a)
        service.add_message(session, case, Sender.note, "internal")
        service.add_message(session, case, Sender.user, "thanks", delivered=True)
    with sessions.begin() as session:
        pending = service.undelivered(session, "telegram")
        assert [m.body for m, _ in pending] == [f"reply {n}" for n in range(5)]   # in order, no notes
        service.mark_delivered(session, [m.id for m, _ in pending[:2]])
    with sessions.begin() as session:
        assert [m.body for m, _ in service.undelivered(session, "telegram")] == ["reply 2", "reply 3", "reply 4"]
        assert [m.body for m in service.messages_for(session, "tg:1", after=0)][:1] == ["reply 0"]
        case = session.get(Case, ids[0])
        assert case is not None and service.close(session, case, by="caseworker", outcome="advice_given")
        assert not service.close(session, case, by="user", outcome="left")
        assert service.open_case_for(session, "tg:1") is None
    with sessions() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions.count("case.open") == 3 and "case.claim" in actions and "case.close" in actions
        assert session.get(Case, ids[0]).state is CaseState.closed  # type: ignore[union-attr]


def test_timers_find_unclaimed_urgent_and_idle_cases(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        urgent, _ = service.open_case(session, opening("tg:1", urgent=True))
        calm, _ = service.open_case(session, opening("tg:2"))
        urgent.opened_at = now - dt.timedelta(minutes=11)
        calm.last_activity_at = now - dt.timedelta(hours=25)
    with sessions.begin() as session:
        assert [c.conversation for c in service.unclaimed_urgent(session, now, 10)] == ["tg:1"]
        assert [c.conversation for c in service.idle(session, now, 24)] == ["tg:2"]
