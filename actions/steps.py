"""The helpline's Rasa actions (names match nlu/domain.yml).

Written out as classes on purpose: the action server (Sanic) pickles them, and classes made
with type() at run time do not pickle.
"""

from __future__ import annotations

from actions import routing
from actions.base import StepAction
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
    step = staticmethod(routing.answer_topic)


class ActionAnswerUrgent(StepAction):
    action_name = "action_answer_urgent"
    step = staticmethod(dialogue.answer_topic)


class ActionMore(StepAction):
    action_name = "action_more"
    step = staticmethod(dialogue.more)


class ActionDidYouMean(StepAction):
    action_name = "action_did_you_mean"
    step = staticmethod(routing.did_you_mean)


class ActionMedia(StepAction):
    action_name = "action_media"
    step = staticmethod(dialogue.media)


class ActionRoute(StepAction):
    action_name = "action_route"
    step = staticmethod(routing.start)


class ActionRouteStep(StepAction):
    action_name = "action_route_step"
    step = staticmethod(routing.step)
