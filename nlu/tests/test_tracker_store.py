"""The cached SQL tracker store against Rasa's own SQLTrackerStore, on SQLite and on the real
PostgreSQL (127.0.0.1:5432): the same turns leave the same rows, every read gives the same
tracker, and rows written by another replica or deleted by the gateway are seen."""

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from helpline_nlu.tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, wage_unpaid]
slots:
  country:
    type: text
    mappings: [{type: custom}]
""")
PG_DB = "helpline_nlu_tracker_test"


def sqlite_kwargs(folder: Any, name: str) -> dict[str, Any]:
    return {"dialect": "sqlite", "db": str(folder / f"{name}.db")}


def postgres_kwargs() -> dict[str, Any]:
    return {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": PG_DB,
            "username": "postgres", "login_db": "test"}


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def turn_events(stamp: Callable[[], float], text: str, country: str | None) -> list[Event]:
    events: list[Event] = [
        UserUttered(text, {"name": "wage_unpaid", "confidence": 0.9},
                    parse_data={"intent": {"name": "wage_unpaid", "confidence": 0.9}, "text": text},
                    timestamp=stamp()),
        ActionExecuted("action_answer", timestamp=stamp()),
        BotUttered(f"answer to {text}", timestamp=stamp()),
    ]
    if country:
        events.append(SlotSet("country", country, timestamp=stamp()))
    events.append(ActionExecuted("action_listen", timestamp=stamp()))
    return events


def session_events(stamp: Callable[[], float]) -> list[Event]:
    return [ActionExecuted("action_session_start", timestamp=stamp()), SessionStarted(timestamp=stamp()),
            ActionExecuted("action_listen", timestamp=stamp())]


async def one_turn(store: SQLTrackerStore, sender: str, events: list[Event]) -> None:
    """What Rasa's processor does per message: read, add events, save."""
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, DOMAIN.slots)
    for event in events:
        tracker.update(event)
    await store.save(tracker)


def rows(engine: sa.engine.Engine) -> list[tuple[str, str, float, str | None, str | None, Any]]:
    with engine.connect() as connection:
        found = connection.execute(sa.text(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"))
        return [(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in found]


def state(tracker: DialogueStateTracker | None) -> Any:
    return None if tracker is None else [e.as_dict() for e in tracker.events]


def wipe(store: SQLTrackerStore) -> None:
    with store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events"))


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: Any, tmp_path: Any) -> Any:
    """(cached store, a second cached store on the same database, Rasa's store on another
    database, Rasa's store on the first database), and the clock of the first."""
    clock = Clock()
    if request.param == "sqlite":
        ours = CachedSQLTrackerStore(DOMAIN, clock=clock, **sqlite_kwargs(tmp_path, "ours"))
        replica = CachedSQLTrackerStore(DOMAIN, **sqlite_kwargs(tmp_path, "ours"))
        theirs = SQLTrackerStore(DOMAIN, **sqlite_kwargs(tmp_path, "theirs"))
        reader = SQLTrackerStore(DOMAIN, **sqlite_kwargs(tmp_path, "ours"))
    else:
        ours = CachedSQLTrackerStore(DOMAIN, clock=clock, **postgres_kwargs())
        replica = CachedSQLTrackerStore(DOMAIN, **postgres_kwargs())
        theirs = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "theirs.db"))
        reader = SQLTrackerStore(DOMAIN, **postgres_kwargs())
        wipe(ours)
    yield ours, replica, theirs, reader, clock
    for store in (ours, replica, theirs, reader):
        store.engine.dispose()


OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["turn", "turn", "turn", "session", "replica", "forget", "idle", "read"]),
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from([None, "russia", "kazakhstan"])), min_size=1, max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_same_rows_and_trackers_as_rasa_for_any_sequence_of_turns(stores: Any, operations: Any) -> None:
    ours, replica, theirs, reader, clock = stores
    wipe(ours)
    wipe(theirs)
    ours._cache.clear()
    replica._cache.clear()
    counter = itertools.count(1)

    def stamp() -> float:
        return float(next(counter))

    for number, (operation, sender, country) in enumerate(operations):
        if operation == "turn":
            events = turn_events(stamp, f"message {number}", country)
            run(one_turn(ours, sender, events))
            run(one_turn(theirs, sender, events))
        elif operation == "session":
            events = session_events(stamp)
            run(one_turn(ours, sender, events))
            run(one_turn(theirs, sender, events))
        elif operation == "replica":       # another Rasa process answers this message
            events = turn_events(stamp, f"elsewhere {number}", country)
            run(one_turn(replica, sender, events))
            run(one_turn(theirs, sender, events))
        elif operation == "forget":        # the gateway deletes the rows (/forget, purge)
            for store in (ours, theirs):
                with store.engine.begin() as connection:
                    connection.execute(sa.text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
        elif operation == "idle":
            clock.now += 301
        got = run(ours.retrieve(sender))
        assert state(got) == state(run(theirs.retrieve(sender)))
        assert state(got) == state(run(reader.retrieve(sender)))
        assert [r[1:] for r in rows(ours.engine)] == [r[1:] for r in rows(theirs.engine)]


def test_a_read_asks_only_for_new_rows(stores: Any) -> None:
    ours, _, _, _, _ = stores
    counter = itertools.count(1)
    stamp: Callable[[], float] = lambda: float(next(counter))  # noqa: E731
    run(one_turn(ours, "x", session_events(stamp) + turn_events(stamp, "hello", "russia")))
    run(ours.retrieve("x"))           # a conversation this process has read before
    statements: list[str] = []
    sa.event.listen(ours.engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: statements.append(statement))
    tracker = run(ours.retrieve("x"))
    assert tracker is not None and tracker.get_slot("country") == "russia"
    assert len(statements) == 2                               # the count check and the new rows
    assert all("max(" not in s.lower() for s in statements)   # not Rasa's session sub-query
    statements.clear()
    tracker.update(UserUttered("again", timestamp=stamp()))
    run(ours.save(tracker))
    assert [s.split()[0].upper() for s in statements] == ["INSERT", "SELECT"]   # and its last id


def test_idle_conversations_leave_the_cache(stores: Any) -> None:
    ours, _, _, _, clock = stores
    counter = itertools.count(1)
    stamp: Callable[[], float] = lambda: float(next(counter))  # noqa: E731
    for sender in ("p", "q"):
        run(one_turn(ours, sender, session_events(stamp) + turn_events(stamp, "hi", None)))
        run(ours.retrieve(sender))
    assert set(ours._cache) == {"p", "q"}
    clock.now += 200
    run(ours.retrieve("q"))
    clock.now += 200                   # p idle 400 s, q 200 s
    run(ours.retrieve("missing"))     # remembered as having no rows
    assert set(ours._cache) == {"q", "missing"}
    ours.cache_size = 0
    run(ours.retrieve("missing"))
    assert not ours._cache


def test_sqlite_keeps_one_connection(tmp_path: Any) -> None:
    store = CachedSQLTrackerStore(DOMAIN, **sqlite_kwargs(tmp_path, "pool"))
    opened: list[Any] = []
    sa.event.listen(store.engine, "connect", lambda *args: opened.append(args))
    counter = itertools.count(1)
    stamp: Callable[[], float] = lambda: float(next(counter))  # noqa: E731
    for number in range(5):
        run(one_turn(store, "s", turn_events(stamp, f"m{number}", None)))
    assert len(opened) == 1
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_rasa_builds_this_store_from_an_endpoints_entry(tmp_path: Any) -> None:
    """A type Rasa cannot import silently becomes an in-memory store; this one must not."""
    from rasa.core.tracker_store import AwaitableTrackerStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig.from_dict({"type": "helpline_nlu.tracker_store.CachedSQLTrackerStore",
                                       "dialect": "sqlite", "db": str(tmp_path / "rasa.db")})
    store = AwaitableTrackerStore.create(config, DOMAIN)
    assert isinstance(store._tracker_store, CachedSQLTrackerStore)


def test_many_conversations_at_once_on_worker_threads(stores: Any) -> None:
    """Reads and saves run on threads: 30 conversations of 6 turns, all at once, each in order
    (as Rasa's lock store keeps them), with someone reading every tracker in between."""
    ours, _, _, reader, _ = stores
    counter = itertools.count(1)
    stamp: Callable[[], float] = lambda: float(next(counter))  # noqa: E731
    senders = [f"c{n}" for n in range(30)]
    expected: dict[str, list[Event]] = {s: [] for s in senders}

    async def conversation(sender: str) -> None:
        for number in range(6):
            events = (session_events(stamp) if number == 0 else []) + turn_events(stamp, f"{sender}-{number}", None)
            expected[sender].extend(events)
            await one_turn(ours, sender, events)

    async def onlooker() -> None:
        for _ in range(40):
            await asyncio.gather(*(ours.retrieve(s) for s in senders[:5]))

    async def everything() -> None:
        await asyncio.gather(onlooker(), *(conversation(s) for s in senders))

    run(everything())
    stored_rows = rows(ours.engine)
    for sender in senders:
        assert [r[5] for r in stored_rows if r[0] == sender] == [e.as_dict() for e in expected[sender]]
        assert state(run(ours.retrieve(sender))) == state(run(reader.retrieve(sender)))


def test_idle_conversations_leave_memory_with_no_traffic_at_all(tmp_path: Any) -> None:
    store = CachedSQLTrackerStore(DOMAIN, cache_seconds=0.2, **sqlite_kwargs(tmp_path, "sweep"))
    counter = itertools.count(1)
    stamp: Callable[[], float] = lambda: float(next(counter))  # noqa: E731
    run(one_turn(store, "s", session_events(stamp) + turn_events(stamp, "my boss owes me", None)))
    run(store.retrieve("s"))
    assert "s" in store._cache
    deadline = time.monotonic() + 10
    while store._cache and time.monotonic() < deadline:       # nothing touches the store now
        time.sleep(0.1)
    assert not store._cache


FORM_DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, wage_unpaid]
slots:
  awaiting: {type: text, mappings: [{type: custom}]}
  calc_amount: {type: text, mappings: [{type: custom}]}
  country: {type: text, mappings: [{type: custom}]}
