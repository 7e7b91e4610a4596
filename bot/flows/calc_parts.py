"""The compensation calculator's question about wages paid late in parts: the worker writes
each part (date and amount, one or more per message) and presses "Done"; the debt still
unpaid after the parts is counted up to today. At most `MOST` parts; a part before the pay
day, parts adding up to more than the debt, or another currency are called out and that
message's parts are not noted."""

from __future__ import annotations

import datetime as dt

from bot import messages as m
from bot.calc.compensation import Part
from bot.calc.key_rates import KeyRates
from bot.calc.parts import MOST, Problem, paid_so_far, problem, read_parts
from bot.calc.shown import day, roubles
from bot.dialogue import Outcome, Turn
from bot.flows.calc_result import Answers, asking, result
from bot.replies import Button, Reply, Responder, payload

AWAITING = "parts"
DONE = "done"                        # /calc{"paid": "done"}


def _(responder: Responder, language: str, message: str) -> str:
    return responder.text(language, message)


def _buttons(responder: Responder, language: str, *, done: bool, human: bool = False) -> tuple[Button, ...]:
    return (*([Button(_(responder, language, m.CALC_PARTS_DONE), payload("calc", paid=DONE))] if done else []),
            *([Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))] if human else []),
            Button(_(responder, language, m.BTN_MENU), payload("menu")))


def ask(responder: Responder, given: Answers, language: str) -> Outcome:
    """The "paid in parts" button: how to write the parts."""
    text = _(responder, language, m.CALC_ASK_PARTS).format(most=MOST)
    return Outcome([Reply(text, _buttons(responder, language, done=bool(given.parts)))],
                   {"language": language, "flow": asking(AWAITING, given)})


def typed(responder: Responder, rates: KeyRates, turn: Turn, given: Answers, language: str, today: dt.date, *,
          strict: bool) -> Outcome | None:
    """Parts written in a message: noted, or what is wrong with them; the result once they pay
    off the debt or reach the most parts counted."""
    read = read_parts(turn.text, today=today)
    if read is None:
        return None if strict else _again(responder, given, language, _(responder, language, m.CALC_PARTS_AGAIN))
    if read.foreign:
        return _again(responder, given, language, _(responder, language, m.CALC_CURRENCY))
    together = given.parts + read.parts
    trouble = problem(together, owed=given.owed, due=given.due)
    if trouble is not None:
        return _again(responder, given, language, _trouble(responder, given, language, *trouble, together),
                      human=trouble[0] is Problem.TOO_MANY)
    noted = Answers(given.owed, given.agreed, tuple(sorted(together, key=lambda part: part.day)))
    if paid_so_far(together) >= given.owed or len(together) == MOST:
        return result(responder, rates, noted, language, paid=today)
    text = _(responder, language, m.CALC_PARTS_NOTED).format(
        paid=roubles(paid_so_far(together), language), owed=roubles(given.owed, language))
    return Outcome([Reply(text, _buttons(responder, language, done=True))],
                   {"language": language, "flow": asking(AWAITING, noted)})


def done(responder: Responder, rates: KeyRates, given: Answers, language: str, today: dt.date) -> Outcome:
    """The "done" button: the result with the parts noted, or the question again without any."""
    if not given.parts:
        return ask(responder, given, language)
    return result(responder, rates, given, language, paid=today)


def _trouble(responder: Responder, given: Answers, language: str, trouble: Problem, part: Part | None,
             together: tuple[Part, ...]) -> str:
    if trouble is Problem.TOO_MANY:
        return _(responder, language, m.CALC_PARTS_TOO_MANY).format(most=MOST)
    if trouble is Problem.BEFORE_DUE and part is not None:
        return _(responder, language, m.CALC_PART_BEFORE_DUE).format(date=day(part.day, language),
                                                                       due=day(given.due, language))
    return _(responder, language, m.CALC_PARTS_OVER_DEBT).format(
        paid=roubles(paid_so_far(together), language), owed=roubles(given.owed, language))


def _again(responder: Responder, given: Answers, language: str, text: str, *, human: bool = False) -> Outcome:
    """What was wrong; the parts noted before stay, this message's are not noted."""
    return Outcome([Reply(text, _buttons(responder, language, done=bool(given.parts), human=human))],
                   {"language": language, "flow": asking(AWAITING, given)})
