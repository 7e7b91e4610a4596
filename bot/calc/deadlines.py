"""Deadlines to go to court over a labour dispute, TK RF Art. 392: 3 months in general from
when the worker learned of the violation, 1 month for dismissal from receiving the order or
work book, 1 year for unpaid wages and other sums from the due date. A court may restore a
missed deadline for a good reason. A term whose last day is a day off ends on the next
working day (TK RF Art. 14 part 4): `filing_deadline` is the day to tell a worker."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from bot.calc import workdays

Kind = Literal["general", "dismissal", "wages"]
MONTHS: dict[Kind, int] = {"general": 3, "dismissal": 1, "wages": 12}
NEAR_DAYS = 14


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    kind: Kind
    start: dt.date
    last_day: dt.date
    days_left: int            # negative when passed
    term_end: dt.date         # where the months end: before last_day when that is a day off

    @property
    def moved(self) -> bool:
        return self.last_day != self.term_end

    @property
    def passed(self) -> bool:
        return self.days_left < 0

    @property
    def near(self) -> bool:
        return 0 <= self.days_left <= NEAR_DAYS


def deadline(kind: Kind, start: dt.date, today: dt.date) -> Deadline:
    """The term in months: it ends on the same day of the last month (a term starting on the
    15th of March ends on the 15th of June for 3 months), whatever day of the week that is."""
    last = add_months(start, MONTHS[kind])
    return Deadline(kind, start, last, (last - today).days, last)


def filing_deadline(kind: Kind, start: dt.date, today: dt.date) -> Deadline:
    """The last day to file: the term's end, or the next working day when that is a day off."""
    term = deadline(kind, start, today)
    last = workdays.term_end(term.term_end)
    return replace(term, last_day=last, days_left=(last - today).days)
