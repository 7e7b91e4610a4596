"""Calculators against hand-computed cases. FIXTURE's rates are test values; SECTION_15 is the
2025-2026 rows of the key-rate history in legal-facts.md section 15, checked on the facts
sheet's research date (the real table is content/key_rates.yml, kept by organisers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from bot.calc.compensation import Part, Span, compensation
from bot.calc.deadlines import add_months, deadline, filing_deadline
from bot.calc.key_rates import KeyRates, Rate, load_key_rates
from bot.calc.redundancy import redundancy
from bot.calc.workdays import pay_day
from bot.settings import ROOT

D = dt.date
FIXTURE = KeyRates((Rate(D(2024, 1, 1), Decimal(16), "test"), Rate(D(2024, 7, 29), Decimal(18), "test"),
                    Rate(D(2024, 9, 16), Decimal(19), "test")), checked_on=D(2024, 12, 31))
SECTION_15 = KeyRates(tuple(Rate(start, Decimal(percent), "legal-facts.md section 15") for start, percent in (
    (D(2025, 6, 9), "20"), (D(2025, 7, 28), "18"), (D(2025, 9, 15), "17"), (D(2025, 10, 27), "16.5"),
    (D(2025, 12, 22), "16"), (D(2026, 2, 16), "15.5"))), checked_on=D(2026, 3, 6))


def checked(on: dt.date) -> KeyRates:
    """SECTION_15 as if checked on `on` with no change since 16.02.2026 (a test value)."""
    return KeyRates(SECTION_15.rates, checked_on=on)


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


def test_days_outside_the_table_are_reported_and_not_counted() -> None:
    early = compensation(Decimal("50000"), D(2023, 12, 25), D(2024, 1, 5), FIXTURE)
    assert early.before_table == Span(D(2023, 12, 26), D(2023, 12, 31)) and early.uncovered_days == 6
    assert early.total == Decimal("266.67") and not early.complete               # 01.01-05.01 only
    # after the table was checked the rate is unknown: not counted at the last known rate
    late = compensation(Decimal("50000"), D(2024, 12, 25), D(2025, 1, 10), FIXTURE)
    assert late.counted == Span(D(2024, 12, 26), D(2024, 12, 31)) and late.total == Decimal("380.00")
    assert late.after_check == Span(D(2025, 1, 1), D(2025, 1, 10)) and late.after_checked_days == 10
    assert late.days == 16 and late.uncovered_days == 10


def test_a_delay_entirely_outside_the_table_counts_nothing() -> None:
    before = compensation(Decimal("50000"), D(2023, 11, 1), D(2023, 12, 1), FIXTURE)
    assert before.periods == () and before.counted is None
    assert before.before_table == Span(D(2023, 11, 2), D(2023, 12, 1))
    after = compensation(Decimal("50000"), D(2025, 2, 1), D(2025, 3, 1), FIXTURE)
    assert after.periods == () and after.after_check == Span(D(2025, 2, 2), D(2025, 3, 1)) and not after.complete


def test_the_review_case_with_the_whole_rate_history() -> None:
    # 50 000 due 15.10.2025, paid 06.03.2026: 11 days at 17 %, 56 at 16.5 %, 56 at 16 %, 19 at 15.5 %
    # 623.33 + 3 080.00 + 2 986.67 + 981.67 = 7 671.67
    result = compensation(Decimal("50000"), D(2025, 10, 15), D(2026, 3, 6), SECTION_15)
    assert [(p.days, p.percent, p.amount) for p in result.periods] == [
        (11, Decimal(17), Decimal("623.33")), (56, Decimal("16.5"), Decimal("3080.00")),
        (56, Decimal(16), Decimal("2986.67")), (19, Decimal("15.5"), Decimal("981.67"))]
    assert result.total == Decimal("7671.67") and result.days == 142 and result.complete


def test_the_worked_example_of_the_facts_sheet() -> None:
    # legal-facts.md section 1: 50 000 RUB paid 30 days late at 15.5 % ≈ 1 550 RUB
    result = compensation(Decimal("50000"), D(2026, 3, 2), D(2026, 4, 1), checked(D(2026, 4, 30)))
    assert result.total == Decimal("1550.00") and result.days == 30


def test_a_pay_day_on_a_sunday_counts_from_the_friday_before() -> None:
    # due Sunday 15.03.2026 -> Friday 13.03.2026: 14.03-31.03 = 18 days × 50 000 × 15.5 % ÷ 150 = 930.00
    result = compensation(Decimal("50000"), pay_day(D(2026, 3, 15)), D(2026, 3, 31), checked(D(2026, 3, 31)))
    assert result.due == D(2026, 3, 13) and result.days == 18 and result.total == Decimal("930.00")


def test_parts_reduce_the_debt_from_the_day_after_each_was_paid() -> None:
    rates = checked(D(2026, 11, 30))
    # 03.03-10.03: 8 days × 50 000 × 15.5 % ÷ 150 = 413.33 (the part of 10.03 still accrues on 10.03)
    # 11.03-20.03: 10 days × 30 000 × 15.5 % ÷ 150 = 310.00; paid off on 20.03
    parts = (Part(D(2026, 3, 10), Decimal(20000)), Part(D(2026, 3, 20), Decimal(30000)))
    paid_off = compensation(Decimal("50000"), D(2026, 3, 2), D(2026, 11, 28), rates, parts)
    assert [(p.first, p.last, p.debt, p.amount) for p in paid_off.periods] == [
        (D(2026, 3, 3), D(2026, 3, 10), Decimal(50000), Decimal("413.33")),
        (D(2026, 3, 11), D(2026, 3, 20), Decimal(30000), Decimal("310.00"))]
    assert paid_off.paid == D(2026, 3, 20) and paid_off.total == Decimal("723.33") and paid_off.complete
    # one part only: the rest, 30 000, runs on to the day counted up to (21 days × 31.00 = 651.00)
    rest = compensation(Decimal("50000"), D(2026, 3, 2), D(2026, 3, 31), rates, parts[:1])
    assert rest.paid == D(2026, 3, 31) and rest.total == Decimal("1064.33")


def test_the_real_table_loads_and_nothing_after_its_check_is_counted() -> None:
    rates, problems = load_key_rates(ROOT / "content")
    assert rates is not None and problems == []
    due, paid = rates.checked_on - dt.timedelta(days=5), rates.checked_on + dt.timedelta(days=10)
    result = compensation(Decimal("50000"), due, paid, rates)
    assert result.after_check == Span(rates.checked_on + dt.timedelta(days=1), paid)
    assert all(period.last <= rates.checked_on for period in result.periods)


def test_a_broken_rate_table_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "key_rates.yml").write_text("checked_on: 2026-03-06\nrates:\n  - from: 2026-02-16\n"
                                            "    percent: lots\n    source: https://cbr.ru\n")
    rates, problems = load_key_rates(tmp_path)
    assert rates is None and problems[0].line == 4 and "percent" in problems[0].what


@pytest.mark.parametrize(("kind", "start", "term_end", "last"), [
    ("wages", D(2026, 3, 15), D(2027, 3, 15), D(2027, 3, 15)),
    ("dismissal", D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 2)),     # Saturday 28.02 -> Monday 02.03
    ("general", D(2025, 11, 30), D(2026, 2, 28), D(2026, 3, 2)),
    ("general", D(2023, 11, 30), D(2024, 2, 29), D(2024, 2, 29)),
    ("dismissal", D(2026, 2, 7), D(2026, 3, 7), D(2026, 3, 10)),       # Saturday, Sunday, then 9 March off
    ("dismissal", D(2025, 12, 4), D(2026, 1, 4), D(2026, 1, 12)),      # the New Year holidays
])
def test_deadlines(kind: str, start: dt.date, term_end: dt.date, last: dt.date) -> None:
    assert deadline(kind, start, today=start).last_day == term_end  # type: ignore[arg-type]
    found = filing_deadline(kind, start, today=start)  # type: ignore[arg-type]
    assert found.term_end == term_end and found.last_day == last and found.moved is (last != term_end)
    assert found.days_left == (last - start).days


def test_deadline_near_and_passed() -> None:
    near = filing_deadline("dismissal", D(2026, 11, 1), today=D(2026, 11, 25))
    assert near.last_day == D(2026, 12, 1) and near.days_left == 6 and near.near and not near.passed
    gone = filing_deadline("dismissal", D(2026, 9, 1), today=D(2026, 11, 28))
    assert gone.passed and not gone.near
    # 05.12.2026 is a Saturday: on Monday 07.12 the term has not passed, it ends that day
    moved = filing_deadline("dismissal", D(2026, 11, 5), today=D(2026, 12, 7))
    assert moved.last_day == D(2026, 12, 7) and moved.days_left == 0 and not moved.passed
    assert deadline("dismissal", D(2026, 11, 5), today=D(2026, 12, 7)).passed
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


def test_redundancy() -> None:
    result = redundancy(Decimal("60000.005"), dismissal=D(2026, 5, 1), notice_given=D(2026, 3, 10))
    assert result.earliest_without_consent == D(2026, 5, 10) and result.early_by_days == 9
    assert result.severance == Decimal("60000.01") and result.second_month_from == D(2026, 6, 1)
    on_time = redundancy(Decimal("45000"), dismissal=D(2026, 5, 20), notice_given=D(2026, 3, 10))
    assert on_time.early_by_days == 0
