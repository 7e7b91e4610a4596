"""Which flow a turn belongs to (bot/flows/): its topic starts it, its buttons go to it, and
typed text while it waits for an answer (a city, an amount, a date) continues it instead of
being taken as a question."""

from __future__ import annotations

from bot import dialogue, flows
from bot.dialogue import Outcome, Turn


def continued(context: flows.Context, turn: Turn, *, strict: bool) -> Outcome | None:
    """The waiting flow's next step when this turn answers what it asked, else None."""
    flow = flows.registry().get(turn.flow.name) if turn.flow is not None else None
    return flow.answer(context, turn, strict=strict) if flow is not None else None


def answer_topic(context: flows.Context, turn: Turn) -> Outcome:
    """A confident topic: a flow's topic starts it; otherwise, unless the text answers the
    waiting flow's question, the topic's answer."""
    flow = flows.by_topic(turn.intent)
    if flow is not None:
        return flow.start(context, turn)
    return continued(context, turn, strict=True) or dialogue.answer_topic(context.responder, turn)


def flow_turn(context: flows.Context, turn: Turn) -> Outcome:
    """A flow's button (/calc{"paid": "none"}) or the question that starts a flow."""
    flow = flows.registry().get(turn.intent or "")
    if flow is None:
        return answer_topic(context, turn)
    return flow.answer(context, turn, strict=False) or flow.start(context, turn)


def did_you_mean(context: flows.Context, turn: Turn) -> Outcome:
    """Low confidence: a flow that waits asks its question again rather than guessing topics."""
    return continued(context, turn, strict=False) or dialogue.did_you_mean(context.responder, turn)
