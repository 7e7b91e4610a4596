"""What every multi-turn flow is: a name, a start, and an answer to what it asked.

A flow is one module in this package with a module-level `FLOW` (bot/flows/__init__.py finds
it). Its state lives in Rasa's one `flow` slot (`bot.dialogue.FlowState`); its buttons are
`/<name>{...}` payloads; the answers that offer it name it in their topic file (`offers:`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.content_bundle import Content
from bot.dialogue import Outcome, Turn
from bot.replies import Offer, Responder

WORK_ZONE = dt.timezone(dt.timedelta(hours=3))   # "today" for users' dates: Moscow time


@dataclass(frozen=True)
class Context:
    """What a flow needs besides the turn: replies, content (read once per process), the time."""

    responder: Responder
    content: Content
    now: dt.datetime
    development: bool = False          # unverified (sample) contacts may be shown

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(WORK_ZONE).date()


class Flow(Protocol):
    """One multi-turn conversation (a calculator, the letter, finding a union)."""

    @property
    def name(self) -> str:
        """Its state's name in the `flow` slot and its buttons' intent (/calc{"paid": "none"})."""

    @property
    def topic(self) -> str | None:
        """The topic whose question starts it, or None when only a button does."""

    @property
    def offer(self) -> Offer | None:
        """Its button under the answers that list it in `offers:`, or None."""

    @property
    def entities(self) -> tuple[str, ...]:
        """The keys its buttons carry, declared to Rasa by `helpline train`."""

    @property
    def forgets(self) -> bool:
        """Whether what the user answered leaves Rasa's tracker store when it ends."""

    def start(self, context: Context, turn: Turn) -> Outcome:
        """Its topic was asked, or its button pressed out of turn: the first question."""

    def answer(self, context: Context, turn: Turn, *, strict: bool) -> Outcome | None:
        """Typed text while it waits, or one of its buttons: the next step, or None when this
        turn is no answer (with `strict`, text that is no answer is left to the bot; without,
        the flow asks again where it can)."""
