"""Calculators against hand-computed cases (the fixture rates below are test values, not the
real key-rate history; the real table is content/key_rates.yml)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from bot.calc.compensation import compensation
from bot.calc.deadlines import add_months, deadline
from bot.calc.key_rates import KeyRates, Rate, load_key_rates
from bot.calc.redundancy import redundancy
from bot.settings import ROOT

D = dt.date
FIXTURE = KeyRates((Rate(D(2024, 1, 1), Decimal(16), "test"), Rate(D(2024, 7, 29), Decimal(18), "test"),
                    Rate(D(2024, 9, 16), Decimal(19), "test")), checked_on=D(2024, 12, 31))


def test_a_delay_across_two_rate_changes() -> None:
    # 21.07–28.07: 8 days at 16 %; 29.07–15.09: 49 days at 18 %; 16.09–20.09: 5 days at 19 %.
    # 50 000 × 16 % / 150 × 8 = 426.666… → 426.67; × 18 % / 150 × 49 = 2 940.00; × 19 % / 150 × 5 = 316.67
    result = compensation(Decimal("50000"), D(2024, 7, 20), D(2024, 9, 20), FIXTURE)
    assert [(p.first, p.last, p.days, p.percent, p.amount) for p in result.periods] == [
        (D(2024, 7, 21), D(2024, 7, 28), 8, Decimal(16), Decimal("426.67")),
        (D(2024, 7, 29), D(2024, 9, 15), 49, Decimal(18), Decimal("2940.00")),
        (D(2024, 9, 16), D(2024, 9, 20), 5, Decimal(19), Decimal("316.67")),
    ]
    assert result.total == Decimal("3683.34") and result.days == 62
    assert result.uncovered_days == 0 and result.after_checked_days == 0


def test_a_leap_year_february() -> None:
    # 28.02, 29.02, 01.03, 02.03 = 4 days at 16 %: 53.333… × 4 = 213.33
    result = compensation(Decimal("50000"), D(2024, 2, 27), D(2024, 3, 2), FIXTURE)
    assert result.days == 4 and result.total == Decimal("213.33")


def test_paid_on_the_due_date_is_no_delay() -> None:
    result = compensation(Decimal("50000"), D(2024, 8, 1), D(2024, 8, 1), FIXTURE)
    assert result.periods == () and result.total == Decimal("0.00") and result.days == 0


def test_amounts_with_kopecks() -> None:
    # 12 345.67 × 18 % / 150 × 10 = 148.148… → 148.15
    result = compensation(Decimal("12345.67"), D(2024, 8, 1), D(2024, 8, 11), FIXTURE)
    assert result.total == Decimal("148.15")


def test_days_outside_the_table_are_reported() -> None:
    early = compensation(Decimal("50000"), D(2023, 12, 25), D(2024, 1, 5), FIXTURE)
    assert early.uncovered_days == 6 and early.total == Decimal("266.67")      # 01.01–05.01 only
    late = compensation(Decimal("50000"), D(2024, 12, 25), D(2025, 1, 10), FIXTURE)
    assert late.after_checked_days == 10 and late.days == 16


def test_the_real_table_and_the_worked_example_of_the_facts_sheet() -> None:
    rates, problems = load_key_rates(ROOT / "content")
    assert rates is not None and problems == []
    # legal-facts.md: 50 000 RUB paid 30 days late at 15.5 % ≈ 1 550 RUB
    result = compensation(Decimal("50000"), D(2026, 3, 1), D(2026, 3, 31), rates)
    assert result.total == Decimal("1550.00") and result.after_checked_days == 25


def test_a_broken_rate_table_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "key_rates.yml").write_text("checked_on: 2026-03-06\nrates:\n  - from: 2026-02-16\n"
                                            "    percent: lots\n    source: https://cbr.ru\n")
    rates, problems = load_key_rates(tmp_path)
    assert rates is None and problems[0].line == 4 and "percent" in problems[0].what


@pytest.mark.parametrize(("kind", "start", "last"), [
    ("wages", D(2026, 3, 15), D(2027, 3, 15)),
    ("dismissal", D(2026, 1, 31), D(2026, 2, 28)),
    ("general", D(2025, 11, 30), D(2026, 2, 28)),
    ("general", D(2023, 11, 30), D(2024, 2, 29)),
])
def test_deadlines(kind: str, start: dt.date, last: dt.date) -> None:
    assert deadline(kind, start, today=start).last_day == last  # type: ignore[arg-type]


def test_deadline_near_and_passed() -> None:
    near = deadline("dismissal", D(2026, 11, 1), today=D(2026, 11, 25))
    assert near.last_day == D(2026, 12, 1) and near.days_left == 6 and near.near and not near.passed
    gone = deadline("dismissal", D(2026, 9, 1), today=D(2026, 11, 28))
    assert gone.passed and not gone.near
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


def test_redundancy() -> None:
    result = redundancy(Decimal("60000.005"), dismissal=D(2026, 5, 1), notice_given=D(2026, 3, 10))
    assert result.earliest_without_consent == D(2026, 5, 10) and result.early_by_days == 9
    assert result.severance == Decimal("60000.01") and result.second_month_from == D(2026, 6, 1)
    on_time = redundancy(Decimal("45000"), dismissal=D(2026, 5, 20), notice_given=D(2026, 3, 10))
    assert on_time.early_by_days == 0
