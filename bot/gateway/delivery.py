"""Delivery that never drops a message silently.

python-telegram-bot's AIORateLimiter already waits out 429 answers. What is left are network
errors and Bot API outages: a message that fails is retried with back-off, in order behind
any earlier message to the same chat that is still waiting. A failure is logged by kind and by
a per-process pseudonym of the chat, never with the message text or the chat id. A message
that can never arrive (the user blocked the bot, the chat is gone) is logged and dropped.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)

Send = Callable[[], Awaitable[object]]
PERMANENT = (Forbidden, BadRequest, InvalidToken)
TRANSIENT = (NetworkError, TimedOut, RetryAfter)   # BadRequest is a NetworkError: checked first


def pseudonym(chat: str, key: bytes) -> str:
    """A short name for a chat that lets log lines be matched up and reveals nothing."""
    return hashlib.blake2s(chat.encode(), key=key, digest_size=4).hexdigest()


@dataclass
class Outbox:
    """Per-chat ordered delivery with retries.

    `first_delays` are waited between the attempts made while the user's update is being
    handled; after them the message is queued and a background task keeps trying on
    `later_delays` (the last delay repeats) until `give_up_after` attempts in all."""

    first_delays: tuple[float, ...] = (0.5, 1.0)
    later_delays: tuple[float, ...] = (2.0, 5.0, 15.0, 30.0, 60.0)
    give_up_after: int = 60
    max_queued: int = 10_000
    key: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    queues: dict[str, deque[Send]] = field(default_factory=dict)
    workers: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    def queued(self) -> int:
        return sum(len(q) for q in self.queues.values())

    async def send(self, chat: str, send: Send) -> bool:
        """Deliver now if possible (True); otherwise queue for retries (False)."""
        if chat in self.queues:          # keep order behind messages still waiting
            self._enqueue(chat, send)
            return False
        for attempt, delay in enumerate((*self.first_delays, None), start=1):
            outcome = await self._attempt(chat, send, attempt)
            if isinstance(outcome, bool):
                return outcome
            if delay is not None:
                await asyncio.sleep(max(delay, outcome))
        self._enqueue(chat, send)
        return False

    async def _attempt(self, chat: str, send: Send, attempt: int) -> bool | float:
        """True delivered, False never deliverable, a float: retry, waiting at least that long."""
        try:
            await send()
            return True
        except PERMANENT as error:
            log.warning("message to chat %s undeliverable (%s); dropped", pseudonym(chat, self.key),
                        type(error).__name__)
            return False
        except TRANSIENT as error:
            log.warning("message to chat %s not delivered (%s), attempt %d; will retry",
                        pseudonym(chat, self.key), type(error).__name__, attempt)
            wait = error.retry_after if isinstance(error, RetryAfter) else 0
            return float(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)

    def _enqueue(self, chat: str, send: Send) -> None:
        if self.queued() >= self.max_queued:
            log.error("outbox full (%d messages); message to chat %s dropped", self.max_queued,
                      pseudonym(chat, self.key))
            return
        self.queues.setdefault(chat, deque()).append(send)
        if chat not in self.workers:
            self.workers[chat] = asyncio.create_task(self._drain(chat))

    async def _drain(self, chat: str) -> None:
        queue = self.queues[chat]
        failures, hint = len(self.first_delays) + 1, 0.0   # the head has failed that often already
        try:
            while queue:
                if failures:
                    step = min(max(failures - len(self.first_delays) - 1, 0), len(self.later_delays) - 1)
                    await asyncio.sleep(max(self.later_delays[step], hint))
                outcome = await self._attempt(chat, queue[0], failures + 1)
                if not isinstance(outcome, bool) and failures + 1 < self.give_up_after:
                    failures, hint = failures + 1, outcome
                    continue
                if not isinstance(outcome, bool):
                    log.error("message to chat %s not delivered after %d attempts; dropped",
                              pseudonym(chat, self.key), failures + 1)
                elif outcome and failures:
                    log.info("message to chat %s delivered at attempt %d", pseudonym(chat, self.key), failures + 1)
                queue.popleft()
                failures, hint = 0, 0.0       # the next one is tried at once
        finally:
            self.queues.pop(chat, None)
            self.workers.pop(chat, None)

    async def close(self, timeout: float = 5.0) -> None:
        """On shutdown: give waiting messages a last chance, then say how many were left."""
        if not self.workers:
            return
        await asyncio.wait(list(self.workers.values()), timeout=timeout)
        left = self.queued()
        for task in list(self.workers.values()):
            task.cancel()
        if left:
            log.error("shutting down with %d undelivered messages", left)
