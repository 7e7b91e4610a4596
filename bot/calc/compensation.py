"""Late-wage compensation under TK RF Art. 236: at least 1/150 of the Bank of Russia key rate
in force, for each day of delay, from the day after the due date up to and including the day
of payment. Computed day by day across rate changes and part payments; each period is rounded
to kopecks (half up) and the total is the sum of the periods.

Only days with a known rate are counted: a day before the table's first rate has none, and a
day after the table was last checked (`checked_on`) has an unknown one (the rate may have
changed since), so neither is counted at the last known rate; the result names both spans.

`due` is the day the money was due, already moved off a day off (see bot/calc/workdays.py).
A part paid on day D still accrues on D and stops after it; the debt is paid off on the day of
the part that completes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.calc.key_rates import KeyRates

KOPECK = Decimal("0.01")
DIVISOR = Decimal(150)
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Part:
    day: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Span:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    days: int
    percent: Decimal
    amount: Decimal          # compensation for this period, in roubles
    debt: Decimal            # what was still owed on these days


@dataclass(frozen=True)
class Compensation:
    owed: Decimal
    due: dt.date
    paid: dt.date                       # the day the debt was paid off, or today when it was not
    periods: tuple[Period, ...]
    total: Decimal                      # for the counted days only
    before_table: Span | None = None    # no rate: before the table's first rate
    after_check: Span | None = None     # rate unknown: after the table was last checked
    parts: tuple[Part, ...] = ()

    @property
    def days(self) -> int:
        return max((self.paid - self.due).days, 0)

    @property
    def counted(self) -> Span | None:
        return Span(self.periods[0].first, self.periods[-1].last) if self.periods else None

    @property
    def uncovered_days(self) -> int:
        """Days of the delay not counted, for either reason."""
        return sum(span.days for span in (self.before_table, self.after_check) if span is not None)

    @property
    def after_checked_days(self) -> int:
        return self.after_check.days if self.after_check else 0

    @property
    def complete(self) -> bool:
        """Every day of the delay was counted: the total is the whole compensation."""
        return self.uncovered_days == 0


def compensation(owed: Decimal, due: dt.date, paid: dt.date, rates: KeyRates,
                 parts: tuple[Part, ...] = ()) -> Compensation:
    """`paid` is the payment day, or today when (the rest) is not paid yet; `parts` are the
    payments made on or after `due`, adding up to no more than `owed`."""
    paid = _paid_off(owed, parts) or paid
    periods: list[Period] = []
    day = due + ONE_DAY
    while day <= paid:
        percent, debt = _known_rate(day, rates), _debt(owed, parts, day)
        if percent is None:
            day += ONE_DAY
            continue
        start = day
        while (day + ONE_DAY <= paid and _known_rate(day + ONE_DAY, rates) == percent
               and _debt(owed, parts, day + ONE_DAY) == debt):
            day += ONE_DAY
        days = (day - start).days + 1
        amount = (debt * percent / 100 / DIVISOR * days).quantize(KOPECK, ROUND_HALF_UP)
        periods.append(Period(start, day, days, percent, amount, debt))
        day += ONE_DAY
    return Compensation(owed, due, paid, tuple(periods), sum((p.amount for p in periods), Decimal("0.00")),
                        _span(due + ONE_DAY, min(paid, rates.first - ONE_DAY)),
                        _span(max(due, rates.checked_on) + ONE_DAY, paid), parts)


def _known_rate(day: dt.date, rates: KeyRates) -> Decimal | None:
    return rates.on(day) if day <= rates.checked_on else None


def _debt(owed: Decimal, parts: tuple[Part, ...], day: dt.date) -> Decimal:
    """Still owed on `day`: parts paid before it are off the debt."""
    return max(owed - sum((p.amount for p in parts if p.day < day), Decimal(0)), Decimal(0))


def _paid_off(owed: Decimal, parts: tuple[Part, ...]) -> dt.date | None:
    """The day of the part that completes the payment, if the parts add up to the debt."""
    total = Decimal(0)
    for part in sorted(parts, key=lambda p: p.day):
        total += part.amount
        if total >= owed:
            return part.day
    return None


def _span(first: dt.date, last: dt.date) -> Span | None:
    return Span(first, last) if first <= last else None
