"""The late-wage compensation calculator as a conversation: amount, due date, payment date
(or "not paid yet"), then the formula, the periods and the total. The numbers live in the
conversation's slots only until the result is shown, then they are cleared."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from bot import messages as m
from bot.calc.amounts import parse_amount
from bot.calc.compensation import Compensation, compensation
from bot.calc.dates import parse_date
from bot.calc.key_rates import KeyRates
from bot.calc.shown import day, number, roubles
from bot.dialogue import Outcome, Turn, reply_language
from bot.replies import Button, Reply, Responder, payload

TOPIC = "wages_delay_compensation"
STEPS = ("amount", "due", "paid")
CLEARED = {"awaiting": None, "calc_amount": None, "calc_due": None}


def _(responder: Responder, language: str, message: str) -> str:
    return responder.text(language, message)


def start(responder: Responder, turn: Turn) -> Outcome:
    language = reply_language(responder, turn)
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    human = Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))
    if turn.country == "KZ":
        return Outcome([Reply(_(responder, language, m.CALC_KZ), (human, menu))],
                       {"language": language, **CLEARED, "topic": TOPIC})
    intro = responder.intro(language, TOPIC, turn.country)
    ask = Reply(_(responder, language, m.CALC_ASK_AMOUNT), (menu,))
    return Outcome([*intro, ask], {"language": language, "awaiting": "amount", "topic": TOPIC})


def typed(responder: Responder, rates: KeyRates, turn: Turn, today: dt.date, *, strict: bool) -> Outcome | None:
    """The next answer while the calculator waits. With `strict`, text that is no answer is
    left to the bot (the user asked something else); otherwise the question is asked again."""
    if turn.awaiting not in STEPS or turn.is_button:
        return None
    language = reply_language(responder, turn)
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    if turn.awaiting == "amount":
        amount = parse_amount(turn.text)
        if amount is None:
            return None if strict else Outcome([Reply(_(responder, language, m.CALC_AMOUNT_AGAIN), (menu,))],
                                               {"language": language, "awaiting": "amount"})
        return Outcome([Reply(_(responder, language, m.CALC_ASK_DUE), (menu,))],
                       {"language": language, "awaiting": "due", "calc_amount": str(amount)})
    day = parse_date(turn.text, today=today, language=language)
    if day is None:
        return None if strict else Outcome([Reply(_(responder, language, m.CALC_DATE_AGAIN), (menu,))],
                                           {"language": language, "awaiting": turn.awaiting})
    if turn.awaiting == "due":
        not_paid = Button(_(responder, language, m.CALC_NOT_PAID), payload("calc", paid="none"))
        return Outcome([Reply(_(responder, language, m.CALC_ASK_PAID), (not_paid, menu))],
                       {"language": language, "awaiting": "paid", "calc_due": day.isoformat()})
    return result(responder, rates, turn, language, paid=day)


def not_paid(responder: Responder, rates: KeyRates, turn: Turn, today: dt.date) -> Outcome:
    """The "not paid yet" button: count up to today."""
    language = reply_language(responder, turn)
    if turn.awaiting != "paid":
        return start(responder, turn)
    return result(responder, rates, turn, language, paid=today)


def result(responder: Responder, rates: KeyRates, turn: Turn, language: str, *, paid: dt.date) -> Outcome:
    try:
        owed = Decimal(turn.calc_amount or "")
        due = dt.date.fromisoformat(turn.calc_due or "")
    except (InvalidOperation, ValueError):
        return start(responder, turn)
    done = compensation(owed, due, max(paid, due), rates)
    buttons = (Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human")),
               Button(_(responder, language, m.BTN_MENU), payload("menu")))
    return Outcome([Reply(explain(responder, rates, done, language), buttons)],
                   {"language": language, **CLEARED})


def explain(responder: Responder, rates: KeyRates, done: Compensation, language: str) -> str:
    def money(value: Decimal) -> str:
        return roubles(value, language)

    def date(value: dt.date) -> str:
        return day(value, language)

    lines = [_(responder, language, m.CALC_RESULT)]
    if done.days == 0:
        lines.append(_(responder, language, m.CALC_NO_DELAY))
    for period in done.periods:
        lines.append(_(responder, language, m.CALC_PERIOD).format(
            first=date(period.first), last=date(period.last), days=period.days, amount=money(done.owed),
            rate=number(period.percent, language), sum=money(period.amount)))
    if done.days:
        lines.append(_(responder, language, m.CALC_TOTAL).format(total=money(done.total), days=done.days))
    if done.uncovered_days:
        lines.append(_(responder, language, m.CALC_UNCOVERED).format(days=done.uncovered_days,
                                                                      date=date(rates.first)))
    if done.after_checked_days:
        lines.append(_(responder, language, m.CALC_AFTER_CHECK).format(days=done.after_checked_days,
                                                                        date=date(rates.checked_on)))
    lines.append(_(responder, language, m.CALC_TABLE).format(date=date(rates.checked_on)))
    return "\n".join(lines)
