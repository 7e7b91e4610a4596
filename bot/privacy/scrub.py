"""Personal data out of free text: phone numbers, e-mail addresses, document numbers and long
identifiers become placeholders. Used on every log line (bot/logs.py) at every level, and for
anything kept as text for organisers. Amounts of money stay: they are what a case is about.

Every pattern takes time in proportion to the text, whatever the text (figures and the history
in BENCHMARKS.md, "Scrubbing and grouping"; `scripts/bench-scrub`). An address is sought
only from the start of a run of the characters addresses are made of, read once without giving
any back; a number or document only after a character that is not a letter or digit, reading at
most 74 characters. Text longer than `MAX_CHARS` is cut first, at the last place where no
number or address can go on across the cut, and then ends in `CUT`.
"""

from __future__ import annotations

import re

MAX_CHARS = 16_000     # four times the longest message the gateway accepts (Telegram 4,096, web 4,000)
CUT = "[…]"            # ends a text that was longer than the limit

# An address starts at the start of a run of [\w.+-], never inside one: from inside, every start
# would read the rest of the run again (quadratic). The continued form takes an address that
# starts right where the last one ended, inside a run ("a@b.c+d@e.f"), as a plain search would.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
_EMAIL_CONTINUED = re.compile(r"[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
# The others read at most 12, 74 and 9 characters from a start that follows no word character
# (no digit for the last).
_NUMBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    # a passport or patent number: letters then 6-9 digits (AA1234567, FA 1234567, № 123456)
    (re.compile(r"(?<![\w])(?:[A-ZА-ЯЁ]{1,2}|№)\s?\d{6,9}(?!\d)"), "[document]"),
    # phone numbers, card numbers and long ids: 9-19 digits, spaced or dashed as people write them
    (re.compile(r"(?<![\w])\+?\d(?:[\s\-()]{0,3}+\d){8,18}(?![\w])"), "[number]"),
    # a local number: 123-45-67
    (re.compile(r"(?<!\d)\d{3}-\d{2}-\d{2}(?!\d)"), "[number]"),
)
# What is sought, in this order (an address right after another is found only through scrub).
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = ((EMAIL, "[e-mail]"), *_NUMBERS)

# Where a text may be cut, searched in the reversed text (the last place first): the character
# before the cut or the one after it can be in no match, or the one after is a space and the
# one before is neither a digit nor a separator (so only letters of "AA 1234567" can stay).
_JOINS = r"[\w\s.+@()№-]"
_CUTTABLE_REVERSED = re.compile(rf"(?!{_JOINS})|(?<!{_JOINS})|(?<=\s)(?![\d\s+()-])")


def scrub(text: str, *, limit: int = MAX_CHARS) -> str:
    text = capped(text, limit)
    text = _emails(text)
    for pattern, placeholder in _NUMBERS:
        text = pattern.sub(placeholder, text)
    return text


def capped(text: str, limit: int = MAX_CHARS) -> str:
    """`text` if it has at most `limit` characters, else its start up to the last place at or
    before `limit` where nothing `scrub` removes is cut in two, then `CUT`."""
    if len(text) <= limit:
        return text
    reversed_head = text[limit::-1]                    # limit + 1 characters: the one after the cut too
    found = _CUTTABLE_REVERSED.search(reversed_head, 1)     # the start of the text always is
    return text[:limit + 1 - (found.start() if found else limit + 1)] + CUT


def _emails(text: str) -> str:
    parts: list[str] = []
    end = 0
    found = EMAIL.search(text)
    while found is not None:
        parts += (text[end:found.start()], "[e-mail]")
        end = found.end()
        found = _EMAIL_CONTINUED.match(text, end) or EMAIL.search(text, end)
    parts.append(text[end:])
    return "".join(parts)
