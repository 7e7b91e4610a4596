"""The coverage board: every topic in every reply language, as reviewed, awaiting review (an
edit in the studio waits for a reviewer of that language, bot/studio/drafts.py), draft, stale
(its review-by date has passed) or missing, with the number of example questions. Read from the
content the console serves, so organisers see their edit before it is trained."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from bot.content.model import Library

STATES = ("reviewed", "awaiting", "draft", "stale", "missing")


@dataclass(frozen=True)
class Cell:
    state: str          # reviewed | awaiting | draft | stale | missing
    examples: int
    derived: bool = False   # made from another language (Uzbek Cyrillic from Uzbek Latin)


@dataclass(frozen=True)
class Row:
    topic: str
    title: str
    review_by: dt.date | None
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Board:
    languages: tuple[str, ...]
    rows: tuple[Row, ...]

    def totals(self) -> dict[str, Counter[str]]:
        """Per language: how many topics are in each state."""
        counts: dict[str, Counter[str]] = {code: Counter() for code in self.languages}
        for row in self.rows:
            for code, cell in row.cells.items():
                counts[code][cell.state] += 1
        return counts


def board(library: Library, today: dt.date, awaiting: Collection[tuple[str, str]] = ()) -> Board:
    """`awaiting`: (topic, language) pairs with an edit waiting for review; a derived language
    (Uzbek Cyrillic) waits with its base."""
    languages = tuple(library.languages)
    rows = []
    for topic in sorted(library.topics.values(), key=lambda t: t.id):
        stale = topic.review_by is not None and topic.review_by < today
        cells = {}
        for code, language in library.languages.items():
            answer = topic.answer(code)
            if (topic.id, language.base or code) in awaiting:
                cells[code] = Cell("awaiting", len(answer.examples) if answer else 0, language.base is not None)
                continue
            if answer is None or not (answer.text or "").strip():
                cells[code] = Cell("missing", len(answer.examples) if answer else 0, language.base is not None)
                continue
            state = "stale" if stale else ("reviewed" if answer.status == "reviewed" else "draft")
            cells[code] = Cell(state, len(answer.examples), language.base is not None)
        title = next((a.title for a in (topic.answer(library.default_language), *topic.answers.values())
                      if a is not None), topic.id)
        rows.append(Row(topic.id, title, topic.review_by, cells))
    return Board(languages, tuple(rows))
