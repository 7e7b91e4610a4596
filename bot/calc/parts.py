"""Wages paid late in parts, as people type them: a date and an amount for each part, one part
per line ("20.03.2026 10000", "25 марта 5 000 руб", "вчера 5000"), or several separated by ";".

Reading a line tries each short run of words as the date (parse_date) and reads the rest as
the amount (read_amount); the run must not start with a word the date does not need, so
"5 000 20.03" is 5 000 paid on 20.03, not 5 paid on "000 20.03" ("3 дня назад" needs its
"3"). A year right after the date belongs to it ("20 марта 2026 10000"). Long lines and
long lists are not read: they are no list of a few parts.

Between questions the parts ride in the calculator's due-date slot after the due date
("2026-03-15;2026-03-20=10000.00"), so they are cleared with it when the result is shown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from bot.calc.amounts import read_amount
from bot.calc.compensation import Part
from bot.calc.dates import parse_date

MOST = 5                 # parts a worker is asked to type; more is a case for a person
LONGEST_DATE = 4         # words: "20 марта 2026 года"
LONGEST_LINE = 12        # words in one part's line
MOST_LINES = 2 * MOST
_LINES = re.compile(r"[\n;]+")
_YEAR = re.compile(r"(19|20)\d\d")


@dataclass(frozen=True)
class Read:
    parts: tuple[Part, ...]
    foreign: bool            # some amount was written in another currency than roubles


class Problem(Enum):
    UNREADABLE = "unreadable"
    TOO_MANY = "too_many"
    BEFORE_DUE = "before_due"
    OVER_DEBT = "over_debt"


def read_parts(text: str, *, today: dt.date) -> Read | None:
    """Every line's date and amount, or None when some line has no date and amount."""
    lines = [line.split() for line in _LINES.split(text) if line.strip()]
    if not lines or len(lines) > MOST_LINES or any(len(words) > LONGEST_LINE for words in lines):
        return None
    found = [_line(words, today) for words in lines]
    if any(line is None for line in found):
        return None
    read = [line for line in found if line is not None]
    return Read(tuple(part for part, _foreign in read), any(foreign for _part, foreign in read))


def _line(line: list[str], today: dt.date) -> tuple[Part, bool] | None:
    words = [word for word in line if any(char.isalnum() or char in "₽₸$€" for char in word)]
    for start in range(len(words)):
        for end in range(start + 1, min(start + LONGEST_DATE, len(words)) + 1):
            day = parse_date(" ".join(words[start:end]), today=today)
            if day is None or (end - start > 1 and parse_date(" ".join(words[start + 1:end]), today=today) == day):
                continue                        # no date here, or its first word is not needed
            if end < len(words) and _YEAR.fullmatch(words[end]):
                end += 1
                day = parse_date(" ".join(words[start:end]), today=today) or day
            amount = read_amount(" ".join(words[:start] + words[end:]))
            if amount is not None:
                return Part(day, amount.value), amount.foreign
            break
    return None


def problem(parts: tuple[Part, ...], *, owed: Decimal, due: dt.date) -> tuple[Problem, Part | None] | None:
    """What is wrong with the parts noted so far (with the part concerned), or None."""
    if len(parts) > MOST:
        return Problem.TOO_MANY, None
    early = next((part for part in parts if part.day < due), None)
    if early is not None:
        return Problem.BEFORE_DUE, early
    if sum((part.amount for part in parts), Decimal(0)) > owed:
        return Problem.OVER_DEBT, None
    return None


def paid_so_far(parts: tuple[Part, ...]) -> Decimal:
    return sum((part.amount for part in parts), Decimal("0.00"))


def store(due: dt.date, parts: tuple[Part, ...]) -> str:
    return ";".join([due.isoformat(), *(f"{part.day.isoformat()}={part.amount}" for part in parts)])


def stored(text: str | None) -> tuple[dt.date, tuple[Part, ...]] | None:
    """The due date and the parts noted so far, from the slot; None when it holds neither."""
    try:
        due, *rest = (text or "").split(";")
        parts = tuple(Part(dt.date.fromisoformat(day), Decimal(amount))
                      for day, amount in (item.split("=") for item in rest))
        return dt.date.fromisoformat(due), parts
    except (ValueError, InvalidOperation):
        return None
