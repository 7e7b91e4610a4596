"""Amounts of money as people type them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.calc.amounts import parse_amount

AMOUNTS = [
    ("50000", "50000.00"),
    ("50 000", "50000.00"),
    ("50\u00a0000", "50000.00"),                # no-break space, as pasted from a payslip
    ("50.000", "50000.00"),
    ("50,000", "50000.00"),
    ("1 234 567", "1234567.00"),
    ("1500,50", "1500.50"),
    ("1500.50", "1500.50"),
    ("1500.5", "1500.50"),
    ("1.500.000,50", "1500000.50"),
    ("1,500,000.50", "1500000.50"),
    ("50 тыс", "50000.00"),
    ("50 тыс. руб", "50000.00"),
    ("50 тысяч рублей", "50000.00"),
    ("50к", "50000.00"),
    ("50k", "50000.00"),
    ("50K", "50000.00"),
    ("2.5k", "2500.00"),
    ("50 т.р.", "50000.00"),
    ("50 ming", "50000.00"),
    ("50 минг", "50000.00"),
    ("50 ҳазор", "50000.00"),
    ("50 хазор", "50000.00"),
    ("50 миң", "50000.00"),
    ("1,5 млн", "1500000.00"),
    ("30 mln", "30000000.00"),
    ("2 million", "2000000.00"),
    ("50 000 руб", "50000.00"),
    ("50000₽", "50000.00"),
    ("50 000 tenge", "50000.00"),
    ("500 000 сум", "500000.00"),
    ("3 000 сомони", "3000.00"),
    ("50 kzt", "50.00"),                         # "k" of "kzt" is not a thousand
    ("100 000 000", "100000000.00"),
    ("за 2 месяца не заплатили 100 000 руб", "100000.00"),  # the number marked as money
    ("зарплата 45000 в месяц", "45000.00"),
]

NOTHING = [
    "",
    "не знаю",
    "полтора миллиона",                          # digits only
    "0",
    "0,00",
    "-500",
    "−50 000 руб",
    "100 000 001",
    "150 000 000",
    "50 000 000 000",
    "1500.500",                                 # neither thousands nor kopecks
    "2 месяца по 50 000",                       # two unmarked numbers: ask again
    "15.03.2026",
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_a_typed_amount_is_read_to_the_kopeck(text: str, expected: str) -> None:
    amount = parse_amount(text)
    assert amount == Decimal(expected)
    assert amount is not None and amount.as_tuple().exponent == -2


@pytest.mark.parametrize("text", NOTHING)
def test_no_amount_zero_negative_or_too_large_gives_none(text: str) -> None:
    assert parse_amount(text) is None
