"""The outbox: retries with back-off, order per chat, permanent failures, no content in logs."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.gateway.delivery import Outbox, pseudonym

FAST = {"first_delays": (0.01,), "later_delays": (0.01, 0.02)}


class Flaky:
    """A send target that fails `failures` times per message before accepting it."""

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or NetworkError("Bad Gateway")
        self.tries: dict[str, int] = {}
        self.delivered: list[str] = []

    def sender(self, text: str):  # type: ignore[no-untyped-def]
        async def send() -> None:
            self.tries[text] = self.tries.get(text, 0) + 1
            if self.tries[text] <= self.failures:
                raise self.error
            self.delivered.append(text)
        return send


async def settle(outbox: Outbox) -> None:
    while outbox.workers:
        await asyncio.sleep(0.01)


async def test_a_message_that_fails_for_a_while_is_delivered_and_order_is_kept(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "bot.gateway.delivery")
    outbox, target = Outbox(**FAST), Flaky(failures=4)   # type: ignore[arg-type]
    assert await outbox.send("tg:42", target.sender("first secret text")) is False
    assert await outbox.send("tg:42", target.sender("second")) is False   # queued behind the first
    await settle(outbox)
    assert target.delivered == ["first secret text", "second"]
    assert target.tries["first secret text"] == 5
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret" not in logged and "42" not in logged.replace(pseudonym("tg:42", outbox.key), "")
    assert "NetworkError" in logged and "delivered at attempt 5" in logged


async def test_other_chats_are_not_held_up() -> None:
    outbox = Outbox(**FAST)   # type: ignore[arg-type]
    slow, fast = Flaky(failures=3), Flaky(failures=0)
    await outbox.send("tg:1", slow.sender("a"))
    assert await outbox.send("tg:2", fast.sender("b")) is True
    await settle(outbox)
    assert slow.delivered == ["a"] and fast.delivered == ["b"]


@pytest.mark.parametrize("error", [Forbidden("bot was blocked by the user"), BadRequest("Chat not found")])
async def test_a_message_that_can_never_arrive_is_logged_and_dropped(
        error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    outbox, target = Outbox(**FAST), Flaky(failures=99, error=error)   # type: ignore[arg-type]
    assert await outbox.send("tg:7", target.sender("hello")) is False
    assert not outbox.queues and target.tries["hello"] == 1
    assert type(error).__name__ in caplog.text and "undeliverable" in caplog.text


async def test_giving_up_is_an_error_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    outbox = Outbox(first_delays=(), later_delays=(0.001,), give_up_after=4)
    target = Flaky(failures=99, error=TimedOut())
    await outbox.send("tg:8", target.sender("x"))
    await settle(outbox)
    assert target.tries["x"] == 4 and target.delivered == []
    assert any(r.levelno == logging.ERROR and "after 4 attempts" in r.getMessage() for r in caplog.records)


async def test_shutdown_reports_what_is_left(caplog: pytest.LogCaptureFixture) -> None:
    outbox = Outbox(first_delays=(), later_delays=(10.0,))
    await outbox.send("tg:9", Flaky(failures=99).sender("x"))
    await outbox.close(timeout=0.05)
    assert "1 undelivered" in caplog.text
