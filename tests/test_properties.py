"""Property tests (hypothesis) over what reads untrusted input: the content loader, language
choice, the amount and date readers, and the calculators' arithmetic."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot import language as lang
from bot.calc.amounts import parse_amount
from bot.calc.compensation import compensation
from bot.calc.dates import parse_date
from bot.calc.deadlines import MONTHS, add_months, deadline
from bot.calc.key_rates import KeyRates, Rate
from bot.content.loader import read_library
from bot.content.yamlfile import read_yaml
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 28)
# synthetic rates for the arithmetic only (not the Bank of Russia's: those are in content/key_rates.yml)
RATES = KeyRates(tuple(Rate(start, Decimal(percent), "synthetic") for start, percent in (
    (dt.date(2024, 3, 1), "10"), (dt.date(2024, 9, 15), "12.5"), (dt.date(2025, 2, 28), "13"),
    (dt.date(2025, 12, 31), "11.75"))), checked_on=dt.date(2026, 6, 1))
anything = st.text(max_size=300)
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 11, 28))
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)


@settings(max_examples=400, deadline=None)
@given(text=anything)
def test_readers_never_fail_and_stay_in_bounds(text: str) -> None:
    amount = parse_amount(text)
    assert amount is None or Decimal("0") < amount <= Decimal("100000000")
    day = parse_date(text, today=TODAY)
    assert day is None or day <= TODAY
    ahead = parse_date(text, today=TODAY, ahead=90)
    assert ahead is None or ahead <= TODAY + dt.timedelta(days=90)


@settings(max_examples=300, deadline=None)
@given(value=st.integers(min_value=1, max_value=99_999_999), kopecks=st.integers(0, 99),
       style=st.sampled_from(["{} руб", "{} rubl", "{}р", "{} ₽", "{} сум"]))
def test_an_amount_written_as_people_write_it_is_read_back(value: int, kopecks: int, style: str) -> None:
    spaced = f"{value:,}".replace(",", " ")
    written = style.format(f"{spaced},{kopecks:02d}" if kopecks else spaced)
    expected = Decimal(value) + Decimal(kopecks) / 100
    if "сум" in style:
        return                                  # another currency: not asserted
    assert parse_amount(written) == expected


@settings(max_examples=300, deadline=None)
@given(day=days)
def test_a_date_written_with_dots_is_read_back(day: dt.date) -> None:
    assert parse_date(day.strftime("%d.%m.%Y"), today=TODAY) == day


@settings(max_examples=300, deadline=None)
@given(owed=amounts, due=days, extra=st.integers(0, 800))
def test_compensation_is_the_sum_of_its_days(owed: Decimal, due: dt.date, extra: int) -> None:
    paid = due + dt.timedelta(days=extra)
    done = compensation(owed, due, paid, RATES)
    assert done.total == sum((p.amount for p in done.periods), Decimal("0"))
    assert sum(p.days for p in done.periods) + done.uncovered_days == extra
    assert all(p.amount >= 0 for p in done.periods) and done.total >= 0
    for period in done.periods:                 # each period: days × owed × rate ÷ 150, to the kopeck
        exact = owed * period.percent / 100 / 150 * period.days
        assert abs(period.amount - exact) <= Decimal("0.005")
    if extra == 0:
        assert done.total == 0 and not done.periods


@settings(max_examples=200, deadline=None)
@given(owed=amounts, more=amounts, due=days, extra=st.integers(1, 400))
def test_compensation_grows_with_the_debt_and_the_delay(owed: Decimal, more: Decimal, due: dt.date,
                                                        extra: int) -> None:
    paid = due + dt.timedelta(days=extra)
    base = compensation(owed, due, paid, RATES).total
    assert compensation(owed + more, due, paid, RATES).total >= base
    assert compensation(owed, due, paid + dt.timedelta(days=1), RATES).total >= base


@settings(max_examples=300, deadline=None)
@given(start=days, kind=st.sampled_from(sorted(MONTHS)))
def test_a_deadline_is_months_later_on_the_same_or_last_day(start: dt.date, kind: str) -> None:
    found = deadline(kind, start, TODAY)  # type: ignore[arg-type]
    assert found.last_day == add_months(start, MONTHS[kind]) > start  # type: ignore[index]
    assert found.days_left == (found.last_day - TODAY).days
    month_end = (found.last_day + dt.timedelta(days=1)).month != found.last_day.month
    assert found.last_day.day == start.day or month_end           # 31 January + 1 month: 28/29 February


@settings(max_examples=300, deadline=None)
@given(text=anything, hint=st.one_of(st.none(), st.text(max_size=12)),
       current=st.sampled_from([None, "ru", "uz", "tg", "ky", "en", "uz_Cyrl", "xx"]),
       explicit=st.booleans(), confidence=st.floats(0, 1))
def test_the_reply_language_is_always_one_the_bot_has(text: str, hint: str | None, current: str | None,
                                                      explicit: bool, confidence: float) -> None:
    available = {"ru", "uz", "uz_Cyrl", "tg", "ky", "en"}
    chosen = lang.decide(current=current, explicit=explicit, detected=lang.Detected("uz", "Latn", confidence),
                         text=text, hint=hint, default="ru", available=available)
    assert chosen in available


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 4000), junk=st.text(max_size=40))
def test_a_broken_topic_file_is_reported_never_raised(small_content: Path, cut: int, junk: str) -> None:
    """An organiser's edit gone wrong (cut short, stray or control characters): problems with
    the file and a fix, never an exception."""
    file = small_content / "topics" / "wages_unpaid.yml"
    text = ORIGINAL.read_text(encoding="utf-8")
    assume(cut < len(text))
    file.write_text(text[:cut] + junk + text[cut + len(junk):], encoding="utf-8")
    _, problems = read_yaml(file)
    for problem in problems:
        assert problem.file == file and problem.what and problem.fix
    library, problems = read_library(small_content)
    assert library is not None
    assert all(isinstance(p.file, Path) and p.what and p.fix for p in problems)


ORIGINAL = ROOT / "content" / "topics" / "wages_unpaid.yml"


@pytest.fixture(scope="module")
def small_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """content/ with only two topics, so each example reads quickly."""
    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content", content)
    for topic in (content / "topics").glob("*.yml"):
        if topic.stem not in ("wages_unpaid", "greet"):
            topic.unlink()
    return content
