"""Dates on which facts quoted in answers change (content/changes.yml): the minimum wage every
1 January, the key rate at Bank of Russia board meetings. A topic that quotes such a fact must
be reviewed by the next change: `helpline check` warns when its `review_by` falls after it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.problems import Problem
from bot.content.wording import T_
from bot.content.yamlfile import YamlDoc, read_yaml

FILE = "changes.yml"
_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Change:
    id: str
    what: str
    topics: tuple[str, ...]
    every_year: tuple[int, int] | None = None     # (month, day)
    dates: tuple[dt.date, ...] = ()

    def next_after(self, day: dt.date) -> dt.date | None:
        """The first known change strictly after `day`."""
        found = [d for d in self.dates if d > day]
        if self.every_year:
            month, date = self.every_year
            found += [d for year in (day.year, day.year + 1) if (d := dt.date(year, month, date)) > day]
        return min(found, default=None)


def load_changes(content_dir: Path) -> tuple[list[Change], list[Problem]]:
    path = content_dir / FILE
    if not path.exists():
        return [], []
    doc, problems = read_yaml(path)
    if doc is None:
        return [], problems
    items = doc.data.get("changes") if isinstance(doc.data, dict) else None
    changes = [found for index, item in enumerate(items or []) if (found := _change(doc, index, item, problems))]
    return changes, problems


def _change(doc: YamlDoc, index: int, item: object, problems: list[Problem]) -> Change | None:
    where = ("changes", index)
    if not isinstance(item, dict) or not item.get("id") or not item.get("what"):
        problems.append(doc.problem(where, T_("a change needs id, what and topics"),
                                    T_("copy another entry of content/changes.yml and change it")))
        return None
    every_year = None
    if (yearly := item.get("every_year")) is not None:
        match = _MONTH_DAY.fullmatch(str(yearly))
        try:
            every_year = (int(match[1]), int(match[2])) if match else None
            if every_year:
                dt.date(2024, *every_year)
        except ValueError:
            every_year = None
        if every_year is None:
            problems.append(doc.problem((*where, "every_year"), T_("every_year must be a month and day"),
                                        T_("write it as \"01-01\" (1 January), in quotes")))
    dates = item.get("dates") or []
    if not isinstance(dates, list) or not all(isinstance(d, dt.date) for d in dates):
        problems.append(doc.problem((*where, "dates"), T_("dates must be a list of dates"),
                                    T_("write them as [2027-02-12, 2027-03-19]")))
        dates = []
    return Change(str(item["id"]), str(item["what"]).strip(), tuple(str(t) for t in item.get("topics") or []),
                  every_year, tuple(sorted(dates)))
