"""The helpline's Rasa actions (names match nlu/domain.yml).

Written out as classes on purpose: the action server (Sanic) pickles them, and classes made
with type() at run time do not pickle. Each is made once, with the action server's context
(actions/serve.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers, flows
from actions.base import StepAction
from actions.context import ActionContext
from actions.tracker import carried_slots
from bot import dialogue
from bot import flows as flow_registry
from bot.dialogue import Outcome, Turn
from bot.replies import Responder


class Step(Protocol):
    def __call__(self, context: flow_registry.Context, turn: Turn) -> Outcome: ...


def replying(function: Callable[[Responder, Turn], Outcome]) -> Step:
    """A dialogue step that needs only the replies, as an action step."""
    def step(context: flow_registry.Context, turn: Turn) -> Outcome:
        return function(context.responder, turn)
    return step


class ActionGreet(StepAction):
    action_name = "action_greet"
    step = staticmethod(replying(dialogue.greet))


class ActionShowMenu(StepAction):
    action_name = "action_show_menu"
    step = staticmethod(replying(dialogue.show_menu))


class ActionChooseLanguage(StepAction):
    action_name = "action_choose_language"
    step = staticmethod(replying(dialogue.choose_language))


class ActionAnswerTopic(StepAction):
    action_name = "action_answer_topic"
    step = staticmethod(flows.answer_topic)


class ActionAnswerUrgent(StepAction):
    action_name = "action_answer_urgent"
    step = staticmethod(replying(dialogue.answer_topic))


class ActionMore(StepAction):
    action_name = "action_more"
    step = staticmethod(replying(dialogue.more))


class ActionDidYouMean(StepAction):
    action_name = "action_did_you_mean"
    step = staticmethod(flows.did_you_mean)


class ActionMedia(StepAction):
    action_name = "action_media"
    step = staticmethod(replying(dialogue.media))


class ActionFlow(StepAction):
    """A flow's button, or the question that starts a flow (bot/flows/)."""

    action_name = "action_flow"
    step = staticmethod(flows.flow_turn)


class ActionCountry(StepAction):
    action_name = "action_country"
    step = staticmethod(replying(dialogue.choose_country))


class ActionSessionStart(Action):  # type: ignore[misc]
    """A new conversation session (after an hour of silence) keeps only the user's choices
    (language, country of work, the link they came by); what they said for routing (city,
    kind of work, location) and the last topic are not carried over. A calculator or letter
    left unanswered has its answers forgotten (actions/answers.py)."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        events = [SessionStarted(), *carried_slots(tracker), ActionExecuted("action_listen")]
        if answers.held(tracker.slots):
            return answers.forgetting(events, tracker.events)
        return events


def all_actions(context: ActionContext) -> list[Action]:
    """Every action, made with the context (what actions/serve.py registers)."""
    return [ActionSessionStart(), *(cls(context) for cls in StepAction.__subclasses__())]
