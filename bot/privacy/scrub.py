"""Personal data out of free text: phone numbers, e-mail addresses, document numbers and long
identifiers become placeholders. Used on every log line (bot/logs.py) at every level, and for
anything kept as text for organisers. Amounts of money stay: they are what a case is about.
"""

from __future__ import annotations

import re

_SEP = r"[\s\-()]{0,3}"
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    # a passport or patent number: letters then 6-9 digits (AA1234567, FA 1234567, № 123456)
    (re.compile(r"(?<![\w])(?:[A-ZА-ЯЁ]{1,2}|№)\s?\d{6,9}(?!\d)"), "[document]"),
    # phone numbers, card numbers and long ids: 9-19 digits, spaced or dashed as people write them
    (re.compile(rf"(?<![\w])\+?\d(?:{_SEP}\d){{8,18}}(?![\w])"), "[number]"),
    # a local number: 123-45-67
    (re.compile(r"(?<!\d)\d{3}-\d{2}-\d{2}(?!\d)"), "[number]"),
)


def scrub(text: str) -> str:
    for pattern, placeholder in PATTERNS:
        text = pattern.sub(placeholder, text)
    return text
