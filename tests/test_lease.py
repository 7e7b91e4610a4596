"""The lease that lets several gateways share one database: one runs the casework loop, the
others take over when it stops renewing. On SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.cases import lease
from bot.db.engine import make_engine, make_sessions

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


def test_one_holder_renews_and_another_takes_over_only_after_expiry(sessions: sessionmaker[Session]) -> None:

    def hold(holder: str, at: dt.datetime) -> bool:
        with sessions.begin() as session:
            return lease.hold(session, "casework", holder, at, 15)

    assert hold("a", NOW)                                         # nobody held it: inserted
    assert not hold("b", NOW + dt.timedelta(seconds=5))           # a's lease runs
    assert hold("a", NOW + dt.timedelta(seconds=10))              # a renews: until 25 s
    assert not hold("b", NOW + dt.timedelta(seconds=20))
    assert hold("b", NOW + dt.timedelta(seconds=26))              # a stopped renewing: b takes over
    assert not hold("a", NOW + dt.timedelta(seconds=27))
    with sessions.begin() as session:
        lease.release(session, "casework", "b", NOW + dt.timedelta(seconds=28))
    assert hold("a", NOW + dt.timedelta(seconds=28))              # released: no wait
    with sessions.begin() as session:                             # releasing someone else's does nothing
        lease.release(session, "casework", "b", NOW + dt.timedelta(seconds=29))
    assert not hold("b", NOW + dt.timedelta(seconds=29))


def test_many_gateways_racing_for_a_free_lease_get_one_holder(sessions: sessionmaker[Session]) -> None:
    won: list[str] = []
    start = threading.Barrier(6)

    def race(holder: str) -> None:
        start.wait()
        with sessions.begin() as session:
            if lease.hold(session, "race", holder, NOW, 15):
                won.append(holder)

    threads = [threading.Thread(target=race, args=(f"g{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
