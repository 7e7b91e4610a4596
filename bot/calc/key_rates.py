"""The key-rate table organisers keep in content/key_rates.yml (`helpline rates update` writes it
from the Bank of Russia's service; see bot/calc/rates_update.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot.content.problems import Problem
from bot.content.wording import T_
from bot.content.yamlfile import Path_, YamlDoc, read_yaml

FILE = "key_rates.yml"
CONFIDENCE = ("high", "medium-high", "medium", "low")
TOP_KEYS = frozenset({"checked_on", "confirm_at", "rates"})
ROW_KEYS = frozenset({"from", "percent", "source", "note", "confidence"})


@dataclass(frozen=True)
class Rate:
    start: dt.date
    percent: Decimal
    source: str              # the address it was read at; "" when `note` says where it came from
    note: str = ""
    confidence: str = ""


@dataclass(frozen=True)
class KeyRates:
    rates: tuple[Rate, ...]          # sorted by start
    checked_on: dt.date
    confirm_at: str | None = None    # where the whole history can be confirmed (cbr.ru)

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
    return read_key_rates(path)


def read_key_rates(path: Path) -> tuple[KeyRates | None, list[Problem]]:
    """The table in `path` (any file name), or the problems that keep it from being used."""
    doc, problems = read_yaml(path)
    if doc is None:
        return None, problems
    data = doc.data if isinstance(doc.data, dict) else {}
    _known_keys(doc, (), data, TOP_KEYS, problems)
    checked = data.get("checked_on")
    if not isinstance(checked, dt.date):
        problems.append(doc.problem(("checked_on",), T_("checked_on is missing or not a date"),
                                    T_("write the day you last checked cbr.ru, e.g. checked_on: 2026-03-06")))
    confirm_at = data.get("confirm_at")
    if confirm_at is not None and not _is_address(confirm_at):
        problems.append(doc.problem(("confirm_at",), T_("confirm_at must be a web address"),
                                    T_("write the Bank of Russia's key-rate page, https://www.cbr.ru/hd_base/KeyRate/")))
    found = [_rate(doc, ("rates", index), item, problems) for index, item in enumerate(data.get("rates") or [])]
    rates = [rate for rate in found if rate is not None]
    starts = [r.start for r in rates]
    if len(set(starts)) != len(starts):
        problems.append(doc.problem(("rates",), T_("two rates start on the same day"), T_("keep one of them")))
    if not rates and not problems:
        problems.append(doc.problem(("rates",), T_("there is no rate"), T_("add at least one rate")))
    if problems or not isinstance(checked, dt.date):
        return None, problems
    return KeyRates(tuple(sorted(rates, key=lambda r: r.start)), checked,
                    confirm_at if isinstance(confirm_at, str) else None), []


def _rate(doc: YamlDoc, where: Path_, item: Any, problems: list[Problem]) -> Rate | None:
    if not isinstance(item, dict):
        problems.append(doc.problem(where, T_("a rate must have from, percent, source or note, and confidence"),
                                    T_("write - from: 2026-02-16, percent: 15.5, source: https://www.cbr.ru/…, "
                                       "confidence: high")))
        return None
    before = len(problems)
    _known_keys(doc, where, item, ROW_KEYS, problems)
    start, source, note, confidence = (item.get(key) for key in ("from", "source", "note", "confidence"))
    percent = _percent(item.get("percent"))
    if not isinstance(start, dt.date):
        problems.append(doc.problem((*where, "from"), T_("from must be a date"), T_("write it as 2026-02-16")))
    if percent is None:
        problems.append(doc.problem((*where, "percent"),
                                    T_("percent {value} is not a rate", value=repr(item.get("percent"))),
                                    T_("write the yearly rate in percent, e.g. 15.5")))
    note_text = "" if note is None else str(note).strip()
    if source is not None and not _is_address(source):
        problems.append(doc.problem((*where, "source"), T_("source must be a web address"),
                                    T_("write the address where you read the rate, starting with https://; "
                                       "if there is none, leave source out and say in note where it came from")))
    elif source is None and not note_text:
        problems.append(doc.problem(where, T_("every rate needs a source address or a note saying where it came from"),
                                    T_("add source: the address where you read it (www.cbr.ru is the official "
                                       "one); if there is no address, write in note where the rate came from")))
    if confidence not in CONFIDENCE:
        problems.append(doc.problem((*where, "confidence"), T_("'{key}' is {value}; it must be one of: {choices}",
                                                               key="confidence", value=repr(confidence),
                                                               choices=", ".join(CONFIDENCE)),
                                    T_("write how sure the rate is: high when read on cbr.ru, medium from "
                                       "another source, low when not re-read")))
    if len(problems) > before or not isinstance(start, dt.date) or percent is None:
        return None
    return Rate(start, percent, source or "", note_text, str(confidence))


def _percent(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and Decimal(0) < number < Decimal(100) else None


def _is_address(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _known_keys(doc: YamlDoc, where: Path_, item: dict[str, Any], allowed: frozenset[str],
                problems: list[Problem]) -> None:
    for key in sorted(set(item) - allowed):
        problems.append(doc.problem((*where, key), T_("'{key}' is not a known key", key=key),
                                    T_("check the spelling; the keys are: {keys}", keys=", ".join(sorted(allowed)))))
