"""Routing inside the action server: the contacts directory is read once per process from
content/ (like the answers), and "now" is read per turn."""

from __future__ import annotations

from functools import cache

from bot import dialogue
from bot.content.problems import ContentError
from bot.db.base import utcnow
from bot.dialogue import Outcome, Turn
from bot.replies import Responder
from bot.routing import flow
from bot.routing.contacts import Directory, load_directory
from bot.settings import Settings


@cache
def _settings() -> Settings:
    return Settings()


@cache
def current_directory() -> Directory:
    directory, problems = load_directory(_settings().content_dir)
    if directory is None or any(not p.warning for p in problems):
        raise ContentError(problems)
    return directory


def current_routing() -> flow.Routing:
    return flow.Routing(current_directory(), utcnow(), include_unverified=_settings().development)


def start(responder: Responder, turn: Turn) -> Outcome:
    return flow.start(responder, current_routing(), turn)


def step(responder: Responder, turn: Turn) -> Outcome:
    return flow.step(responder, current_routing(), turn)


def answer_topic(responder: Responder, turn: Turn) -> Outcome:
    """A place typed while routing asks for one continues routing; otherwise the topic."""
    if turn.awaiting == "place":
        continued = flow.typed_place(responder, current_routing(), turn)
        if continued is not None:
            return continued
    return dialogue.answer_topic(responder, turn)


def did_you_mean(responder: Responder, turn: Turn) -> Outcome:
    if turn.awaiting == "place" and not turn.is_button:
        routing = current_routing()
        continued = flow.typed_place(responder, routing, turn)
        if continued is not None:
            return continued
        return flow.ask_place(responder, routing, dialogue.reply_language(responder, turn), turn.country,
                              unknown=True)
    return dialogue.did_you_mean(responder, turn)
