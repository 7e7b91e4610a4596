"""Migration 0006 (bot/db/migrations/versions/0006_totp.py) on SQLite and PostgreSQL: accounts
from before have no second factor and no reset, sessions from before stay logged in, and going
back ends the sessions that were still waiting for a code."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from bot.db.engine import alembic_config, make_engine


def test_accounts_and_sessions_from_before_and_back(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0005")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO organisation (id, name, names, kind, country, verified) "
                                    "VALUES ('union_a', 'A', '{}', 'union', 'RU', false)"))
            connection.execute(text("INSERT INTO account (id, organisation_id, email, role, password_hash, active, "
                                    "created_at) VALUES (1, 'union_a', 'a@example.org', 'admin', 'x', true, "
                                    "'2026-11-01 10:00:00+00:00')"))
            connection.execute(text("INSERT INTO console_session (token_hash, account_id, csrf_token, created_at, "
                                    "expires_at) VALUES ('old', 1, 'c', '2026-11-01 10:00:00+00:00', "
                                    "'2099-01-01 10:00:00+00:00')"))
        command.upgrade(config, "0006")
        with engine.begin() as connection:
            assert connection.execute(text(
                "SELECT totp_secret, totp_enabled_at, totp_last_step, must_change_password, password_expires_at "
                "FROM account")).all() == [(None, None, None, False, None)]
            assert connection.execute(text("SELECT token_hash, stage FROM console_session")).all() == [("old", "in")]
            connection.execute(text("INSERT INTO console_session (token_hash, account_id, csrf_token, created_at, "
                                    "expires_at, stage) VALUES ('pending', 1, 'c', '2026-11-01 10:00:00+00:00', "
                                    "'2099-01-01 10:00:00+00:00', 'code')"))
        command.downgrade(config, "0005")
        with engine.begin() as connection:
            assert connection.execute(text("SELECT token_hash FROM console_session")).all() == [("old",)]
        command.upgrade(config, "head")
    finally:
        engine.dispose()
