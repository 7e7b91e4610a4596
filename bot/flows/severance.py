"""Redundancy money and notice (TK RF Arts. 178, 180) as a conversation: average monthly pay
(in roubles: another currency is asked again), the date of the written warning (or "not
warned"), the date of dismissal (not before the warning); then what is owed and when, under
Russian law, saying so when the country of work is not known. The answers live in the
conversation's slots only until the result is shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from bot import messages as m
from bot.calc.amounts import read_amount
from bot.calc.dates import parse_date
from bot.calc.deadlines import add_months
from bot.calc.redundancy import Redundancy, redundancy
from bot.calc.shown import day, roubles
from bot.dialogue import Outcome, Turn, reply_language, waiting
from bot.flows.base import Context
from bot.replies import Button, Offer, Reply, Responder, payload

TOPIC = "dismissal_redundancy"
NAME = "severance"
STEPS = ("pay", "notice", "dismissal")
NOT_WARNED = "none"
AHEAD_DAYS = 185          # a dismissal still to come: the notice is 2 months, some warn earlier
SAFE_REGISTRATION_DAYS = 14  # 14 working days are never fewer than 14 calendar days


def _(responder: Responder, language: str, message: str) -> str:
    return responder.text(language, message)


def _buttons(responder: Responder, language: str, *extra: Button) -> tuple[Button, ...]:
    return (*extra, Button(_(responder, language, m.BTN_MENU), payload("menu")))


def start(responder: Responder, turn: Turn) -> Outcome:
    """/severance: the first question (or, in Kazakhstan, where to get help)."""
    language = reply_language(responder, turn)
    if turn.country == "KZ":
        human = Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))
        return Outcome([Reply(_(responder, language, m.SEVERANCE_KZ), _buttons(responder, language, human))],
                       {"language": language, "flow": None})
    ask = Reply(_(responder, language, m.SEVERANCE_ASK_PAY), _buttons(responder, language))
    return Outcome([ask], {"language": language, "flow": waiting(NAME, "pay"), "topic": TOPIC})


def _answers(turn: Turn) -> dict[str, str]:
    state = turn.state(NAME)
    return dict(state.answers) if state is not None else {}


def step(responder: Responder, turn: Turn, today: dt.date, *, strict: bool) -> Outcome | None:
    """The answer to the current question: typed text, or the "not warned" button."""
    awaiting = turn.step(NAME)
    if awaiting not in STEPS:
        return None
    language = reply_language(responder, turn)
    answers = _answers(turn)
    not_warned = turn.is_button and turn.entities.get("notice") == NOT_WARNED
    if turn.is_button and not not_warned:
        return None
    if awaiting == "pay":
        amount = read_amount(turn.text)
        if amount is None:
            return None if strict else _again(responder, language, turn, m.CALC_AMOUNT_AGAIN, answers)
        if amount.foreign:
            return _again(responder, language, turn, m.CALC_CURRENCY, answers)
        answers["pay"] = str(amount.value)
        no = Button(_(responder, language, m.SEVERANCE_NO_NOTICE), payload("severance", notice=NOT_WARNED))
        return Outcome([Reply(_(responder, language, m.SEVERANCE_ASK_NOTICE), _buttons(responder, language, no))],
                       {"language": language, "flow": waiting(NAME, "notice", answers)})
    if awaiting == "notice":
        if not_warned:
            answers["notice"] = NOT_WARNED
        else:
            warned = parse_date(turn.text, today=today, language=language)
            if warned is None:
                return None if strict else _again(responder, language, turn, m.CALC_DATE_AGAIN, answers)
            answers["notice"] = warned.isoformat()
        return Outcome([Reply(_(responder, language, m.SEVERANCE_ASK_DISMISSAL), _buttons(responder, language))],
                       {"language": language, "flow": waiting(NAME, "dismissal", answers)})
    if not_warned:
        return None
    dismissal = parse_date(turn.text, today=today, language=language, ahead=AHEAD_DAYS)
    if dismissal is None:
        return None if strict else _again(responder, language, turn, m.SEVERANCE_DATE_AGAIN, answers)
    warned_on = _warned_on(answers)
    if warned_on is not None and dismissal < warned_on:       # out of order: ask for the dismissal again
        text = _(responder, language, m.SEVERANCE_ORDER).format(dismissal=day(dismissal, language),
                                                                 notice=day(warned_on, language))
        return Outcome([Reply(text, _buttons(responder, language))],
                       {"language": language, "flow": waiting(NAME, awaiting, answers)})
    return result(responder, language, answers, dismissal, turn.country)


def _warned_on(answers: dict[str, str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(answers.get("notice", NOT_WARNED))
    except ValueError:
        return None


def _again(responder: Responder, language: str, turn: Turn, message: str, answers: dict[str, str]) -> Outcome:
    return Outcome([Reply(_(responder, language, message), _buttons(responder, language))],
                   {"language": language, "flow": waiting(NAME, turn.step(NAME) or "pay", answers)})


def result(responder: Responder, language: str, answers: dict[str, str], dismissal: dt.date,
           country: str | None = None) -> Outcome:
    try:
        pay = Decimal(answers["pay"])
        notice = None if answers.get("notice", NOT_WARNED) == NOT_WARNED \
            else dt.date.fromisoformat(answers["notice"])
    except (KeyError, InvalidOperation, ValueError):
        return start(responder, Turn(language=language, is_button=True))
    owed = redundancy(pay, dismissal, notice)
    buttons = (Button(_(responder, language, m.BTN_DEADLINE), payload("deadline", kind="dismissal")),
               Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human")),
               Button(_(responder, language, m.BTN_MENU), payload("menu")))
    return Outcome([Reply(explain(responder, language, owed, scoped=country is None), buttons)],
                   {"language": language, "flow": None})


def explain(responder: Responder, language: str, owed: Redundancy, *, scoped: bool = False) -> str:
    """What is owed and when; with `scoped` (the country of work is not known), that these are
    Russian rules."""
    def money(value: Decimal) -> str:
        return roubles(value, language)

    def date(value: dt.date) -> str:
        return day(value, language)

    lines = [_(responder, language, m.SEVERANCE_RESULT).format(amount=money(owed.severance),
                                                                dismissal=date(owed.dismissal))]
    if owed.notice_given is None or owed.earliest_without_consent is None:
        lines.append(_(responder, language, m.SEVERANCE_NOT_WARNED))
    elif owed.early_by_days:
        lines.append(responder.plural(language, m.SEVERANCE_EARLY, owed.early_by_days).format(
            notice=date(owed.notice_given), earliest=date(owed.earliest_without_consent), days=owed.early_by_days))
    else:
        lines.append(_(responder, language, m.SEVERANCE_NOTICE_OK).format(
            notice=date(owed.notice_given), earliest=date(owed.earliest_without_consent)))
    lines.append(_(responder, language, m.SEVERANCE_SECOND).format(
        amount=money(owed.second_month), date=date(add_months(owed.dismissal, 2))))
    lines.append(_(responder, language, m.SEVERANCE_THIRD).format(
        date=date(owed.dismissal + dt.timedelta(days=SAFE_REGISTRATION_DAYS))))
    lines.append(_(responder, language, m.SEVERANCE_FOREIGN))      # legal facts, section 15 item 10
    lines.append(_(responder, language, m.SEVERANCE_ESTIMATE))
    if scoped:
        lines.append(_(responder, language, m.SEVERANCE_SCOPE))
    return "\n\n".join(lines)


class Severance:
    """The Flow (bot/flows/base.py) over the functions above; offered under the answers that
    name it (Russian law: not offered to a worker in Kazakhstan)."""

    name, topic, entities, forgets = NAME, None, ("notice",), True
    offer = Offer(m.BTN_SEVERANCE, payload(NAME), law="RU")

    def start(self, context: Context, turn: Turn) -> Outcome:
        return start(context.responder, turn)

    def answer(self, context: Context, turn: Turn, *, strict: bool) -> Outcome | None:
        return step(context.responder, turn, context.today, strict=strict)


FLOW = Severance()
