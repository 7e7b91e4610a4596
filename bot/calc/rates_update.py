"""`helpline rates update`: content/key_rates.yml checked against the Bank of Russia's history.

What happens to each line of the table, and why:
- The table covers the days from `start` (--from, else its first line) on. The service is asked
  from LOOK_BACK earlier, so that a rate that changed on `start` can be told from one that was
  already in force; those earlier days are looked at, never written.
- From `start` to the last day the service returned, the service decides: its change days are
  added, changed (another rate) or confirmed (the same rate), and table lines on other days are
  removed. The line at `start` stays the table's first line even where the rate took effect
  earlier, and its note says so.
- Lines before `start` (only with --from) and after the service's last day (a decision announced
  but not yet in force) are kept as they are, with their own source.
- Nothing is written, and the reason is given, when the answer cannot be read (bot/calc/cbr.py:
  malformed XML, no rows, a rate out of range, dates out of order), when the service does not
  reach back to `start` (the older lines could be neither confirmed nor dropped), when the
  table's rate just before `start` is not the Bank of Russia's (the error lies before what was
  asked: ask again with an earlier --from), or when the new file would not read back as planned.
Lines that stay as they were are copied character for character, comments included, as is
everything outside the list (the header comment). checked_on becomes the day of the check.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bot.calc import cbr
from bot.calc.key_rates import FILE, KeyRates, Rate, load_key_rates, read_key_rates
from bot.content.problems import Problem
from bot.content.yamlfile import YamlDoc, read_yaml

LOOK_BACK = dt.timedelta(days=15)     # past a weekend and the New Year holidays
KINDS = ("added", "changed", "removed", "confirmed", "kept")
_MARKS = {"added": "+", "changed": "~", "removed": "-", "kept": "="}


class Refused(Exception):
    """Nothing was written; the message (and any problems in the table) say why."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Line:
    """One line of the comparison between the table and the Bank of Russia's history."""

    kind: str                     # one of KINDS
    day: dt.date
    percent: Decimal
    was: Decimal | None = None    # the table's rate, for a changed line
    why: str = ""

    def render(self) -> str:
        rate = f"{percent(self.was)} % -> {percent(self.percent)} %" if self.was is not None \
            else f"{percent(self.percent)} %"
        return f"{_MARKS.get(self.kind, ' ')} {self.day}  {rate}  {self.kind}" + (f": {self.why}" if self.why else "")


@dataclass(frozen=True)
class Update:
    url: str
    first: dt.date                # the first and last day the service returned
    last: dt.date
    days: int
    lines: tuple[Line, ...]
    text: str                     # the new file
    written: bool

    def report(self, name: str, checked_on: dt.date) -> list[str]:
        counts = Counter(line.kind for line in self.lines)
        return [f"Bank of Russia key rate from {self.url}: {self.days} days, {self.first} to {self.last}",
                *(line.render() for line in self.lines if line.kind != "confirmed"),
                ", ".join(f"{counts[kind]} {kind}" for kind in KINDS),
                f"wrote {name} (checked_on: {checked_on})" if self.written else "dry run: nothing was written"]


@dataclass(frozen=True)
class _Row:
    start: dt.date
    percent: Decimal
    block: str                    # its lines of YAML


def update(content_dir: Path, *, today: dt.date, url: str = cbr.OFFICIAL, start: dt.date | None = None,
           dry_run: bool = False, timeout: float = 30.0) -> Update:
    """Compare the table with the service and (unless `dry_run`) write it; raises Refused or cbr.KeyRateError."""
    path = content_dir / FILE
    table, problems = load_key_rates(content_dir)
    doc = read_yaml(path)[0] if table is not None else None
    if table is None or doc is None:
        raise Refused(f"{FILE} has errors; fix them first (`helpline check` shows them)", problems)
    start = start or table.first
    if start > today:
        raise Refused(f"--from {start} is after today ({today})")
    text = path.read_text(encoding="utf-8")
    blocks, region = _blocks(doc, text)
    days = cbr.parse(cbr.fetch(url, start - LOOK_BACK, today, timeout=timeout))
    rows, lines = merge(table, blocks, days, start=start, today=today, url=url)
    new_text = _rewrite(text, doc, region, rows, today)
    _verify(new_text, rows, today)
    if not dry_run:
        _write(path, new_text)
    return Update(url, days[0].day, days[-1].day, len(days), tuple(lines), new_text, not dry_run)


def merge(table: KeyRates, blocks: dict[dt.date, str], days: list[cbr.Day], *, start: dt.date, today: dt.date,
          url: str) -> tuple[list[_Row], list[Line]]:
    """The new table's rows and how each line compares (see the module's docstring)."""
    official = _official(table, days, start)
    last = days[-1].day
    by_day = {rate.start: rate for rate in table.rates}
    rows: list[_Row] = []
    lines: list[Line] = []
    for rate in table.rates:
        if rate.start < start or rate.start > last:
            why = f"before {start}, not asked for" if rate.start < start \
                else f"after {last}, the last day the service returned"
            rows.append(_Row(rate.start, rate.percent, blocks[rate.start]))
            lines.append(Line("kept", rate.start, rate.percent, why=why))
        elif rate.start not in official:
            lines.append(Line("removed", rate.start, rate.percent, why="the Bank of Russia's rate did not change then"))
    for day, (value, boundary) in official.items():
        old = by_day.get(day)
        kind = "added" if old is None else "changed" if old.percent != value else "confirmed"
        same = old is not None and kind == "confirmed" and (old.source, old.confidence) == (url, _confidence(url))
        rows.append(_Row(day, value, blocks[day] if same else _block(day, value, url, _note(old, boundary, today))))
        lines.append(Line(kind, day, value, old.percent if kind == "changed" and old else None))
    return sorted(rows, key=lambda row: row.start), sorted(lines, key=lambda line: line.day)


