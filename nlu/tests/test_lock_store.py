"""The atomic Redis lock store against the real Redis on 127.0.0.1:6379: two processes
issuing and returning tickets for one conversation at once never lose a ticket, and only one
holds the lock at a time."""

import multiprocessing
import time

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from helpline_nlu.lock_store import AtomicRedisLockStore

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
    out: "multiprocessing.Queue[list[int]]" = multiprocessing.Queue()
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
    log: "multiprocessing.Queue[tuple[str, float]]" = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=hold, args=(0.05, log, str(i))) for i in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    events = sorted((log.get(timeout=5) for _ in range(12)), key=lambda e: e[1])
    assert [kind for kind, _ in events] == ["in", "out"] * 6  # never two inside at once
    assert store().get_lock("held-conversation") is None      # the last one deleted the lock
