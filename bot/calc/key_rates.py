"""The key-rate table organisers keep in content/key_rates.yml."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bot.content.problems import Problem
from bot.content.wording import T_
from bot.content.yamlfile import read_yaml

FILE = "key_rates.yml"


@dataclass(frozen=True)
class Rate:
    start: dt.date
    percent: Decimal
    source: str


@dataclass(frozen=True)
class KeyRates:
    rates: tuple[Rate, ...]          # sorted by start
    checked_on: dt.date

    def on(self, day: dt.date) -> Decimal | None:
        """The rate in force on `day`, or None before the first entry."""
        found = None
        for rate in self.rates:
            if rate.start <= day:
                found = rate.percent
        return found

    @property
    def first(self) -> dt.date:
        return self.rates[0].start


def load_key_rates(content_dir: Path) -> tuple[KeyRates | None, list[Problem]]:
    path = content_dir / FILE
    if not path.exists():
        return None, [Problem(path, None, T_("the key-rate table is missing"),
                              T_("create content/key_rates.yml with checked_on and rates (see git history)"))]
    doc, problems = read_yaml(path)
    if doc is None:
        return None, problems
    data = doc.data if isinstance(doc.data, dict) else {}
    checked = data.get("checked_on")
    if not isinstance(checked, dt.date):
        problems.append(doc.problem(("checked_on",), T_("checked_on is missing or not a date"),
                                    T_("write the day you last checked cbr.ru, e.g. checked_on: 2026-03-06")))
    rates: list[Rate] = []
    for index, item in enumerate(data.get("rates") or []):
        where = ("rates", index)
        if not isinstance(item, dict):
            problems.append(doc.problem(where, T_("a rate must have from, percent and source"),
                                        T_("write - from: 2026-02-16, percent: 15.5, source: https://cbr.ru/…")))
            continue
        start, percent, source = item.get("from"), item.get("percent"), item.get("source")
        try:
            value = Decimal(str(percent))
        except InvalidOperation:
            value = Decimal(-1)
        if not isinstance(start, dt.date):
            problems.append(doc.problem((*where, "from"), T_("from must be a date"), T_("write it as 2026-02-16")))
        elif not (Decimal(0) < value < Decimal(100)):
            problems.append(doc.problem((*where, "percent"), T_("percent {value} is not a rate", value=repr(percent)),
                                        T_("write the yearly rate in percent, e.g. 15.5")))
        elif not isinstance(source, str) or not source.startswith("http"):
            problems.append(doc.problem(where, T_("every rate needs a source address"),
                                        T_("add source: the cbr.ru page (or where you read it)")))
        else:
            rates.append(Rate(start, value, source))
    starts = [r.start for r in rates]
    if len(set(starts)) != len(starts):
        problems.append(doc.problem(("rates",), T_("two rates start on the same day"), T_("keep one of them")))
    if not rates and not problems:
        problems.append(doc.problem(("rates",), T_("there is no rate"), T_("add at least one rate")))
    if problems or not isinstance(checked, dt.date):
        return None, problems
    return KeyRates(tuple(sorted(rates, key=lambda r: r.start)), checked), []
