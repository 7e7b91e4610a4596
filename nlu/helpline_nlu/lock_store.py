"""Lock stores whose wait for a conversation's lock is bounded, and a Redis one whose every
change is atomic across Rasa processes.

Rasa 3.6 takes a conversation's ticket lock before each turn and polls until it is that
turn's go. The wait has no bound: a turn behind one that hangs (an action server that does not
answer) waits as long as that turn, and a waiting ticket that expires meanwhile (after 60 s) is
never served: it waits until a later turn of the conversation deletes the lock.
By then the gateway has given the user its apology (HELPLINE_REQUEST_TIMEOUT), yet the turn
would still run later, answering no one. Here a lock that is not had within `lock_wait` seconds
(endpoints.yml; bot/processes.py sets the gateway's timeout) fails the turn: Rasa answers
nothing and the gateway apologises. helpline_nlu/quiet_turns.py makes that failure a warning
with no conversation id, where Rasa's REST channel would log the traceback with what the user
wrote.

Rasa's RedisLockStore reads the lock, changes it in Python and writes it back. Two replicas
issuing or returning tickets for the same conversation at the same moment overwrite each
other's change, both then hold the lock, and the SQL tracker store drops the events of one of
them (rasa#9213; the concurrent store of rasa#11256 was reverted). AtomicRedisLockStore runs
each read-change-write in a Redis transaction (WATCH / MULTI), retried while another process
changes the lock in between, for at most `lock_wait` seconds too.

endpoints.yml:  lock_store: {type: helpline_nlu.lock_store.AtomicRedisLockStore, url: …, port: …, db: …,
                             lock_wait: 10}
                lock_store: {type: helpline_nlu.lock_store.BoundedInMemoryLockStore, lock_wait: 10}
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

DEFAULT_LOCK_WAIT = 10.0
POLL_SECONDS = 0.1          # Rasa's Agent asks for 1 s

Change = Callable[[TicketLock | None], tuple[TicketLock | None, Any]]
log = logging.getLogger(__name__)


class LockTimeout(LockError):
    """A conversation's lock was not had within the store's `lock_wait` seconds."""


class BoundedWait(LockStore):
    """Rasa's wait for a lock, given up after `lock_wait` seconds with LockTimeout, and looking
    every POLL_SECONDS instead of every second, so that a burst of one conversation's messages
    is served in well under that time."""

    lock_wait: float = DEFAULT_LOCK_WAIT

    async def _acquire_lock(self, conversation_id: str, ticket: int,
                            wait_time_in_seconds: float) -> TicketLock:
        poll = min(wait_time_in_seconds, POLL_SECONDS)
        try:
            return await asyncio.wait_for(
                super()._acquire_lock(conversation_id, ticket, poll), self.lock_wait)
        except asyncio.TimeoutError:
            raise LockTimeout(f"no lock within {self.lock_wait:g} s") from None


def lock_wait(kwargs: dict[str, Any]) -> float:
    """The `lock_wait` of an endpoint's settings (taken out of them), positive."""
    wait = float(kwargs.pop("lock_wait", DEFAULT_LOCK_WAIT))
    if not wait > 0:
        raise ValueError(f"lock_wait must be a positive number of seconds, not {wait!r}")
    return wait


class BoundedInMemoryLockStore(BoundedWait, InMemoryLockStore):
    """Rasa's in-memory lock store (one Rasa process) with a bounded wait."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        super().__init__()
        self.lock_wait = lock_wait(dict(endpoint_config.kwargs) if endpoint_config else {})


class AtomicRedisLockStore(BoundedWait, RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = dict(endpoint_config.kwargs)
        self.lock_wait = lock_wait(kwargs)
        super().__init__(host=endpoint_config.url, **kwargs)

    def _atomically(self, conversation_id: str, change: Change) -> Any:
        """Apply `change` (old lock -> new lock or None to delete, result) as one transaction."""
        key = self.key_prefix + conversation_id
        deadline = time.monotonic() + self.lock_wait
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    changed, result = change(lock)
                    pipe.multi()
                    if changed is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, changed.dumps())
                    pipe.execute()
                    return result
                except WatchError:
                    # another replica changed the lock first: read it again, for a while
                    if time.monotonic() > deadline:
                        raise LockTimeout(f"the lock kept changing for {self.lock_wait:g} s") from None

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock | None, Any]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)
        return int(self._atomically(conversation_id, issue))

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: TicketLock | None) -> tuple[TicketLock | None, Any]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None
        self._atomically(conversation_id, expire)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, Any]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None
        self._atomically(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return the ticket and delete the lock if nobody waits, in one step (Rasa does these
        in three, so a ticket issued in between could be deleted with the lock)."""
        def finish_and_maybe_delete(lock: TicketLock | None) -> tuple[TicketLock | None, Any]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None
        self._atomically(conversation_id, finish_and_maybe_delete)
