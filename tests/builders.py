"""Keyword-only builders for test values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker

from bot.dialogue import FlowState, Outcome, Turn
from bot.language import Detected


def make_turn(
    *,
    text: str = "",
    intent: str | None = None,
    ranking: tuple[str, ...] = (),
    entities: dict[str, str] | None = None,
    detected: tuple[str | None, str | None, float] = (None, None, 0.0),
    language: str | None = None,
    explicit: bool = False,
    hint: str | None = None,
    country: str | None = None,
    flow: tuple[str, str] | tuple[str, str, Mapping[str, str]] | None = None,
    city: str | None = None,
    referrer: str | None = None,
    place: str | None = None,
    noticed: bool = False,
) -> Turn:
    """`flow` is (name, step) or (name, step, answers): the flow waiting for an answer."""
    state = None if flow is None else FlowState(flow[0], flow[1], dict(flow[2]) if len(flow) == 3 else {})
    return Turn(
        text=text, intent=intent, ranking=ranking, entities=entities or {},
        detected=Detected(*detected), language=language, explicit=explicit, hint=hint,
        country=country, is_button=text.startswith("/"), flow=state, city=city, referrer=referrer,
        place=place, noticed=noticed,
    )


def waits(outcome: Outcome) -> str | None:
    """The question a flow asked in this outcome (its step), or None when no flow waits."""
    state = FlowState.from_slot(outcome.slots.get("flow"))
    return state.step if state is not None else None


def kept(outcome: Outcome) -> dict[str, str]:
    """The answers the outcome's flow keeps ({} when no flow waits)."""
    state = FlowState.from_slot(outcome.slots.get("flow"))
    return dict(state.answers) if state is not None else {}


def flow_slot(name: str, step: str, **answers: Any) -> dict[str, Any]:
    """The `flow` slot value as Rasa holds it (for trackers)."""
    return FlowState(name, step, {k: str(v) for k, v in answers.items()}).slot()


def make_tracker(
    *,
    text: str = "",
    intent: str | None = None,
    confidence: float = 0.9,
    ranking: tuple[str, ...] = (),
    entities: dict[str, str] | None = None,
    detected: tuple[str | None, str | None, float] = (None, None, 0.0),
    slots: dict[str, object] | None = None,
    metadata: dict[str, object] | None = None,
    sender_id: str = "test-user",
) -> Tracker:
    """A rasa-sdk Tracker as the action server receives it from Rasa 3.6."""
    code, script, lang_confidence = detected
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": 0.1} for n in ranking],
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        "language": {"code": code, "script": script, "confidence": lang_confidence},
        "metadata": metadata or {},
    }
    return Tracker(sender_id, dict(slots or {}), latest, [], False, None, {}, "action_listen")
