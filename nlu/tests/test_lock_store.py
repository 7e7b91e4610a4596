"""The atomic Redis lock store against the real Redis on 127.0.0.1:6379: two processes
issuing and returning tickets for one conversation at once never lose a ticket, and only one
holds the lock at a time. Both our lock stores (Redis and in memory) give up a lock not had
within their `lock_wait`, and the turn then answers nothing."""

import asyncio
import logging
import multiprocessing
import time
from types import SimpleNamespace

import pytest
import redis
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from helpline_nlu.lock_store import AtomicRedisLockStore, BoundedInMemoryLockStore, LockTimeout
from helpline_nlu.quiet_turns import install

DB = 9


def store() -> AtomicRedisLockStore:
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=DB, type="x"))


def issue_many(count: int, out: "multiprocessing.Queue[list[int]]") -> None:
    lock_store = store()
    out.put([lock_store.issue_ticket("one-conversation") for _ in range(count)])


@pytest.fixture(autouse=True)
def clean() -> None:
    redis.Redis(host="127.0.0.1", port=6379, db=DB).flushdb()


def test_tickets_issued_from_two_processes_at_once_are_all_distinct() -> None:
    out: multiprocessing.Queue[list[int]] = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=issue_many, args=(200, out)) for _ in range(2)]
    for worker in workers:
        worker.start()
    tickets = out.get(timeout=60) + out.get(timeout=60)
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(tickets) == list(range(400))               # none issued twice, none lost
    lock = store().get_lock("one-conversation")
    assert lock is not None and len(lock.tickets) == 400      # every ticket is still in the lock


def hold(seconds: float, log: "multiprocessing.Queue[tuple[str, float]]", name: str) -> None:
    import asyncio

    async def run() -> None:
        async with store().lock("held-conversation", wait_time_in_seconds=0.01):
            log.put(("in", time.monotonic()))
            await asyncio.sleep(seconds)
            log.put(("out", time.monotonic()))
    asyncio.run(run())


def test_only_one_process_holds_the_lock_at_a_time() -> None:
    log: multiprocessing.Queue[tuple[str, float]] = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=hold, args=(0.05, log, str(i))) for i in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    events = sorted((log.get(timeout=5) for _ in range(12)), key=lambda e: e[1])
    assert [kind for kind, _ in events] == ["in", "out"] * 6  # never two inside at once
    assert store().get_lock("held-conversation") is None      # the last one deleted the lock


# A bounded wait: a turn whose lock is held past `lock_wait` fails instead of waiting on. ------


def bounded(kind: str, wait: float) -> LockStore:
    if kind == "redis":
        return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=DB, type="x", lock_wait=wait))
    return BoundedInMemoryLockStore(EndpointConfig(type="x", lock_wait=wait))


async def second_turn_while_first_holds(lock_store: LockStore) -> tuple[float, list[int]]:
    """How long a second turn waited before it failed, and the tickets left in the lock then."""
    held = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with lock_store.lock("busy", wait_time_in_seconds=0.01):
            held.set()
            await release.wait()

    holder = asyncio.create_task(first())
    await held.wait()
    started = time.monotonic()
    try:
        with pytest.raises(LockTimeout):
            # the bound of this test, far above the store's: without one the turn waits on
            await asyncio.wait_for(lock_store.lock("busy", wait_time_in_seconds=0.01).__aenter__(), 10)
        waited = time.monotonic() - started
        lock = lock_store.get_lock("busy")
        left = [ticket.number for ticket in lock.tickets] if lock else []
    finally:
        release.set()
        await holder
    return waited, left


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_lock_not_had_in_time_fails_the_turn_and_returns_its_ticket(kind: str) -> None:
    waited, left = asyncio.run(second_turn_while_first_holds(bounded(kind, 0.3)))
    assert 0.25 <= waited < 2                               # (the event loop's clock is coarse)
    assert left == [0]                                       # only the first turn's ticket


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_the_wait_comes_from_the_endpoint_and_is_positive(kind: str) -> None:
    assert bounded(kind, 2.5).lock_wait == 2.5
    with pytest.raises(ValueError, match="lock_wait"):
        bounded(kind, 0)


def test_a_lock_that_keeps_changing_is_given_up_in_time() -> None:
    lock_store = bounded("redis", 0.2)
    other = redis.Redis(host="127.0.0.1", port=6379, db=DB)

    def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
        other.set(lock_store.key_prefix + "contended", "{}")   # another replica, every time
        return lock, None

    started = time.monotonic()
    with pytest.raises(LockTimeout):
        lock_store._atomically("contended", change)
    assert time.monotonic() - started < 2


async def turn_behind_a_held_lock(agent: Agent) -> object:
    async with agent.lock_store.lock("held", wait_time_in_seconds=0.01):
        return await agent.handle_message(UserMessage("my passport number is 1234", sender_id="held"))


def test_a_failed_turn_answers_nothing_and_logs_neither_text_nor_conversation(
        caplog: pytest.LogCaptureFixture) -> None:
    install()
    agent = Agent(lock_store=bounded("memory", 0.1))
    agent.processor = SimpleNamespace(handle_message=lambda message: pytest.fail("the turn ran"))
    with caplog.at_level(logging.INFO):
        assert asyncio.run(turn_behind_a_held_lock(agent)) is None
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("helpline_nlu.quiet_turns", "turn failed: no lock within 0.1 s")]


async def wait_behind(lock_store: LockStore, hold: float) -> float:
    """How long a turn waited for a lock held `hold` seconds, polling as Rasa's Agent asks (1 s)."""
    held = asyncio.Event()

    async def first() -> None:
        async with lock_store.lock("queued", wait_time_in_seconds=1):
            held.set()
            await asyncio.sleep(hold)

    holder = asyncio.create_task(first())
    await held.wait()
    started = time.monotonic()
    async with lock_store.lock("queued", wait_time_in_seconds=1):
        waited = time.monotonic() - started
    await holder
    return waited


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_queued_turn_gets_the_lock_soon_after_it_is_free(kind: str) -> None:
    assert asyncio.run(wait_behind(bounded(kind, 5), 0.2)) < 0.6   # not at Rasa's next second
