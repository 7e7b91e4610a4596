"""Late-wage compensation under TK RF Art. 236: at least 1/150 of the Bank of Russia key rate
in force, for each day of delay, from the day after the due date up to and including the day
of payment. Computed day by day across rate changes; each period is rounded to kopecks
(half up) and the total is the sum of the periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.calc.key_rates import KeyRates

KOPECK = Decimal("0.01")
DIVISOR = Decimal(150)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    days: int
    percent: Decimal
    amount: Decimal          # compensation for this period, in roubles


@dataclass(frozen=True)
class Compensation:
    owed: Decimal
    due: dt.date
    paid: dt.date
    periods: tuple[Period, ...]
    total: Decimal
    uncovered_days: int       # days before the table's first rate: not computed
    after_checked_days: int   # days after the table was last checked: computed, to be confirmed

    @property
    def days(self) -> int:
        return max((self.paid - self.due).days, 0)


def compensation(owed: Decimal, due: dt.date, paid: dt.date, rates: KeyRates) -> Compensation:
    """`paid` is the payment day, or today when nothing has been paid yet."""
    periods: list[Period] = []
    uncovered = 0
    day = due + dt.timedelta(days=1)
    while day <= paid:
        percent = rates.on(day)
        if percent is None:
            uncovered += 1
            day += dt.timedelta(days=1)
            continue
        start = day
        while day + dt.timedelta(days=1) <= paid and rates.on(day + dt.timedelta(days=1)) == percent:
            day += dt.timedelta(days=1)
        days = (day - start).days + 1
        amount = (owed * percent / 100 / DIVISOR * days).quantize(KOPECK, ROUND_HALF_UP)
        periods.append(Period(start, day, days, percent, amount))
        day += dt.timedelta(days=1)
    after = max((paid - max(rates.checked_on, due)).days, 0)
    return Compensation(owed, due, paid, tuple(periods), sum((p.amount for p in periods), Decimal("0.00")),
                        uncovered, after)
