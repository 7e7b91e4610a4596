"""Answers scoped to the country of work (Russia or Kazakhstan).

Organisers write one answer per language and mark what holds in one country only by starting
the line with the country's name and a colon or comma, as content/languages.yml names it:

    Россия: зарплату платят не реже чем каждые полмесяца (ст. 136 ТК РФ).
    • Qozogʻiston: oyiga kamida bir marta (QR MK 113-modda).

A person whose country is known sees the lines for that country and the unmarked ones; a
person who has not said sees everything. A marked line that ends with a colon is a heading:
the bullet lines under it go with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

BULLETS = " \t•·-–—*"


@dataclass(frozen=True)
class CountryLabel:
    """How one language names a country in answers, and the marks of that country's laws."""

    name: str
    cites: tuple[str, ...] = ()


Labels = Mapping[str, CountryLabel]


@dataclass(frozen=True)
class Scoped:
    text: str
    other_dropped: bool    # lines for another country were left out
    own_found: bool        # a line for the country itself is there


_AFTER_NAME = re.compile(r"(\s*\([^()]*\))?[:,]")    # "Россия:", "Россия,", "Казахстан (не проверено):"


_BULLET = re.compile(r"[\s•·*\-–—]*(\d{1,2}[.)]\s+)?")      # "• ", "- ", "5. "


def line_country(line: str, labels: Labels) -> str | None:
    """The country `line` is marked for, or None for a line that holds everywhere."""
    stripped = line[_BULLET.match(line).end():]  # type: ignore[union-attr]
    for code, label in labels.items():
        if stripped.startswith(label.name) and _AFTER_NAME.match(stripped, len(label.name)):
            return code
    return None


def countries_in(text: str, labels: Labels) -> set[str]:
    return {code for line in text.splitlines() if (code := line_country(line, labels))}


def _is_bullet(line: str) -> bool:
    return line.lstrip()[:1] in ("•", "·", "-", "–", "—", "*") or line.lstrip()[:1].isdigit()


def _is_heading(line: str) -> bool:
    return line.rstrip().endswith(":") and not _is_bullet(line)


def _marked(lines: list[str], labels: Labels) -> Iterable[tuple[str, str | None]]:
    """Each line with the country it is for; bullets under a marked heading share its mark."""
    heading: str | None = None
    for line in lines:
        country = line_country(line, labels)
        if country is None and heading is not None and _is_bullet(line):
            yield line, heading
            continue
        heading = country if country is not None and _is_heading(line) else None
        yield line, country


def scope(text: str, labels: Labels, country: str | None) -> Scoped:
    """`text` as a person working in `country` should see it (all of it when country is None)."""
    if not country or not labels:
        return Scoped(text, False, False)
    kept: list[str] = []
    dropped = own = False
    for line, marked in _marked(text.splitlines(), labels):
        if marked is not None and marked != country:
            dropped = True
            continue
        own = own or marked == country
        kept.append(line)
    return Scoped("\n".join(_without_orphan_headings(kept)).strip("\n"), dropped, own)


def _without_orphan_headings(lines: list[str]) -> list[str]:
    """Drop a heading ("What to do today:") whose bullets were all for another country."""
    result: list[str] = []
    for i, line in enumerate(lines):
        if _is_heading(line):
            following = next((x for x in lines[i + 1:] if x.strip()), None)
            if following is None or not _is_bullet(following):
                continue
        result.append(line)
    return result


def unmarked_citations(text: str, labels: Labels) -> list[tuple[int, str, str]]:
    """Lines that cite one country's law but are not marked for it: (index, country, mark).

    Mixed lines (naming both countries, or a country mid-line) are left alone."""
    found = []
    for index, (line, marked) in enumerate(_marked(text.splitlines(), labels)):
        if marked is not None or any(f"{label.name}:" in line for label in labels.values()):
            continue
        cited = {code: mark for code, label in labels.items() for mark in label.cites if mark in line}
        if len(cited) == 1:
            ((code, mark),) = cited.items()
            found.append((index, code, mark))
    return found
