"""Rasa's tracker store, read and deleted directly: Rasa's HTTP API can replace a tracker's
events but its SQL store only ever appends rows, so forgetting and retention delete the rows.

The table is Rasa's `events` (rasa/core/tracker_store.py, SQLTrackerStore): one row per event
with `sender_id` and a float Unix `timestamp`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import NoSuchTableError

from bot.db.engine import make_engine
from bot.settings import Settings


def tracker_engine(settings: Settings) -> Engine:
    return make_engine(settings.tracker_store)     # where `helpline run` tells Rasa to keep them


def _has_events(engine: Engine) -> bool:
    try:
        return inspect(engine).has_table("events")
    except NoSuchTableError:
        return False


def delete_conversation(engine: Engine, sender_id: str) -> int:
    """Every event of one conversation; the number of rows deleted."""
    if not _has_events(engine):
        return 0
    with engine.begin() as connection:
        return connection.execute(text("DELETE FROM events WHERE sender_id = :sender"),
                                  {"sender": sender_id}).rowcount or 0


def count_events(engine: Engine, sender_id: str) -> int:
    if not _has_events(engine):
        return 0
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :sender"),
                                      {"sender": sender_id}).scalar_one())


def purge_conversations(engine: Engine, before: dt.datetime) -> tuple[int, int]:
    """Conversations whose last event is older than `before`: (conversations, rows) deleted."""
    if not _has_events(engine):
        return 0, 0
    cutoff = before.timestamp()
    with engine.begin() as connection:
        old = [row[0] for row in connection.execute(text(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
            {"cutoff": cutoff})]
        rows = 0
        for sender in old:
            rows += connection.execute(text("DELETE FROM events WHERE sender_id = :sender"),
                                       {"sender": sender}).rowcount or 0
    return len(old), rows