def _official(table: KeyRates, days: list[cbr.Day], start: dt.date) -> dict[dt.date, tuple[Decimal, bool]]:
    """The Bank of Russia's lines from `start` on: {day: (rate, whether `start` is only where the table begins)}."""
    if days[0].day > start:
        raise Refused(f"the service returned rates from {days[0].day} only, not from {start}: the table's lines "
                      f"before {days[0].day} could be neither confirmed nor dropped. Run again with --from "
                      f"{days[0].day} (or later) to check from there and keep the older lines as they are")
    before = [d for d in days if d.day < start]
    in_force = [d for d in days if d.day <= start][-1].percent
    changed_on_start = bool(before) and before[-1].percent != in_force
    older = [rate for rate in table.rates if rate.start < start]
    official = {d.day: (d.percent, False) for d in cbr.changes(days) if d.day > start}
    if not older:
        return {start: (in_force, not changed_on_start), **official}
    bank = before[-1] if before else cbr.Day(start, in_force)
    if older[-1].percent != bank.percent:
        raise Refused(f"the table has {percent(older[-1].percent)} % on {bank.day} (from {older[-1].start}), the "
                      f"Bank of Russia {percent(bank.percent)} %: the table is wrong before {start}. Run again with "
                      f"--from {older[-1].start} or earlier")
    return {start: (in_force, False), **official} if changed_on_start else official


def _note(old: Rate | None, boundary: bool, today: dt.date) -> str:
    note = f"read from the Bank of Russia's DailyInfo service (KeyRate) on {today}"
    if boundary:
        note = "in force on this day, where the table starts (it took effect on this day or earlier); " + note
    if old is None:
        return note
    earlier = "; ".join(part for part in (old.source, old.note) if part)
    return f"{note}; before that the table had {percent(old.percent)} % ({earlier})" if earlier \
        else f"{note}; before that the table had {percent(old.percent)} %"


def _confidence(url: str) -> str:
    return "high" if url == cbr.OFFICIAL else "medium"      # a mirror is not the Bank of Russia


def _block(day: dt.date, value: Decimal, url: str, note: str) -> str:
    return (f"  - from: {day.isoformat()}\n    percent: {percent(value)}\n    source: {_quoted(url)}\n"
            f"    note: {_quoted(note)}\n    confidence: {_confidence(url)}\n")


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def percent(value: Decimal) -> str:
    """15.50 as 15.5, 20.00 as 20."""
    return format(value.normalize(), "f")


def _blocks(doc: YamlDoc, text: str) -> tuple[dict[dt.date, str], tuple[int, int]]:
    """Each line's YAML text by its day, and the file's lines (0-based, end excluded) that hold the list."""
    lines = text.splitlines(keepends=True)
    items = doc.data["rates"]
    firsts = sorted((doc.lines[("rates", index)] - 1, item["from"]) for index, item in enumerate(items))
    if any(not lines[first].lstrip().startswith("-") for first, _ in firsts):
        raise Refused(f"write rates in {FILE} as a list of '- from: ...' lines, as in git history")
    end = firsts[-1][0] + 1
    while end < len(lines) and lines[end][:1].isspace() and lines[end].strip():
        end += 1
    bounds = [first for first, _ in firsts] + [end]
    blocks = {day: "".join(lines[bounds[i]:bounds[i + 1]]) for i, (_, day) in enumerate(firsts)}
    return {day: block if block.endswith("\n") else block + "\n" for day, block in blocks.items()}, (bounds[0], end)


def _rewrite(text: str, doc: YamlDoc, region: tuple[int, int], rows: list[_Row], today: dt.date) -> str:
    lines = text.splitlines(keepends=True)
    checked = doc.lines[("checked_on",)] - 1
    old = lines[checked]
    if not old.startswith("checked_on:"):
        raise Refused(f"write checked_on at the start of its own line in {FILE}")
    column = old.find("#") if "#" in old else 0
    lines[checked] = (f"checked_on: {today.isoformat()}".ljust(column - 1) + " # the day `helpline rates update` "
                      "read the DailyInfo service\n")
    first, end = region
    return "".join([*lines[:first], *(row.block for row in rows), *lines[end:]])


def _verify(text: str, rows: list[_Row], today: dt.date) -> None:
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / FILE
        trial.write_text(text, encoding="utf-8")
        table, problems = read_key_rates(trial)
    if table is None or table.checked_on != today or \
            [(r.start, r.percent) for r in table.rates] != [(r.start, r.percent) for r in rows]:
        raise Refused("the new table would not read back as planned (please report this)", problems)


def _write(path: Path, text: str) -> None:
    fresh = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        fresh.write_text(text, encoding="utf-8")
        shutil.copymode(path, fresh)
        os.replace(fresh, path)
    finally:
        fresh.unlink(missing_ok=True)
