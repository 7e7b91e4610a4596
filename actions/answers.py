"""What the calculators and the letter were told leaves Rasa's tracker store when the flow ends.

Clearing a slot only adds a `slot` event with null: the amounts, dates and names typed, the
earlier values of the slots and the result shown would all stay in the stored events. So the
action that ends such a flow (with its result, or because the user went elsewhere) marks one of
its events; Rasa's tracker store (nlu/helpline_nlu/tracker_store.py) then rewrites the
conversation's messages from the flow's first question on without their text, and every
value of the answer slots as null."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rasa_sdk.events import SlotSet

from bot.calc import deadline_flow
from bot.calc import flow as calc
from bot.calc import severance_flow as severance
from bot.letters import flow as letters

ANSWER_SLOTS = ("calc_amount", "calc_due", "severance", "letter", "deadline_kind")
FORGET = "helpline_forget"      # the event metadata the tracker store acts on


def asks_for_answer(awaiting: object) -> bool:
    """Whether `awaiting` is a question of a calculator or of the letter (not routing's)."""
    return isinstance(awaiting, str) and (
        awaiting in calc.STEPS or awaiting == deadline_flow.AWAITING
        or awaiting.startswith((severance.PREFIX, letters.PREFIX)))


def ends_flow(awaiting_before: object, awaiting_after: object) -> bool:
    return asks_for_answer(awaiting_before) and not asks_for_answer(awaiting_after)


def flow_began(history: Sequence[Mapping[str, Any]]) -> float | None:
    """When the questions still open in `history` (Rasa's events) began: the time of the user
    message whose turn asked the first of them; None when no question is open."""
    awaiting: object = None
    began: float | None = None
    turn: float | None = None
    for event in history:
        kind = event.get("event")
        if kind == "user":
            turn = event.get("timestamp")
        elif kind in ("session_started", "restart", "reset_slots"):
            awaiting = None
        elif kind == "slot" and event.get("name") == "awaiting":
            value = event.get("value")
            if asks_for_answer(value) and not asks_for_answer(awaiting):
                began = turn if turn is not None else event.get("timestamp")
            awaiting = value
    return began if asks_for_answer(awaiting) else None


def forgetting(events: list[dict[str, Any]], history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`events` (an action's answer) with the request to forget the flow's answers on their
    first slot event (one is added if there is none)."""
    request = {FORGET: {"since": flow_began(history), "slots": list(ANSWER_SLOTS)}}
    marked = list(events)
    for index, event in enumerate(marked):
        if event.get("event") == "slot":
            marked[index] = {**event, "metadata": {**(event.get("metadata") or {}), **request}}
            return marked
    listen = next((i for i, e in enumerate(marked) if e.get("event") == "action"), len(marked))
    marked.insert(listen, {**SlotSet("awaiting", None), "metadata": request})
    return marked


def held(slots: Mapping[str, Any]) -> list[str]:
    """The answer slots that still hold a value."""
    return [name for name in ANSWER_SLOTS if slots.get(name) is not None]
