"""Working days in Russia: pay days move back (TK RF Art. 136 part 8), the ends of terms move
forward (TK RF Art. 14 part 4), with the government's transferred days off."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.calc.workdays import is_working_day, pay_day, term_end

D = dt.date


@pytest.mark.parametrize(("day", "working"), [
    (D(2026, 3, 13), True),                     # a Friday
    (D(2026, 3, 14), False),                    # Saturday
    (D(2026, 3, 15), False),                    # Sunday
    (D(2026, 11, 4), False),                    # Unity Day, a Wednesday
    (D(2026, 1, 5), False),                     # New Year holidays, 1-8 January
    (D(2026, 1, 9), False),                     # a Friday made a day off (moved from Saturday 03.01.2026)
    (D(2026, 12, 31), False),                   # moved from Sunday 04.01.2026
    (D(2026, 3, 9), False),                     # 8 March fell on a Sunday
    (D(2025, 5, 2), False),                     # moved from 04.01.2025
    (D(2025, 11, 1), True),                     # a Saturday made a working day
    (D(2026, 1, 12), True),
])
def test_the_russian_calendar_with_transferred_days(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(("agreed", "due"), [
    (D(2026, 3, 15), D(2026, 3, 13)),           # Sunday -> Friday
    (D(2026, 3, 13), D(2026, 3, 13)),           # a working day stays
    (D(2026, 11, 4), D(2026, 11, 3)),           # a public holiday -> the day before
    (D(2026, 1, 5), D(2025, 12, 30)),           # 31.12.2025 and 1-8.01.2026 are all days off
    (D(2026, 1, 10), D(2025, 12, 30)),          # ... and so are 9, 10 and 11 January
    (D(2025, 11, 3), D(2025, 11, 1)),           # back to the working Saturday
])
def test_a_pay_day_off_moves_to_the_working_day_before(agreed: dt.date, due: dt.date) -> None:
    assert pay_day(agreed) == due


@pytest.mark.parametrize(("end", "moved"), [
    (D(2026, 2, 28), D(2026, 3, 2)),            # Saturday -> Monday
    (D(2026, 3, 7), D(2026, 3, 10)),            # Saturday, then Sunday, then 9 March off
    (D(2026, 12, 31), D(2027, 1, 11)),          # the New Year holidays
    (D(2026, 3, 2), D(2026, 3, 2)),             # a working day stays
])
def test_the_end_of_a_term_on_a_day_off_moves_to_the_next_working_day(end: dt.date, moved: dt.date) -> None:
    assert term_end(end) == moved
