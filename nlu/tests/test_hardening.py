"""The tracker store's database (issue 15): a SQLite file only its owner can read, and SQL errors
that never carry the bound parameters (what users wrote), on SQLite and on the real PostgreSQL."""

import os
import stat
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

from helpline_nlu.tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.from_yaml('version: "3.1"\nintents: [greet]\n')
USER_TEXT = "my e-mail is worker@example.org"


def mode(path: Any) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_tracker_store_is_the_owners_only(tmp_path: Any) -> None:
    path = tmp_path / "rasa" / "tracker.db"
    store = CachedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    try:
        assert mode(path) == 0o600 and mode(path.parent) == 0o700
    finally:
        store.engine.dispose()


def test_an_existing_readable_tracker_store_is_tightened(tmp_path: Any) -> None:
    path = tmp_path / "tracker.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    store = CachedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    try:
        assert mode(path) == 0o600
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_sql_errors_do_not_carry_what_users_wrote(tmp_path: Any, dialect: str) -> None:
    kwargs: Any = ({"dialect": "sqlite", "db": str(tmp_path / "tracker.db")} if dialect == "sqlite" else
                   {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432,
                    "db": "helpline_nlu_tracker_test", "username": "postgres", "login_db": "test"})
    store = CachedSQLTrackerStore(DOMAIN, **kwargs)
    try:
        with pytest.raises(sa.exc.DBAPIError) as raised, store.engine.connect() as connection:
            connection.execute(sa.text("INSERT INTO no_such_table (data) VALUES (:data)"), {"data": USER_TEXT})
        assert "worker@example.org" not in str(raised.value)
    finally:
        store.engine.dispose()
