"""The deadline to go to court (TK RF Art. 392) as a conversation: what the dispute is about,
the starting date, then the last day (moved off a day off, TK RF Art. 14 part 4), with a
warning when it is near or has passed. It is Russia's deadline and says so; for work in
Kazakhstan the deadline has not been checked (legal facts, section 14 item 4), so a worker
there is sent to a person instead."""

from __future__ import annotations

import datetime as dt

from bot import messages as m
from bot.calc.dates import parse_date
from bot.calc.deadlines import MONTHS, Kind, filing_deadline
from bot.calc.shown import day
from bot.dialogue import Outcome, Turn, reply_language, waiting
from bot.flows.base import Context
from bot.replies import Button, Offer, Reply, Responder, payload

KINDS: dict[str, tuple[str, str]] = {      # kind -> (button, question)
    "dismissal": (m.DEADLINE_KIND_DISMISSAL, m.DEADLINE_ASK_DISMISSAL),
    "wages": (m.DEADLINE_KIND_WAGES, m.DEADLINE_ASK_WAGES),
    "general": (m.DEADLINE_KIND_GENERAL, m.DEADLINE_ASK_GENERAL),
}
NAME = "deadline"
AWAITING = "date"


def _(responder: Responder, language: str, message: str) -> str:
    return responder.text(language, message)


def term(responder: Responder, language: str, kind: Kind) -> str:
    """The term to go to court, in whole years when it is ("1 year", not "12 months")."""
    months = MONTHS[kind]
    message, count = (m.DEADLINE_TERM_YEARS, months // 12) if months % 12 == 0 else (m.DEADLINE_TERM_MONTHS, months)
    return responder.plural(language, message, count).format(count=count)


def start(responder: Responder, turn: Turn) -> Outcome:
    """/deadline asks what the dispute is about; /deadline{"kind": …} asks for the date."""
    language = reply_language(responder, turn)
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    if turn.country == "KZ":
        return kazakhstan(responder, language)
    kind = turn.entities.get("kind")
    if kind in KINDS:
        question = KINDS[kind][1]
        return Outcome([Reply(_(responder, language, question), (menu,))],
                       {"language": language, "flow": waiting(NAME, AWAITING, {"kind": kind})})
    buttons = tuple(Button(_(responder, language, label), payload("deadline", kind=code))
                    for code, (label, _q) in KINDS.items())
    return Outcome([Reply(_(responder, language, m.DEADLINE_ASK_KIND), (*buttons, menu))],
                   {"language": language, "flow": None})


def kazakhstan(responder: Responder, language: str) -> Outcome:
    """Not counted for work in Kazakhstan: the deadline there has not been checked."""
    human = Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    return Outcome([Reply(_(responder, language, m.DEADLINE_KZ), (human, menu))],
                   {"language": language, "flow": None})


def typed(responder: Responder, turn: Turn, today: dt.date, *, strict: bool) -> Outcome | None:
    state = turn.state(NAME)
    if state is None or state.step != AWAITING or turn.is_button or state.answers.get("kind") not in KINDS:
        return None
    language = reply_language(responder, turn)
    start_day = parse_date(turn.text, today=today, language=language)
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    if start_day is None:
        return None if strict else Outcome([Reply(_(responder, language, m.CALC_DATE_AGAIN), (menu,))],
                                           {"language": language, "flow": state.slot()})
    if turn.country == "KZ":
        return kazakhstan(responder, language)
    kind: Kind = state.answers["kind"]  # type: ignore[assignment]
    found = filing_deadline(kind, start_day, today)
    lines = [_(responder, language, m.DEADLINE_RESULT).format(
        date=day(found.last_day, language),
        term=term(responder, language, kind),
        start=day(start_day, language))]
    if found.moved:
        lines.append(_(responder, language, m.DEADLINE_MOVED).format(end=day(found.term_end, language)))
    if found.passed:
        lines.append(responder.plural(language, m.DEADLINE_PASSED, -found.days_left).format(days=-found.days_left))
    elif found.near:
        lines.append(responder.plural(language, m.DEADLINE_NEAR, found.days_left).format(days=found.days_left))
    if turn.country is None:
        lines.append(_(responder, language, m.DEADLINE_KZ_UNCHECKED))
    human = Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))
    return Outcome([Reply("\n\n".join(lines), (human, menu))], {"language": language, "flow": None})


class Deadline:
    """The Flow (bot/flows/base.py) over the functions above; offered under the answers that
    name it (Russia's deadline: not offered to a worker in Kazakhstan)."""

    name, topic, entities, forgets = NAME, None, ("kind",), True
    offer = Offer(m.BTN_DEADLINE, payload(NAME), law="RU")

    def start(self, context: Context, turn: Turn) -> Outcome:
        return start(context.responder, turn)

    def answer(self, context: Context, turn: Turn, *, strict: bool) -> Outcome | None:
        return typed(context.responder, turn, context.today, strict=strict)


FLOW = Deadline()
