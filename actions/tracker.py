"""Reading a rasa-sdk Tracker into a plain Turn, and writing an Outcome back."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue import FlowState, Outcome, Turn
from bot.language import Detected


def turn_from(tracker: Tracker) -> Turn:
    message: dict[str, Any] = tracker.latest_message or {}
    text = str(message.get("text") or "")
    intent = (message.get("intent") or {}).get("name")
    ranking = tuple(str(r.get("name")) for r in message.get("intent_ranking") or []
                    if r.get("name") and r.get("name") != "nlu_fallback")
    entities = {str(e.get("entity")): str(e.get("value")) for e in message.get("entities") or []}
    metadata = message.get("metadata") or {}
    return Turn(
        text=text,
        intent=intent,
        ranking=ranking,
        entities=entities,
        detected=Detected.from_parse(message),
        language=tracker.get_slot("language"),
        explicit=bool(tracker.get_slot("language_explicit")),
        hint=metadata.get("language_code") if isinstance(metadata, dict) else None,
        country=tracker.get_slot("country"),
        is_button=text.startswith("/"),
        flow=FlowState.from_slot(tracker.get_slot("flow")),
        city=tracker.get_slot("city"),
        referrer=tracker.get_slot("referrer"),
        place=tracker.get_slot("place"),
        noticed=bool(tracker.get_slot("noticed")),
    )


def emit(outcome: Outcome, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    for reply in outcome.replies:
        buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        if reply.document is not None:
            dispatcher.utter_message(text=reply.text or None, buttons=buttons or None,
                                     json_message={"document": reply.document.to_json()})
        else:
            dispatcher.utter_message(text=reply.text, buttons=buttons or None)
    return [SlotSet(name, value) for name, value in outcome.slots.items()]


CARRIED = ("language", "language_explicit", "country", "referrer")   # kept across sessions


def carried_slots(tracker: Tracker) -> list[dict[str, Any]]:
    return [SlotSet(name, tracker.get_slot(name)) for name in CARRIED if tracker.get_slot(name) is not None]
