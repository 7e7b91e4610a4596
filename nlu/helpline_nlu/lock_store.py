"""A Redis lock store whose every change is atomic across Rasa processes.

Rasa 3.6's RedisLockStore reads the conversation's ticket lock, changes it in Python and
writes it back. Two replicas issuing or returning tickets for the same conversation at the
same moment overwrite each other's change, both then hold the lock, and the SQL tracker store
drops the events of one of them (rasa#9213; the concurrent store of rasa#11256 was reverted).
Here each read-change-write runs in a Redis transaction (WATCH / MULTI) and is retried when
another process changed the lock in between.

endpoints.yml:  lock_store: {type: helpline_nlu.lock_store.AtomicRedisLockStore, url: …, port: …, db: …}
"""

import json
from typing import Any, Callable, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Any]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _atomically(self, conversation_id: Text, change: Change) -> Any:
        """Apply `change` (old lock -> new lock or None to delete, result) as one transaction."""
        key = self.key_prefix + conversation_id
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
                    continue          # another replica changed the lock first: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)
        return int(self._atomically(conversation_id, issue))

    def update_lock(self, conversation_id: Text) -> None:
        def expire(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None
        self._atomically(conversation_id, expire)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None
        self._atomically(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Return the ticket and delete the lock if nobody waits, in one step (Rasa does these
        in three, so a ticket issued in between could be deleted with the lock)."""
        def finish_and_maybe_delete(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], Any]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None
        self._atomically(conversation_id, finish_and_maybe_delete)
