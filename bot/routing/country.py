"""The country of work, inferred from what the user writes: a place in Russia or Kazakhstan,
the country's name, or its currency. Kept for the conversation only (the `country` slot)."""

from __future__ import annotations

import re

from bot.routing.places import Places, rank_places

SURE = 0.9     # a place name, not a one-letter-off word ("маска" is 0.85 from Москва)

NAMES = {
    "KZ": re.compile(r"казах|qozog|qozoʻg|qozog'|қазоқ|казакст|kazakh|тенге|теңге|tenge|tengе", re.IGNORECASE),
    "RU": re.compile(r"росси|rossiy|русия|орусия|russia|рубл|rubl", re.IGNORECASE),
}


def infer_country(text: str, places: Places | None) -> str | None:
    """RU or KZ when the text says so unambiguously, else None."""
    found = {code for code, pattern in NAMES.items() if pattern.search(text)}
    if places is not None:
        found |= {m.place.country for m in rank_places(text, places) if m.score >= SURE}
    return found.pop() if len(found) == 1 else None
