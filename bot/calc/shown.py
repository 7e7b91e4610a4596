"""Dates and sums as the calculators show them, in the user's locale (Babel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal


def locale(language: str) -> str:
    """Babel's locale for a reply language (uz_Cyrl keeps its script)."""
    return "uz_Cyrl" if language == "uz_Cyrl" else language.split("_")[0]


def day(value: dt.date, language: str) -> str:
    return format_date(value, "dd.MM.yyyy", locale=locale(language))


def roubles(value: Decimal, language: str) -> str:
    return format_currency(value, "RUB", locale=locale(language))


def number(value: Decimal, language: str) -> str:
    return format_decimal(value, locale=locale(language))
