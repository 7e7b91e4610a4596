"""The compensation calculator's result as the worker reads it: the rule, a pay day moved off
a day off, the parts paid, each period's formula, then the total. When some days could not be
counted it says which days were counted (and their sum) and which were not and why, never a
total for the whole delay; when none could be, it gives no sum at all. A person is offered
first either way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot import messages as m
from bot.calc.compensation import Compensation, Part, compensation
from bot.calc.key_rates import KeyRates
from bot.calc.parts import paid_so_far, store, stored
from bot.calc.shown import day, number, roubles
from bot.calc.workdays import pay_day
from bot.dialogue import Outcome, Turn, waiting
from bot.replies import Button, Reply, Responder, payload

NAME = "calc"                  # the flow's name (bot/flows/calc.py)
CLEARED = {"flow": None}


@dataclass(frozen=True)
class Answers:
    owed: Decimal
    agreed: dt.date              # the pay day as the worker gave it
    parts: tuple[Part, ...]      # parts noted so far

    @property
    def due(self) -> dt.date:
        """The pay day moved off a day off (TK RF Art. 136 part 8)."""
        return pay_day(self.agreed)


def answers(turn: Turn) -> Answers | None:
    """The calculator's answers kept in its state, or None when they are missing or broken."""
    state = turn.state(NAME)
    kept = state.answers if state is not None else {}
    found = stored(kept.get("due"))
    try:
        owed = Decimal(kept.get("amount") or "")
    except InvalidOperation:
        return None
    return None if found is None or not owed.is_finite() else Answers(owed, found[0], found[1])


def asking(step: str, given: Answers) -> dict[str, object]:
    """The `flow` slot when the calculator asks `step` with these answers noted."""
    return waiting(NAME, step, {"amount": str(given.owed), "due": store(given.agreed, given.parts)})


def result(responder: Responder, rates: KeyRates, given: Answers, language: str, *, paid: dt.date) -> Outcome:
    """The result up to `paid` (the payment day, or today when the debt or a rest is unpaid)."""
    done = compensation(given.owed, given.due, max(paid, given.due), rates, given.parts)
    buttons = (Button(responder.text(language, m.BTN_HUMAN), payload("handoff_human")),
               Button(responder.text(language, m.BTN_MENU), payload("menu")))
    return Outcome([Reply(explain(responder, rates, done, language, agreed=given.agreed), buttons)],
                   {"language": language, **CLEARED})


def explain(responder: Responder, rates: KeyRates, done: Compensation, language: str, *,
            agreed: dt.date | None = None) -> str:
    def _(message: str) -> str:
        return responder.text(language, message)

    def money(value: Decimal) -> str:
        return roubles(value, language)

    def date(value: dt.date) -> str:
        return day(value, language)

    def counted(message: m.Plural, days: int) -> str:
        return responder.plural(language, message, days)

    lines = [_(m.CALC_RESULT)]
    if agreed is not None and agreed != done.due:
        lines.append(_(m.CALC_DUE_MOVED).format(agreed=date(agreed), due=date(done.due)))
    if done.parts:
        lines.append(_(m.CALC_PARTS_PAID).format(
            parts="; ".join(f"{date(part.day)}: {money(part.amount)}" for part in done.parts)))
        rest = done.owed - paid_so_far(done.parts)
        if rest > 0:
            lines.append(_(m.CALC_PARTS_REST).format(rest=money(rest), date=date(done.paid)))
    if done.days == 0:
        lines.append(_(m.CALC_NO_DELAY))
    for period in done.periods:
        lines.append(counted(m.CALC_PERIOD, period.days).format(
            first=date(period.first), last=date(period.last), days=period.days, amount=money(period.debt),
            rate=number(period.percent, language), sum=money(period.amount)))
    if done.days and done.complete:
        lines.append(counted(m.CALC_TOTAL, done.days).format(total=money(done.total), days=done.days))
    elif done.days:
        lines.extend(_uncounted(responder, rates, done, language))
    lines.append(_(m.CALC_TABLE).format(date=date(rates.checked_on)))
    return "\n".join(lines)


def _uncounted(responder: Responder, rates: KeyRates, done: Compensation, language: str) -> list[str]:
    """Which days were counted, which were not and why, and what that means for the sum."""
    def _(message: str) -> str:
        return responder.text(language, message)

    def counted(message: m.Plural, days: int) -> str:
        return responder.plural(language, message, days)

    def date(value: dt.date) -> str:
        return day(value, language)

    lines = []
    if done.counted is not None:
        lines.append(counted(m.CALC_COUNTED, done.counted.days).format(
            first=date(done.counted.first), last=date(done.counted.last), days=done.counted.days,
            total=roubles(done.total, language)))
    for span, message, since in ((done.before_table, m.CALC_NOT_COUNTED_EARLY, rates.first),
                                 (done.after_check, m.CALC_NOT_COUNTED_LATE, rates.checked_on)):
        if span is not None:
            lines.append(counted(message, span.days).format(first=date(span.first), last=date(span.last),
                                                            days=span.days, date=date(since)))
    lines.append(_(m.CALC_ONLY_COUNTED if done.counted is not None else m.CALC_NOTHING_COUNTED))
    return lines
