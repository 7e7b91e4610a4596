"""Multi-turn flows inside the action server (finding a union, the compensation calculator).

Their data (the contacts directory, the key-rate table) is read once per process from
content/, like the answers; "now" is read per turn. Typed text while a flow waits for an
answer (a city, an amount, a date) continues the flow instead of being taken as a question."""

from __future__ import annotations

import datetime as dt
from functools import cache

from bot import dialogue
from bot.calc import deadline_flow
from bot.calc import flow as calc
from bot.calc import severance_flow as severance
from bot.calc.key_rates import KeyRates, load_key_rates
from bot.content.problems import ContentError
from bot.db.base import utcnow
from bot.dialogue import Outcome, Turn
from bot.letters import flow as letters
from bot.letters.templates import load_templates
from bot.replies import Responder
from bot.routing import flow as routing
from bot.routing.contacts import Directory, load_directory
from bot.routing.places import Places
from bot.settings import Settings

WORK_ZONE = dt.timezone(dt.timedelta(hours=3))   # "today" for users' dates: Moscow time


@cache
def _settings() -> Settings:
    return Settings()


@cache
def current_directory() -> Directory:
    directory, problems = load_directory(_settings().content_dir)
    if directory is None or any(not p.warning for p in problems):
        raise ContentError(problems)
    return directory


@cache
def current_rates() -> KeyRates:
    rates, problems = load_key_rates(_settings().content_dir)
    if rates is None:
        raise ContentError(problems)
    return rates


def current_places() -> Places | None:
    """The gazetteer, or None when content/ has no places (a fixture without contacts)."""
    try:
        return current_directory().places
    except ContentError:
        return None


def current_routing() -> routing.Routing:
    return routing.Routing(current_directory(), utcnow(), include_unverified=_settings().development)


def today() -> dt.date:
    return utcnow().astimezone(WORK_ZONE).date()


def route_start(responder: Responder, turn: Turn) -> Outcome:
    return routing.start(responder, current_routing(), turn)


def route_step(responder: Responder, turn: Turn) -> Outcome:
    return routing.step(responder, current_routing(), turn)


def calc_start(responder: Responder, turn: Turn) -> Outcome:
    return calc.start(responder, turn)


@cache
def current_templates() -> letters.Templates:
    return {(str(kind), str(country)): template
            for (kind, country), template in load_templates(_settings().content_dir).items()}


def letter_start(responder: Responder, turn: Turn) -> Outcome:
    return letters.start(responder, current_templates(), turn)


def letter_step(responder: Responder, turn: Turn) -> Outcome:
    """/letter{"kind": …} starts the questions; /letter{"skip": "yes"} skips one;
    /letter{"share": "yes" or "no"} answers whether the employer may be counted."""
    if turn.entities.get(letters.SHARE):
        return letters.shared(responder, turn, current_places())
    if turn.entities.get("skip") == "yes":
        found = letters.answered(responder, current_templates(), turn, today(), strict=False)
        if found is not None:
            return found
    return letters.start(responder, current_templates(), turn)


def severance_step(responder: Responder, turn: Turn) -> Outcome:
    """/severance starts the redundancy calculator; /severance{"notice": "none"} answers a question."""
    if turn.entities.get("notice"):
        found = severance.step(responder, turn, today(), strict=False)
        if found is not None:
            return found
    return severance.start(responder, turn)


def deadline_start(responder: Responder, turn: Turn) -> Outcome:
    return deadline_flow.start(responder, turn)


def calc_step(responder: Responder, turn: Turn) -> Outcome:
    """/calc{"paid": "none"}, {"paid": "parts"} or {"paid": "done"}: the calculator's buttons."""
    return calc.pressed(responder, current_rates(), turn, today())


def continued(responder: Responder, turn: Turn, *, strict: bool) -> Outcome | None:
    """The flow's next step when typed text answers what it asked, else None."""
    if turn.awaiting == "place":
        return routing.typed_place(responder, current_routing(), turn)
    if turn.awaiting in calc.STEPS:
        return calc.typed(responder, current_rates(), turn, today(), strict=strict)
    if turn.awaiting == deadline_flow.AWAITING:
        return deadline_flow.typed(responder, turn, today(), strict=strict)
    if (turn.awaiting or "").startswith(severance.PREFIX):
        return severance.step(responder, turn, today(), strict=strict)
    if (turn.awaiting or "").startswith(letters.PREFIX):
        return letters.answered(responder, current_templates(), turn, today(), strict=strict)
    return None


def answer_topic(responder: Responder, turn: Turn) -> Outcome:
    """A confident topic: unless the text answers the flow's question, answer the topic."""
    return continued(responder, turn, strict=True) or dialogue.answer_topic(responder, turn)


def did_you_mean(responder: Responder, turn: Turn) -> Outcome:
    """Low confidence: a flow that waits asks its question again rather than guessing topics."""
    found = continued(responder, turn, strict=False)
    if found is not None:
        return found
    if turn.awaiting == "place" and not turn.is_button:
        return routing.ask_place(responder, current_routing(), dialogue.reply_language(responder, turn),
                                 turn.country, unknown=True)
    return dialogue.did_you_mean(responder, turn)