""")


def form_turn(stamp: Callable[[], float], typed: str, said: str, slots: dict[str, Any],
              metadata: dict[str, Any] | None = None) -> list[Event]:
    """The user types `typed`; the action says `said` and sets `slots` (the first one carrying
    `metadata`, as actions/answers.py marks the end of a flow)."""
    events: list[Event] = [
        UserUttered(typed, {"name": None, "confidence": 0.0}, [{"entity": "amount", "value": typed}],
                    parse_data={"intent": {"name": None, "confidence": 0.0}, "text": typed,
                                "entities": [{"entity": "amount", "value": typed}]}, timestamp=stamp()),
        ActionExecuted("action_calc_step", timestamp=stamp()),
        BotUttered(said, {"buttons": [{"title": said, "payload": "/menu"}]}, timestamp=stamp()),
    ]
    for number, (name, value) in enumerate(slots.items()):
        events.append(SlotSet(name, value, timestamp=stamp(), metadata=metadata if number == 0 else None))
    return [*events, ActionExecuted("action_listen", timestamp=stamp())]


def test_a_finished_flow_leaves_no_answer_in_the_rows_or_the_cache(stores: Any) -> None:
    ours, replica, _, reader, _ = stores
    for store in (ours, replica, reader):
        store.domain = FORM_DOMAIN
    wipe(ours)
    counter = itertools.count(1)
    stamp: Callable[[], float] = lambda: float(next(counter))  # noqa: E731
    run(one_turn(ours, "calc", session_events(stamp) + form_turn(stamp, "I work in Russia", "Noted",
                                                                 {"country": "RU"})))
    began = float(next(counter))
    run(one_turn(ours, "calc", form_turn(lambda: began, "/calc", "How much is owed?", {"awaiting": "amount"})))
    run(one_turn(ours, "calc", form_turn(stamp, "48 731 rub", "Since when?",
                                         {"awaiting": "due", "calc_amount": "48731"})))
    run(one_turn(replica, "other", session_events(stamp) + form_turn(stamp, "48 731", "x", {"calc_amount": "48731"})))
    assert run(ours.retrieve("calc")).get_slot("calc_amount") == "48731"        # in the cache now
    forget = {"helpline_forget": {"since": began, "slots": ["calc_amount"]}}
    run(one_turn(ours, "calc", form_turn(stamp, "15.03.2026", "48 731 ₽ due 15.03.2026: 1 234,56 ₽",
                                         {"awaiting": None, "calc_amount": None}, forget)))

    mine = [r for r in rows(ours.engine) if r[0] == "calc"]
    assert not [r for r in mine if any(x in json.dumps(r[5], ensure_ascii=False) for x in ("48", "15.03", "1 234"))]
    assert any(r[5].get("text") == "I work in Russia" for r in mine)      # before the flow: kept
    assert [r[5]["value"] for r in mine if r[1] == "slot"] == ["RU", "amount", "due", None, None, None]
    assert [r[4] for r in mine if r[1] == "action"] == ["action_session_start", "action_listen"] + [
        "action_calc_step", "action_listen"] * 4                           # the dialogue itself unchanged
    assert "48731" in json.dumps([r[5] for r in rows(ours.engine) if r[0] == "other"])   # not its flow
    for store in (ours, replica, reader):                                 # no stale copy is read
        tracker = run(store.retrieve("calc"))
        assert tracker.get_slot("calc_amount") is None and tracker.get_slot("country") == "RU"
        assert "48" not in json.dumps(state(tracker), ensure_ascii=False)
    run(one_turn(ours, "calc", form_turn(stamp, "thanks", "You are welcome", {})))   # and it goes on
    assert state(run(ours.retrieve("calc"))) == state(run(reader.retrieve("calc")))
    assert [r[5]["text"] for r in rows(ours.engine) if r[0] == "calc" and r[1] == "user"][-1] == "thanks"
