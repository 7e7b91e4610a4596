"""Per-chat order: chats run side by side, one chat's updates one after another; an update
that comes again is dropped."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.gateway.telegram_order import PerChatOrder, RecentUpdates


def update(update_id: int, chat_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": "x"}}, None)


async def test_one_chat_in_order_and_other_chats_alongside() -> None:
    processor = PerChatOrder(max_concurrent_updates=8)
    events: list[str] = []

    async def handle(name: str, delay: float) -> None:
        events.append(f"start {name}")
        await asyncio.sleep(delay)
        events.append(f"end {name}")

    async with processor:
        await asyncio.gather(
            processor.process_update(update(1, 10), handle("a1", 0.05)),
            processor.process_update(update(2, 10), handle("a2", 0.0)),
            processor.process_update(update(3, 20), handle("b1", 0.0)),
        )
    assert events.index("end a1") < events.index("start a2")   # a2 waited for a1
    assert events.index("end b1") < events.index("end a1")     # b1 did not wait for chat 10
    assert processor._locks == {}                              # idle chats are forgotten


async def test_an_update_that_comes_again_is_handled_once() -> None:
    processor = PerChatOrder(max_concurrent_updates=8)
    handled: list[int] = []

    async def handle(update_id: int) -> None:
        handled.append(update_id)

    async with processor:     # polling and the webhook both hand updates to this processor
        await asyncio.gather(processor.process_update(update(7, 10), handle(7)),
                             processor.process_update(update(7, 10), handle(7)))   # overlapping
        await processor.process_update(update(8, 10), handle(8))
        await processor.process_update(update(7, 10), handle(7))                   # a late retry
    assert handled == [7, 8]     # the dropped coroutines were closed: no "never awaited" warning


def test_the_memory_of_update_ids_is_bounded() -> None:
    recent = RecentUpdates(size=3)
    assert [recent.first_time(i) for i in (1, 2, 3, 1)] == [True, True, True, False]
    assert recent.first_time(4) and len(recent._seen) == 3
    assert recent.first_time(1)     # the oldest was forgotten
