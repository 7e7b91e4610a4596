"""A test-only flow, written as a new flow is: this one module (and `offers: [weekday]` in a
topic file). It asks for a date and says which day of the week it was; tests/test_new_flow.py
plugs it into the registry and drives it through content, training data and the actions."""

from __future__ import annotations

from bot.calc.dates import parse_date
from bot.dialogue import Outcome, Turn, reply_language, waiting
from bot.flows.base import Context
from bot.replies import Offer, Reply, payload

NAME = "weekday"
ASK, AGAIN = "Which date?", "Write a date, e.g. 15.03.2026"


class Weekday:
    name, topic, entities, forgets = NAME, None, ("mode",), True
    offer = Offer("Which day of the week?", payload(NAME))

    def start(self, context: Context, turn: Turn) -> Outcome:
        language = reply_language(context.responder, turn)
        return Outcome([Reply(ASK)], {"language": language, "flow": waiting(NAME, "date")})

    def answer(self, context: Context, turn: Turn, *, strict: bool) -> Outcome | None:
        if turn.step(NAME) != "date" or turn.is_button:
            return None
        language = reply_language(context.responder, turn)
        day = parse_date(turn.text, today=context.today, language=language)
        if day is None:
            return None if strict else Outcome([Reply(AGAIN)], {"language": language, "flow": waiting(NAME, "date")})
        return Outcome([Reply(day.strftime("%A"))], {"language": language, "flow": None})


FLOW = Weekday()
