"""How many messages one conversation may send to the bot per minute. Over the limit, the
message does not reach Rasa and the user gets a polite request to slow down. Messages to a
caseworker in an open case have their own, looser limit, and new cases one per client address
(both in bot/gateway/floods.py, with these same classes and a longer `window` for addresses).

`MessageLimit` counts in this process (one gateway); `SharedMessageLimit` counts in Redis so
that several gateways behind a load balancer share one count per conversation."""

from __future__ import annotations

import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WINDOW = 60.0


class Limit(Protocol):
    async def allow(self, key: str) -> bool: ...


@dataclass
class MessageLimit:
    per_minute: int                  # allowed per `window` (a minute unless said otherwise)
    max_conversations: int = 100_000
    recent: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)
    window: float = WINDOW

    async def allow(self, key: str) -> bool:
        return self.allow_at(key, time.monotonic())

    def allow_at(self, key: str, now: float) -> bool:
        stamps = self.recent.get(key)
        if stamps is None:
            stamps = self.recent[key] = deque()
        self.recent.move_to_end(key)
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        while len(self.recent) > self.max_conversations:
            self.recent.popitem(last=False)
        if len(stamps) >= self.per_minute:
            return False
        stamps.append(now)
        return True


# A sliding window in one step: drop old stamps, count, add this one if under the limit.
SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return 1
"""


@dataclass
class SharedMessageLimit:
    """The same limit kept in Redis. Keys are the conversation pseudonyms (keyed hashes) and
    expire after the window. If Redis cannot answer, the message is let through (a limit must
    not silence someone asking for help) and the failure is logged without the key."""

    redis: Redis
    per_minute: int                  # allowed per `window` (a minute unless said otherwise)
    prefix: str = "helpline:rate:"
    window: float = WINDOW

    async def allow(self, key: str) -> bool:
        now = time.time()
        try:
            allowed = await cast(Awaitable[Any], self.redis.eval(
                SLIDING_WINDOW, 1, self.prefix + key, now, self.window, self.per_minute,
                f"{now}:{secrets.token_hex(4)}"))
        except RedisError as error:
            log.warning("shared message limit unavailable (%s); message let through", type(error).__name__)
            return True
        return bool(allowed)
