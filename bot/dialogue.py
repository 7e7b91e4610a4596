"""The conversation logic as plain functions: a Turn in, an Outcome (replies, slots) out.

Rasa actions and tests call these; nothing here imports Rasa or a channel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import language as lang
from bot import messages as m
from bot.notes import Note
from bot.replies import Reply, Responder

MAX_READ_CHARS = 2000


@dataclass(frozen=True)
class FlowState:
    """What a multi-turn flow (bot/flows/) waits for, kept in Rasa's one `flow` slot as
    {"flow": name, "state": {"step": step, "answers": {...}}}: the flow's name, the question it
    asked, and the answers so far (strings; cleared when the flow ends)."""

    name: str
    step: str
    answers: Mapping[str, str] = field(default_factory=dict)

    def slot(self) -> dict[str, Any]:
        return {"flow": self.name, "state": {"step": self.step, "answers": dict(self.answers)}}

    @classmethod
    def from_slot(cls, value: object) -> FlowState | None:
        """The state in a slot value; None for an empty or malformed value."""
        if not isinstance(value, dict) or not isinstance(value.get("flow"), str):
            return None
        state = value.get("state")
        if not isinstance(state, dict) or not isinstance(state.get("step"), str):
            return None
        answers = state.get("answers")
        kept = {str(k): str(v) for k, v in answers.items() if v is not None} if isinstance(answers, dict) else {}
        return cls(value["flow"], state["step"], kept)


def waiting(name: str, step: str, answers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The `flow` slot of a flow that asked a question (for an Outcome's slots)."""
    return FlowState(name, step, dict(answers or {})).slot()


@dataclass(frozen=True)
class Turn:
    """What the latest user message and the conversation state say, as plain values."""

    text: str = ""
    intent: str | None = None
    ranking: tuple[str, ...] = ()
    entities: dict[str, str] = field(default_factory=dict)
    detected: lang.Detected = lang.Detected(None, None, 0.0)
    language: str | None = None
    explicit: bool = False
    hint: str | None = None
    country: str | None = None
    is_button: bool = False
    flow: FlowState | None = None    # the flow waiting for an answer, if any (one Rasa slot)
    city: str | None = None
    referrer: str | None = None
    place: str | None = None         # a shared location, rounded by the channel ("55.8,37.6")
    noticed: bool = False            # the privacy notice was shown in this session

    def state(self, name: str) -> FlowState | None:
        """The waiting state of flow `name`, or None when another flow (or none) waits."""
        return self.flow if self.flow is not None and self.flow.name == name else None

    def step(self, name: str) -> str | None:
        """The question flow `name` asked, or None."""
        state = self.state(name)
        return state.step if state is not None else None


@dataclass(frozen=True)
class Outcome:
    replies: list[Reply]
    slots: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)   # for organisers: referrals, employer reports


def reply_language(responder: Responder, turn: Turn) -> str:
    library = responder.library
    if turn.is_button and turn.language in library.languages:
        return turn.language
    return lang.decide(
        current=turn.language, explicit=turn.explicit, detected=turn.detected, text=turn.text,
        hint=turn.hint, default=library.default_language, available=set(library.languages),
    )


def _outcome(responder: Responder, turn: Turn, language: str, replies: list[Reply],
             **slots: Any) -> Outcome:
    """Replies in `language`, noting when a very long message was read only in part."""
    if len(turn.text) > MAX_READ_CHARS:
        replies = [responder.too_long(language), *replies]
    return Outcome(replies, {"language": language, **slots})


def greet(responder: Responder, turn: Turn) -> Outcome:
    language = reply_language(responder, turn)
    choice = responder.main_menu(language) if turn.explicit else responder.language_menu(language)
    welcome = [_with_notice(responder, language, r) for r in responder.intro(language, "greet")]  # buttons follow
    return _outcome(responder, turn, language, welcome + choice, noticed=True)


def _with_notice(responder: Responder, language: str, reply: Reply) -> Reply:
    """The privacy notice in the same message (one message more is one more to scroll past).
    One newline: Rasa's REST channel splits a text without buttons at blank lines."""
    return Reply(f"{reply.text}\n{responder.privacy_notice(language).text}", reply.buttons, reply.document)


def show_menu(responder: Responder, turn: Turn) -> Outcome:
    language = reply_language(responder, turn)
    category = turn.entities.get("category")
    replies = responder.category_menu(language, category) if category else responder.main_menu(language)
    return _outcome(responder, turn, language, replies)


def choose_language(responder: Responder, turn: Turn) -> Outcome:
    chosen = turn.entities.get("language")
    if chosen is not None and chosen in responder.library.languages:
        said, *menu = responder.language_set(chosen)
        if not turn.noticed:                 # a deep link (/start uz) skips the greeting
            said = _with_notice(responder, chosen, said)
        return Outcome([said, *menu], {"language": chosen, "language_explicit": True, "noticed": True})
    language = reply_language(responder, turn)
    return _outcome(responder, turn, language, responder.language_menu(language))


def answer_topic(responder: Responder, turn: Turn) -> Outcome:
    topic_id = turn.intent or ""
    language = reply_language(responder, turn)
    replies = responder.topic_answer(language, topic_id, turn.country)
    topic = responder.library.topic(topic_id)
    noted: dict[str, Any] = {"urgent": True} if topic is not None and topic.urgent else {}
    if topic is not None and topic.kind == "answer":
        noted["topic"] = topic_id       # the rights question, which a caseworker will want to see
    return _outcome(responder, turn, language, replies, **noted)


def more(responder: Responder, turn: Turn) -> Outcome:
    language = reply_language(responder, turn)
    return _outcome(responder, turn, language,
                    responder.more(language, turn.entities.get("topic", ""), turn.country))


def choose_country(responder: Responder, turn: Turn) -> Outcome:
    """"I work in Russia / Kazakhstan": kept for this conversation; the answer again, scoped."""
    language = reply_language(responder, turn)
    country = turn.entities.get("country")
    if country not in ("RU", "KZ"):
        return _outcome(responder, turn, language, responder.main_menu(language))
    replies = responder.country_set(language, country, turn.entities.get("topic"))
    return _outcome(responder, turn, language, replies, country=country)


def did_you_mean(responder: Responder, turn: Turn) -> Outcome:
    language = reply_language(responder, turn)
    if not any(ch.isalnum() for ch in turn.text[:MAX_READ_CHARS]):
        return _outcome(responder, turn, language, responder.not_understood(language))
    return _outcome(responder, turn, language, responder.did_you_mean(language, list(turn.ranking)))


MEDIA_MESSAGES = {"voice": m.VOICE_NOT_SUPPORTED, "location": m.LOCATION_KEPT, "contact": m.CONTACT_NOT_KEPT}
PLACE = re.compile(r"^-?\d{1,2}\.\d,-?\d{1,3}\.\d$")


def media(responder: Responder, turn: Turn) -> Outcome:
    """Something other than text arrived (the channel says only what kind, never the content).

    A location arrives already coarsened by the channel to about 10 km ("55.8,37.6") and is
    kept as a routing hint; a shared phone number never reaches the bot at all."""
    language = reply_language(responder, turn)
    kind = turn.entities.get("kind", "other")
    text = responder.catalogues.gettext(language, MEDIA_MESSAGES.get(kind, m.ONLY_TEXT))
    replies = [Reply(text, responder.main_menu(language)[0].buttons)]
    place = turn.entities.get("place", "")
    slots = {"place": place} if kind == "location" and PLACE.match(place) else {}
    return _outcome(responder, turn, language, replies, **slots)
