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

from bot import flows
from bot.dialogue import FlowState

ANSWER_SLOTS = ("flow",)        # the one slot holding every flow's answers (bot/dialogue.py)
FORGET = "helpline_forget"      # the event metadata the tracker store acts on


def forgets(state: FlowState | None) -> bool:
    """Whether `state` is a question of a flow whose answers are forgotten (a calculator, the
    letter; not routing's)."""
    flow = flows.registry().get(state.name) if state is not None else None
    return flow is not None and flow.forgets


def ends_flow(before: FlowState | None, after: FlowState | None) -> bool:
    """Whether a forgetting flow that waited before this turn no longer waits after it."""
    return before is not None and forgets(before) and (after is None or after.name != before.name)


def flow_began(history: Sequence[Mapping[str, Any]]) -> float | None:
    """When the questions still open in `history` (Rasa's events) began: the time of the user
    message whose turn asked the first of them; None when no question is open."""
    current: FlowState | None = None
    began: float | None = None
    turn: float | None = None
    for event in history:
        kind = event.get("event")
        if kind == "user":
            turn = event.get("timestamp")
        elif kind in ("session_started", "restart", "reset_slots"):
            current = None
        elif kind == "slot" and event.get("name") == "flow":
            state = FlowState.from_slot(event.get("value"))
            if forgets(state) and (current is None or not forgets(current) or ends_flow(current, state)):
                began = turn if turn is not None else event.get("timestamp")
            current = state
    return began if forgets(current) else None


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
    marked.insert(listen, {**SlotSet("flow", None), "metadata": request})
    return marked


def held(slots: Mapping[str, Any]) -> bool:
    """Whether the slots hold the answers of a flow that forgets them."""
    return forgets(FlowState.from_slot(slots.get("flow")))
