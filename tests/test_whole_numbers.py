"""Numbers from forms and query strings never raise (a 500 is a traceback to a caseworker)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.whole_numbers import whole_number, whole_numbers
from bot.workbench.insight import period


@pytest.mark.parametrize("value", ["²", "٣", "1²", "", " ", "-1", "1.5", "9" * 5000, "1" * 10, None, 7])
def test_what_is_not_a_small_whole_number_is_none(value: object) -> None:
    assert whole_number(value) is None


def test_whole_numbers_keep_the_numbers_and_the_limit() -> None:
    assert whole_number(" 42 ") == 42
    assert whole_numbers(["3", "²", "x", "4", "5"], most=2) == [3, 4]


def test_an_odd_period_is_the_default_month() -> None:
    end = dt.date(2026, 12, 7)
    assert period("²", end) == period("9" * 5000, end) == period("31", end) == (30, dt.date(2026, 11, 8))
    assert period("7", end) == (7, dt.date(2026, 12, 1))
