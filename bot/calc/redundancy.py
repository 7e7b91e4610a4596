"""Redundancy (TK RF Arts. 178, 180): notice at least 2 months ahead, against signature;
earlier dismissal only with written consent and compensation for the rest of the notice;
severance of one month's average earnings, a second month if still without work, a third in
exceptional cases by decision of the employment service (registration within 14 working days)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.calc.deadlines import add_months

KOPECK = Decimal("0.01")


@dataclass(frozen=True)
class Redundancy:
    notice_given: dt.date | None
    dismissal: dt.date
    earliest_without_consent: dt.date | None   # notice + 2 months
    early_by_days: int                         # dismissal before the notice ran out
    severance: Decimal                         # one month's average earnings, paid on dismissal
    second_month_from: dt.date                 # average earnings for month 2 if still without work
    second_month: Decimal
    third_month_possible: bool = True          # by the employment service's decision


def redundancy(monthly_average: Decimal, dismissal: dt.date, notice_given: dt.date | None) -> Redundancy:
    earliest = add_months(notice_given, 2) if notice_given else None
    early = max((earliest - dismissal).days, 0) if earliest else 0
    pay = monthly_average.quantize(KOPECK, ROUND_HALF_UP)
    return Redundancy(notice_given, dismissal, earliest, early, pay, add_months(dismissal, 1), pay)
