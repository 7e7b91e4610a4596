"""A turn that fails inside Rasa is logged without what the user wrote or who wrote it, and
answers nothing (the gateway then apologises): helpline_nlu/quiet_turns.py."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput

from helpline_nlu.quiet_turns import install

SECRET = "мой паспорт AB1234567 забрал бригадир"
SENDER = "web:5f3a9c0e7d"


class Broken(Exception):
    pass


async def failing(message: UserMessage) -> None:
    raise Broken(f"while handling {message.text!r} for {message.sender_id}")


async def hanging(message: UserMessage) -> None:
    await asyncio.sleep(60)


def agent_with(handle: Any) -> Agent:
    agent = Agent()
    agent.processor = SimpleNamespace(handle_message=handle)
    return agent


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)


def test_a_failing_turn_answers_nothing_and_logs_only_the_error_type_and_where(
        caplog: pytest.LogCaptureFixture) -> None:
    install()
    agent = agent_with(failing)
    with caplog.at_level(logging.INFO):
        assert asyncio.run(agent.handle_message(UserMessage(SECRET, sender_id=SENDER))) is None
    text = logged(caplog)
    assert "turn failed: Broken at test_quiet_turns.py:" in text and "in failing" in text
    assert "AB1234567" not in text and "паспорт" not in text and SENDER not in text


def test_a_turn_the_gateway_stopped_waiting_for_is_cancelled_quietly(caplog: pytest.LogCaptureFixture) -> None:
    install()
    agent = agent_with(hanging)

    async def give_up() -> Any:
        turn = asyncio.create_task(agent.handle_message(UserMessage(SECRET, sender_id=SENDER)))
        await asyncio.sleep(0.05)
        turn.cancel()
        return await turn

    with caplog.at_level(logging.INFO):
        assert asyncio.run(give_up()) is None
    assert "turn cancelled" in logged(caplog) and "AB1234567" not in logged(caplog)


def test_rasas_rest_channel_then_logs_no_text(caplog: pytest.LogCaptureFixture,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """What the REST webhook does with our agent's answer: no failure of its own to log."""
    install()
    agent = agent_with(failing)
    collector = CollectingOutputChannel()

    async def as_the_channel_calls_it() -> None:
        await agent.handle_message(UserMessage(SECRET, collector, SENDER, input_channel=RestInput.name()))

    with caplog.at_level(logging.INFO):
        asyncio.run(as_the_channel_calls_it())
    out = capsys.readouterr()
    assert collector.messages == []
    assert "AB1234567" not in logged(caplog) + out.out + out.err
