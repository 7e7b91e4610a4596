"""One Rasa action per dialogue step, each a thin adapter over a plain function."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers
from actions.context import ActionContext
from actions.tracker import emit, turn_from
from bot import flows
from bot.dialogue import FlowState, Outcome, Turn
from bot.routing.country import infer_country
from bot.workbench.record import confidence_of

log = logging.getLogger(__name__)


class StepAction(Action, ABC):  # type: ignore[misc]
    """Runs `step` on the turn; on any error the user gets an apology, never a traceback."""

    action_name: ClassVar[str]

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    @staticmethod
    @abstractmethod
    def step(context: flows.Context, turn: Turn) -> Outcome:
        """The plain function behind this action."""

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        served = self.context.served              # one version of content for the whole turn
        responder = served.responder
        turn = turn_from(tracker)
        inferred = None if turn.country or turn.is_button else infer_country(turn.text, served.content.places)
        if inferred:
            turn = replace(turn, country=inferred)
        try:
            outcome = type(self).step(served.flow_context(development=self.context.settings.development), turn)
            if inferred and "country" not in outcome.slots:
                outcome.slots["country"] = inferred  # the country of work, for this conversation
            if turn.flow is not None and "flow" not in outcome.slots:
                outcome.slots["flow"] = None         # any other step ends the flow's question
            after = FlowState.from_slot(outcome.slots["flow"]) if "flow" in outcome.slots else turn.flow
            finished = answers.ends_flow(turn.flow, after)   # shown, or left: the answers go
            await self.context.recorder.record(self.action_name, tracker.sender_id or "", turn, outcome,
                                               confidence_of(tracker.latest_message or {}))
            events = emit(outcome, dispatcher)
            return answers.forgetting(events, tracker.events) if finished else events
        except Exception:
            log.exception("action %s failed", self.action_name)
            language = turn.language or responder.library.default_language
            return emit(Outcome(responder.unavailable(language)), dispatcher)
