"""Answers scoped to the country of work (Russia or Kazakhstan).

Organisers write one answer per language and mark what holds in one country only by starting
the line with the country's name and a colon or comma, as content/languages.yml names it:

    Россия: зарплату платят не реже чем каждые полмесяца (ст. 136 ТК РФ).
    • Qozogʻiston: oyiga kamida bir marta (QR MK 113-modda).

A person whose country is known sees the lines for that country and the unmarked ones; a
person who has not said sees everything. A marked line that ends with a colon is a heading:
the bullet lines under it go with it. Numbered items are renumbered after the other country's
items are dropped ("1, 2, 4" never shows).

A line that cites one country's law (its `cites` patterns in content/languages.yml: "ТК РФ",
"МВД", "РФ КК") must carry that country's mark, and no line may cite an article without naming
the law ("(ст. 157)", "(Art. 157)": the language's `articles` patterns): `citation_problems`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

BULLETS = " \t•·-–—*"


@dataclass(frozen=True)
class CountryLabel:
    """How one language names a country in answers, and the marks of that country's laws."""

    name: str
    cites: tuple[str, ...] = ()      # regular expressions, matched case-sensitively

    def cited(self, line: str) -> str | None:
        """The first of this country's law marks that `line` cites, as written there."""
        for pattern in self.cites:
            if found := _compiled(pattern).search(line):
                return found.group(0)
        return None


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


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


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
    lines = _renumbered(_without_orphan_headings(kept)) if dropped else _without_orphan_headings(kept)
    return Scoped("\n".join(lines).strip("\n"), dropped, own)


_NUMBERED = re.compile(r"(\s*)(\d{1,2})([.)]\s)")


def _renumbered(lines: list[str]) -> list[str]:
    """Numbered items counted again after some were dropped: an item numbered 1 starts a list."""
    result, count = [], 0
    for line in lines:
        found = _NUMBERED.match(line)
        if found is None:
            result.append(line)
            continue
        count = 1 if found[2] == "1" else count + 1
        result.append(f"{found[1]}{count}{found[3]}{line[found.end():]}")
    return result


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


Kind = Literal["unmarked", "other", "bare"]


@dataclass(frozen=True)
class Citation:
    """A line that shows law to the wrong people: `unmarked` cites `country`'s law without its
    mark, `other` is marked for one country and cites the other's, `bare` cites an article
    without naming the law (so nobody can tell which country's it is)."""

    index: int            # the line, counted from 0
    kind: Kind
    country: str | None   # whose law is cited (None for a bare article)
    mark: str             # the words that cite it, as written


_CLAUSE_START, _CLAUSE_END = re.compile(r"[(]"), re.compile(r"[)]")


def citation_problems(text: str, labels: Labels, articles: tuple[str, ...] = (),
                      international: tuple[str, ...] = ()) -> list[Citation]:
    """Every line of `text` that cites law in a way the scoping rule cannot keep right.
    `international` marks law that holds in both countries (the EAEU Treaty, ILO conventions):
    an article of it is not bare."""
    shared = CountryLabel("", international)
    return list(_citations(text, labels, articles, {**labels, "": shared}))


def _citations(text: str, labels: Labels, articles: tuple[str, ...], laws: Labels) -> Iterator[Citation]:
    for index, (line, marked) in enumerate(_marked(text.splitlines(), labels)):
        for code, label in labels.items():
            mark = label.cited(line)
            if mark is not None and code != marked:
                yield Citation(index, "unmarked" if marked is None else "other", code, mark)
        for bare in dict.fromkeys(_bare_articles(line, laws, articles)):
            yield Citation(index, "bare", None, bare)


def _bare_articles(line: str, labels: Labels, articles: tuple[str, ...]) -> Iterator[str]:
    """Article numbers with no law named in their clause: within their brackets, or the line."""
    for pattern in articles:
        for found in _compiled(pattern).finditer(line):
            starts = [m.end() for m in _CLAUSE_START.finditer(line, 0, found.start())]
            end = _CLAUSE_END.search(line, found.end())
            clause = line[starts[-1] if starts else 0: end.start() if end else len(line)]
            if not any(label.cited(clause) for label in labels.values()):
                yield clause.strip()


def line_marks(text: str, labels: Labels) -> list[str | None]:
    """The country each line of `text` is shown to (None: everyone), headings' bullets included."""
    return [marked for _line, marked in _marked(text.splitlines(), labels)]
