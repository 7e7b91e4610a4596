"""Rasa's SQL tracker store, without re-reading a whole conversation on every turn.

Rasa 3.6's SQLTrackerStore, for every message, reads all events of the conversation's latest
session through the ORM and parses each from JSON (retrieve), then counts them again with a
sub-query before inserting the new ones (save). On SQLite it also opens a new database
connection for each of these, because SQLAlchemy 1.4 gives file databases no pool. Under
`helpline bench load` that was about a third of Rasa's CPU time.

This store keeps, per conversation, the parsed events of its latest session and the id of
the last row it has seen. Each turn it asks the database only for what is new:

- rows after the last one it has seen (another replica may have written them), and
- how many rows up to that one still exist. If the gateway deleted any (`/forget`, the
  retention purge), the cache for that conversation is dropped and read again in full.

Saving inserts the new events with their ids, so the count query is no longer needed. The
tables, rows and their JSON are exactly Rasa's, so the gateway's privacy code, Rasa's own
store and older data all work unchanged. Conversations idle for `cache_seconds` (300) leave
the cache (a thread sweeps it, so this holds with no traffic too), and it holds at most
`cache_size` (2000) of them.

A calculator's or the letter's answers do not stay: the action that ends such a flow marks one
of its events with `helpline_forget: {since, slots}` (actions/answers.py). Saving that turn
rewrites, in the same transaction, every user and bot message of the conversation from
`since` on without its text, and every value of those slots as null, so that neither what
was typed nor the result shown is left in the rows; the conversation then leaves the cache,
so its next turn reads the rewritten rows.

endpoints.yml:  tracker_store: {type: helpline_nlu.tracker_store.CachedSQLTrackerStore,
                                dialect: sqlite|postgresql, db: …, url: …, port: …, …}
"""

import asyncio
import contextlib
import json
import os
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

DEFAULT_CACHE_SIZE = 2000
DEFAULT_CACHE_SECONDS = 300.0
FORGET = "helpline_forget"      # event metadata: forget a finished flow's answers (actions/answers.py)
MESSAGES = ("user", "bot")


Row = tuple[int, str, float | None, Event | None]     # id, type_name, timestamp, event


def in_session(timestamp: float | None, session_start: float | None) -> bool:
    """Rasa's filter: `timestamp >= session_start OR session_start IS NULL`."""
    if session_start is None:
        return True
    return timestamp is not None and timestamp >= session_start


@dataclass
class Conversation:
    """What this process knows of one conversation's rows."""

    last_id: int = 0                         # the highest row id seen
    rows: int = 0                            # rows with id <= last_id, all sessions
    session_start: float | None = None    # timestamp of the latest session_started
    # the rows of the latest session, in id order: (timestamp, event; None if unreadable)
    session: list[tuple[float | None, Event | None]] = field(default_factory=list)
    used: float = 0.0                        # when the cache last handed it out

    def extended(self, rows: list[Row]) -> "Conversation":
        """A new snapshot with `rows` (newer than `last_id`, in id order) taken in: a snapshot
        in the cache is never changed, so a reader on another thread always sees a whole one."""
        copy = Conversation(self.last_id, self.rows, self.session_start, list(self.session))
        copy.extend(rows)
        return copy

    def extend(self, rows: list[Row]) -> None:
        starts = [ts for _, kind, ts, _ in rows if kind == SessionStarted.type_name and ts is not None]
        if starts and (self.session_start is None or max(starts) > self.session_start):
            self.session_start = max(starts)
            self.session = [(ts, event) for ts, event in self.session if in_session(ts, self.session_start)]
        for row_id, _, timestamp, event in rows:
            self.last_id = max(self.last_id, row_id)
            self.rows += 1
            if in_session(timestamp, self.session_start):
                self.session.append((timestamp, event))

    def events(self) -> list[Event]:
        return [event for _, event in self.session if event is not None]


@dataclass(frozen=True)
class Forget:
    """What a finished flow asks to forget: the messages from `since` on, the values of `slots`."""

    since: float | None
    slots: frozenset[str]

    @classmethod
    def requested(cls, events: Sequence[Event]) -> Optional["Forget"]:
        asked = [event.metadata[FORGET] for event in events
                 if isinstance(event.metadata, dict) and isinstance(event.metadata.get(FORGET), dict)]
        if not asked:
            return None
        since = [a["since"] for a in asked if isinstance(a.get("since"), (int, float))]
        slots = frozenset(str(name) for a in asked for name in a.get("slots") or ())
        return cls(min(since) if since else None, slots)

    def scrubbed(self, data: dict[str, Any]) -> dict[str, Any]:
        """A stored event's JSON without what is to be forgotten (the same dict if nothing is)."""
        kind = data.get("event")
        if kind in MESSAGES and self.since is not None and (data.get("timestamp") or 0.0) >= self.since:
            if kind == "user":
                parse = data.get("parse_data") or {}
                return {**data, "text": "", "parse_data": {**parse, "text": "", "entities": []}}
            return {**data, "text": "", "data": {key: None for key in data.get("data") or {}}}
        if kind == "slot" and data.get("name") in self.slots and data.get("value") is not None:
            return {**data, "value": None}
        return data


