"""Keyword-only builders for test values."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.dialogue import Turn
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
    awaiting: str | None = None,
    city: str | None = None,
    referrer: str | None = None,
    place: str | None = None,
    calc_amount: str | None = None,
    calc_due: str | None = None,
    deadline_kind: str | None = None,
    letter: dict[str, str] | None = None,
    severance: dict[str, str] | None = None,
    noticed: bool = False,
) -> Turn:
    return Turn(
        text=text, intent=intent, ranking=ranking, entities=entities or {},
        detected=Detected(*detected), language=language, explicit=explicit, hint=hint,
        country=country, is_button=text.startswith("/"), awaiting=awaiting, city=city, referrer=referrer,
        place=place, calc_amount=calc_amount, calc_due=calc_due,
        deadline_kind=deadline_kind, letter=letter, severance=severance, noticed=noticed,
    )


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
