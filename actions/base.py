"""One Rasa action per dialogue step, each a thin adapter over a plain function."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import replace
from functools import cache
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers
from actions.flows import current_places
from actions.tracker import current_responder, emit, turn_from
from bot.db.engine import make_engine, make_sessions
from bot.dialogue import Outcome, Turn
from bot.letters.flow import PREFIX as LETTER_QUESTION
from bot.replies import Responder
from bot.routing.country import infer_country
from bot.settings import Settings
from bot.workbench.record import Recorder, confidence_of

log = logging.getLogger(__name__)


@cache
def current_recorder() -> Recorder:
    """Counts and unanswered questions for organisers, into the helpline's database."""
    settings = Settings()
    return Recorder(make_sessions(make_engine(settings.database)), settings.usage_flush_seconds)


class StepAction(Action, ABC):  # type: ignore[misc]
    """Runs `step` on the turn; on any error the user gets an apology, never a traceback."""

    action_name: ClassVar[str]

    @staticmethod
    @abstractmethod
    def step(responder: Responder, turn: Turn) -> Outcome:
        """The plain function behind this action."""

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        responder = current_responder()
        turn = turn_from(tracker)
        inferred = None if turn.country or turn.is_button else infer_country(turn.text, current_places())
        if inferred:
            turn = replace(turn, country=inferred)
        try:
            outcome = type(self).step(responder, turn)
            if inferred and "country" not in outcome.slots:
                outcome.slots["country"] = inferred  # the country of work, for this conversation
            if turn.awaiting and "awaiting" not in outcome.slots:
                outcome.slots["awaiting"] = None     # any other step ends a routing question
                if turn.awaiting.startswith(LETTER_QUESTION) and "letter" not in outcome.slots:
                    outcome.slots["letter"] = None   # a letter left half-way: its answers are not kept
            finished = answers.ends_flow(turn.awaiting, outcome.slots.get("awaiting", turn.awaiting))
            if finished:                             # shown, or left: the answers go (actions/answers.py)
                outcome.slots.update({name: None for name in answers.held(tracker.slots)
                                      if name not in outcome.slots})
            await current_recorder().record(self.action_name, tracker.sender_id or "", turn, outcome,
                                            confidence_of(tracker.latest_message or {}))
            events = emit(outcome, dispatcher)
            return answers.forgetting(events, tracker.events) if finished else events
        except Exception:
            log.exception("action %s failed", self.action_name)
            language = turn.language or responder.library.default_language
            return emit(Outcome(responder.unavailable(language)), dispatcher)
