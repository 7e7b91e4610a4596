"""Whole numbers from query strings and forms: ASCII digits only and not too many of them, so
"²", "٣" or a 5,000-digit string is simply not a number (int() would raise, or build a value no
database column holds)."""

from __future__ import annotations

from collections.abc import Iterable


def whole_number(value: object, digits: int = 9) -> int | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > digits or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def whole_numbers(values: Iterable[object], most: int, digits: int = 9) -> list[int]:
    """The whole numbers among form or query values, at most `most` of them."""
    return [n for n in (whole_number(v, digits) for v in values) if n is not None][:most]
