"""Updates from different chats are handled at the same time; updates from one chat one after
another, in the order Telegram sent them (python-telegram-bot's own concurrent mode does not
keep that order). An update that comes again (a webhook retry, polling overlap) is dropped."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


class RecentUpdates:
    """The last `size` update ids this process saw. Kept in memory, per process: a repeat that
    reaches another gateway, or this one after a restart, is not recognised."""

    def __init__(self, size: int = 10_000) -> None:
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def first_time(self, update_id: int) -> bool:
        """True the first time an id is offered; it is remembered from then on."""
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)      # the oldest: memory stays bounded
        return True


class PerChatOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64, recent: RecentUpdates | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._recent = recent or RecentUpdates()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if isinstance(update, Update) and not self._recent.first_time(update.update_id):
            log.info("Telegram update %d came again; dropped", update.update_id)
            if inspect.iscoroutine(coroutine):
                coroutine.close()               # never awaited, on purpose
            return
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else 0
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:           # forget idle chats: memory stays bounded
                del self._waiting[chat], self._locks[chat]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
