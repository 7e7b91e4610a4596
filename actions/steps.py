"""The helpline's Rasa actions (names match nlu/domain.yml).

Written out as classes on purpose: the action server (Sanic) pickles them, and classes made
with type() at run time do not pickle.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers, flows
from actions.base import StepAction
from actions.tracker import carried_slots
from bot import dialogue


class ActionGreet(StepAction):
    action_name = "action_greet"
    step = staticmethod(dialogue.greet)


class ActionShowMenu(StepAction):
    action_name = "action_show_menu"
    step = staticmethod(dialogue.show_menu)


class ActionChooseLanguage(StepAction):
    action_name = "action_choose_language"
    step = staticmethod(dialogue.choose_language)


class ActionAnswerTopic(StepAction):
    action_name = "action_answer_topic"
    step = staticmethod(flows.answer_topic)


class ActionAnswerUrgent(StepAction):
    action_name = "action_answer_urgent"
    step = staticmethod(dialogue.answer_topic)


class ActionMore(StepAction):
    action_name = "action_more"
    step = staticmethod(dialogue.more)


class ActionDidYouMean(StepAction):
    action_name = "action_did_you_mean"
    step = staticmethod(flows.did_you_mean)


class ActionMedia(StepAction):
    action_name = "action_media"
    step = staticmethod(dialogue.media)


class ActionRoute(StepAction):
    action_name = "action_route"
    step = staticmethod(flows.route_start)


class ActionRouteStep(StepAction):
    action_name = "action_route_step"
    step = staticmethod(flows.route_step)


class ActionCalc(StepAction):
    action_name = "action_calc"
    step = staticmethod(flows.calc_start)


class ActionCalcStep(StepAction):
    action_name = "action_calc_step"
    step = staticmethod(flows.calc_step)


class ActionDeadline(StepAction):
    action_name = "action_deadline"
    step = staticmethod(flows.deadline_start)


class ActionLetter(StepAction):
    action_name = "action_letter"
    step = staticmethod(flows.letter_start)


class ActionLetterStep(StepAction):
    action_name = "action_letter_step"
    step = staticmethod(flows.letter_step)


class ActionSeverance(StepAction):
    action_name = "action_severance"
    step = staticmethod(flows.severance_step)


class ActionCountry(StepAction):
    action_name = "action_country"
    step = staticmethod(dialogue.choose_country)


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
        if answers.asks_for_answer(tracker.get_slot("awaiting")) or answers.held(tracker.slots):
            return answers.forgetting(events, tracker.events)
        return events
