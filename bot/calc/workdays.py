"""Working days in Russia, for the dates the Labour Code moves off a day off.

A pay day that falls on a weekend or a non-working public holiday moves to the working day
before it (TK RF Art. 136 part 8); the last day of a term that falls on a non-working day
moves to the next working day (TK RF Art. 14 part 4).

The calendar is the `holidays` package's for Russia. It knows the public holidays of TK RF
Art. 112 and the days off the government moves each year by decree: a transferred day off
("Выходной (перенесено с …)", e.g. 02.05.2025) is a holiday, and a Saturday made a working
day (e.g. 01.11.2025) counts as a working day. A year whose decree the installed version of
the package does not know yet gets only the fixed holidays and the weekend rule, so keep the
package up to date (`uv lock --upgrade-package holidays`).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

ONE_DAY = dt.timedelta(days=1)


@cache
def _calendar() -> holidays.HolidayBase:
    """Built on first use (years are filled in as dates are asked for), kept per process."""
    return holidays.country_holidays("RU")


def is_working_day(day: dt.date) -> bool:
    """A weekday that is no public holiday or transferred day off, or a Saturday made a working day."""
    return bool(_calendar().is_working_day(day))


def pay_day(day: dt.date) -> dt.date:
    """The day wages agreed for `day` are due: the working day before, when `day` is a day off."""
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def term_end(day: dt.date) -> dt.date:
    """The last day of a term that ends on `day`: the next working day, when `day` is a day off."""
    while not is_working_day(day):
        day += ONE_DAY
    return day