def parsed(data: str) -> Event | None:
    """A stored row's event, as rasa.shared.core.events.deserialise_events reads it."""
    parameters = json.loads(data)
    return Event.from_parameters(parameters) if "event" in parameters else None


def private_file(path: Path) -> None:
    """The SQLite file made with mode 0600 (missing folders 0700) if it is missing; an existing
    one of ours that others could read is tightened. As bot/db/engine.py, which this
    environment cannot import."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    info = path.stat()
    if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(0o600)


def sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "busy_timeout=5000", "secure_delete=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    engine: Any         # Rasa's engine at first, then ours (SQLAlchemy 1.4 ships no types)

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE,
                 cache_seconds: float = DEFAULT_CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        if kwargs.get("dialect", "sqlite") == "sqlite" and kwargs.get("db") not in (None, "", ":memory:"):
            private_file(Path(kwargs["db"]))        # before Rasa's engine makes it readable by all
        super().__init__(*args, **kwargs)
        # Our own engine in place of Rasa's. On every dialect: errors never carry the bound
        # parameters (what users wrote), as in bot/db/engine.py.
        self.engine.dispose()
        if self.engine.dialect.name == "sqlite":
            # Kept connections (one per worker thread at a time) instead of a new one per query
            # (NullPool in SQLAlchemy 1.4).
            # Write-ahead logging: one sync per commit instead of several, and readers (the
            # gateway's /forget) do not block. Deleted rows are overwritten, as in bot/db/engine.py.
            self.engine = sa.create_engine(self.engine.url, poolclass=sa.pool.QueuePool, pool_size=4,
                                           max_overflow=4, connect_args={"check_same_thread": False},
                                           hide_parameters=True)
            sa.event.listen(self.engine, "connect", sqlite_pragmas)
        else:
            self.engine = sa.create_engine(self.engine.url, hide_parameters=True,
                                           **create_engine_kwargs(self.engine.url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.cache_size = int(cache_size)
        self.cache_seconds = float(cache_seconds)
        self._clock = clock
        self._cache: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()          # reads and saves run on worker threads
        # Idle conversations leave memory on time even when no message comes in (after /forget,
        # say): a daemon thread sweeps the cache.
        threading.Thread(target=self._sweep, name="tracker-cache-sweep", daemon=True).start()
        table = self.SQLEvent.__table__
        self._table = table
        self._rows_after = (
            sa.select(table.c.id, table.c.type_name, table.c.timestamp, table.c.data)
            .where(table.c.sender_id == sa.bindparam("sender"), table.c.id > sa.bindparam("after"))
            .order_by(table.c.id)
        )
        self._last_id = sa.select(sa.func.max(table.c.id)).where(table.c.sender_id == sa.bindparam("sender"))
        self._rows_up_to = (
            sa.select(sa.func.count(table.c.id))
            .where(table.c.sender_id == sa.bindparam("sender"), table.c.id <= sa.bindparam("last"))
        )

    # the cache: snapshots, each a state the database was in -------------------------------------

    def _expire(self) -> None:
        horizon = self._clock() - self.cache_seconds
        while self._cache:
            sender, oldest = next(iter(self._cache.items()))
            if oldest.used >= horizon and len(self._cache) <= self.cache_size:
                break
            del self._cache[sender]

    def _sweep(self) -> None:
        while True:
            time.sleep(min(60.0, max(1.0, self.cache_seconds / 5)))
            with self._lock:
                self._expire()

    def _cached(self, sender_id: str) -> Conversation | None:
        with self._lock:
            self._expire()
            return self._cache.get(sender_id)

    def _remember(self, sender_id: str, conversation: Conversation) -> None:
        with self._lock:
            current = self._cache.get(sender_id)
            if current is not None and current.last_id > conversation.last_id:
                return                  # a newer snapshot got there first (another thread)
            conversation.used = self._clock()
            self._cache[sender_id] = conversation
            self._cache.move_to_end(sender_id)
            self._expire()

    def forget_cached(self, sender_id: str) -> None:
        with self._lock:
            self._cache.pop(sender_id, None)

    # reading --------------------------------------------------------------------------------

    def _read(self, sender_id: str) -> Conversation:
        """The conversation brought up to date with the database (empty if it has no rows)."""
        known = self._cached(sender_id)
        with self.engine.connect() as connection:
            if known is not None:
                still = connection.execute(self._rows_up_to, {"sender": sender_id, "last": known.last_id}).scalar()
                if still != known.rows:        # rows were deleted: read everything again
                    self.forget_cached(sender_id)
                    known = None
            after = known.last_id if known is not None else 0
            rows = connection.execute(self._rows_after, {"sender": sender_id, "after": after}).all()
        # A conversation with no rows is remembered too (empty), so that the first save of a
        # new conversation needs no count query either.
        fresh = (known or Conversation()).extended(
            [(row.id, row.type_name, row.timestamp, parsed(row.data)) for row in rows])
        self._remember(sender_id, fresh)
        return fresh

    def _retrieve_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        conversation = self._read(sender_id)
        if not self.domain or not conversation.session:
            return None
        return DialogueStateTracker.from_events(sender_id, conversation.events(), self.domain.slots)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the conversation's latest session, as SQLTrackerStore.retrieve, read
        on a worker thread so that Rasa's event loop goes on with other conversations."""
        return await asyncio.to_thread(self._retrieve_tracker, sender_id)

    # writing --------------------------------------------------------------------------------

    @staticmethod
    def _row(sender_id: str, event: Event, forget: Forget | None = None) -> dict[str, Any]:
        data = event.as_dict()
        if forget is not None:
            data = forget.scrubbed(data)
        return {
            "sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data),
        }

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the tracker's events that are not stored yet, as SQLTrackerStore.save, on a
        worker thread."""
        await self.stream_events(tracker)
        await asyncio.to_thread(self._save, tracker.sender_id, list(tracker.events))

    @staticmethod
    def _matches(known: Conversation, events: list[Event]) -> bool:
        """Whether the snapshot is where `events` came from: its stored part lines up."""
        count = len(known.session)
        if count > len(events):
            return False
        return count == 0 or known.session[-1][0] == getattr(events[count - 1], "timestamp", None)

    def _save(self, sender_id: str, events: list[Event]) -> None:
        known = self._cached(sender_id)
        if known is None or not self._matches(known, events):
            # Not read through this process (a new conversation, or one that left the cache):
            # Rasa's own count decides what is new; the next read fills the cache.
            self.forget_cached(sender_id)
            with self.session_scope() as session:
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            self._insert(sender_id, events[stored:], None)
            return
        self._insert(sender_id, events[len(known.session):], known)

    def _insert(self, sender_id: str, events: list[Event], known: Conversation | None) -> None:
        if not events:
            return
        forget = Forget.requested(events)
        rows = [self._row(sender_id, event, forget) for event in events]
        with self.engine.begin() as connection:
            connection.execute(self._table.insert(), rows)
            last = int(connection.execute(self._last_id, {"sender": sender_id}).scalar())
            if forget is not None:
                self._forget_stored(connection, sender_id, forget)
        if forget is not None:
            self.forget_cached(sender_id)     # its parsed events still hold the answers
        elif known is not None:
            # Under Rasa's lock no one else writes this conversation now; if someone did,
            # the count check of the next read notices and reads it all again.
            self._remember(sender_id, known.extended(
                [(last, event.type_name, row["timestamp"], event) for row, event in zip(rows, events, strict=True)]))

    def _forget_stored(self, connection: Any, sender_id: str, forget: Forget) -> None:
        """The conversation's stored rows rewritten without what `forget` names."""
        table = self._table
        wanted = [sa.and_(table.c.type_name == "slot", table.c.action_name.in_(sorted(forget.slots)))]
        if forget.since is not None:
            wanted.append(sa.and_(table.c.type_name.in_(MESSAGES), table.c.timestamp >= forget.since))
        found = connection.execute(sa.select(table.c.id, table.c.data).where(
            table.c.sender_id == sender_id, sa.or_(*wanted))).all()
        changed = []
        for row in found:
            data = json.loads(row.data)
            clean = forget.scrubbed(data)
            if clean is not data:
                changed.append({"row": row.id, "clean": json.dumps(clean)})
        if changed:
            connection.execute(table.update().where(table.c.id == sa.bindparam("row"))
                               .values(data=sa.bindparam("clean")), changed)
