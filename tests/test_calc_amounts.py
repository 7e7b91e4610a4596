"""Amounts of money as people type them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.calc.amounts import parse_amount, read_amount

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


CURRENCIES = [
    ("50 000 руб", "50000.00", "RUB"),
    ("50000₽", "50000.00", "RUB"),
    ("50 000р.", "50000.00", "RUB"),
    ("50 тыс. рублей", "50000.00", "RUB"),
    ("45000", "45000.00", None),                 # nothing written: the question said roubles
    ("зарплата 45000 в месяц", "45000.00", None),
    ("сумма 50000", "50000.00", None),           # "сумма" is not the so'm
    ("не сомневаюсь, 5000", "5000.00", None),    # nor is "сомневаюсь" the som
    ("500 000 сум", "500000.00", "UZS"),
    ("500 000 so'm", "500000.00", "UZS"),
    ("500 000 сўм", "500000.00", "UZS"),
    ("20 миң сом", "20000.00", "KGS"),
    ("50 000 сомов", "50000.00", "KGS"),
    ("3 000 сомони", "3000.00", "TJS"),
    ("3000 сомонӣ", "3000.00", "TJS"),
    ("50 000 тенге", "50000.00", "KZT"),
    ("50000₸", "50000.00", "KZT"),
    ("в тенге 50000", "50000.00", "KZT"),        # named away from the number
    ("$300", "300.00", "USD"),
    ("300 долларов", "300.00", "USD"),
    ("100 евро", "100.00", "EUR"),
    ("50 000 рублей, это 100 000 сом", "50000.00", "RUB"),   # the first marked number
]


@pytest.mark.parametrize(("text", "value", "currency"), CURRENCIES)
def test_the_currency_written_is_reported(text: str, value: str, currency: str | None) -> None:
    found = read_amount(text)
    assert found is not None and found.value == Decimal(value) and found.currency == currency
    assert found.foreign is (currency not in (None, "RUB"))
    assert parse_amount(text) == Decimal(value)          # the old reader still reads the number
