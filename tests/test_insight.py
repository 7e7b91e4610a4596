"""Insight counts under 5 cannot be worked out by differencing (issue 15). An adversary reads
every page the insight page offers (every language and channel filter, every period) and tries
the differencing attacks: the total minus the other rows (on one page and across filter pages),
a topic's period minus its other days, a long period minus a short one, and two overlapping
filters (everything - language - channel + both), with the numbers as shown and with the
ranges they stand for (a shown 10 is 10 to 14, a hidden count 1 to 4). Against counts shown as
they were before (exact from 5 up) the same adversary recovers small counts; against the page
it finds none."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from bot.db.models import UsageCount
from bot.workbench import insight
from bot.workbench.insight import DAYS, Insight, one_day, period, protected, rate, shown, summarise

END = dt.date(2026, 11, 28)
LANGUAGES = ("ru", "uz", "tg")
CHANNELS = ("telegram", "web")
TOPICS = ("wages_unpaid", "documents_confiscated", "rights_women", "dismissal_unfair", "status_irregular")
ORGANISATIONS = ("union_a", "union_b")


@dataclass(frozen=True)
class Box:
    """A set of counts: one kind, one topic (None: all), languages and channels (None: all),
    from `first` to `last`."""

    kind: str
    topic: str | None
    languages: frozenset[str] | None
    channels: frozenset[str] | None
    first: dt.date
    last: dt.date = END

    def holds(self, row: UsageCount) -> bool:
        return (row.kind == self.kind and self.topic in (None, row.topic) and self.first <= row.day <= self.last
                and (self.languages is None or row.language in self.languages)
                and (self.channels is None or row.channel in self.channels))


def one(value: str) -> frozenset[str] | None:
    return frozenset([value]) if value else None


def counts(seed: int) -> list[UsageCount]:
    """A year and more of sparse, mostly small counts."""
    chance = random.Random(seed)
    rows = []
    for age in range(400):
        day = END - dt.timedelta(days=age)
        for language in LANGUAGES:
            for channel in CHANNELS:
                keys = [("answer", t) for t in TOPICS] + [("referral", o) for o in ORGANISATIONS] + [
                    ("conversation", ""), ("fallback", ""), ("handoff", "")]
                for kind, topic in keys:
                    if chance.random() < 0.04:
                        rows.append(UsageCount(day=day, kind=kind, topic=topic, language=language, channel=channel,
                                               count=chance.choice([1, 1, 2, 3, 4, 5, 6, 8])))
    return rows


def read_every_page(rows: list[UsageCount]) -> dict[Box, int | None]:
    """Every number on every page the insight page offers, by the counts it adds up."""
    seen: dict[Box, int | None] = {}

    def note(box: Box, value: int | None) -> None:
        assert seen.setdefault(box, value) == value, box        # one set of counts, one number
    for days in DAYS:
        _, start = period(str(days), END)
        window = [r for r in rows if start <= r.day <= END]
        for language in ("", *LANGUAGES):
            for channel in ("", *CHANNELS):
                page = summarise(window, start, END, language, channel)
                read_page(page, start, one(language), one(channel), note)
    return seen


def read_page(page: Insight, start: dt.date, languages: frozenset[str] | None, channels: frozenset[str] | None,
              note: Callable[[Box, int | None], None]) -> None:
    for kind, value in page.totals.items():
        note(Box(kind, None, languages, channels, start), value)
    for topic, value in page.topic_totals:
        note(Box("answer", topic, languages, channels, start), value)
    for code, value in page.languages:
        note(Box("answer", None, one(code), channels, start), value)
    for name, value in page.channels:
        note(Box("conversation", None, languages, one(name), start), value)
    for organisation, value in page.referrals:
        note(Box("referral", organisation, languages, channels, start), value)
    for topic, series in page.topics.items():
        for day, value in zip(page.days, series, strict=True):
            note(Box("answer", topic, languages, channels, day, day), value)


def attacks(seen: dict[Box, int | None]) -> Iterator[tuple[Box, int, str]]:
    """(what, what it is worked out to be, how) for every differencing attack on the pages."""
    shown = {box: value for box, value in seen.items() if value is not None}
    for box, value in shown.items():
        if box.languages is None:                                    # all languages minus the others
            yield from _rest(shown, box, value, [(code, _with(box, languages=one(code))) for code in LANGUAGES])
        if box.channels is None:
            yield from _rest(shown, box, value, [(name, _with(box, channels=one(name))) for name in CHANNELS])
        if box.topic is None and box.kind == "answer":
            yield from _rest(shown, box, value, [(t, _with(box, topic=t)) for t in TOPICS])
        if box.topic is None and box.kind == "referral":
            yield from _rest(shown, box, value, [(o, _with(box, topic=o)) for o in ORGANISATIONS])
        if box.kind == "answer" and box.topic is not None and box.first != box.last:    # a period minus its days
            days = [box.first + dt.timedelta(days=i) for i in range((box.last - box.first).days + 1)]
            yield from _rest(shown, box, value, [(d.isoformat(), _with(box, first=d, last=d)) for d in days])
        for days in DAYS:                                            # a long period minus a short one
            _, start = period(str(days), END)
            shorter = _with(box, first=start)
            if box.last == END and start > box.first and shorter in shown:
                yield _with(box, last=start - dt.timedelta(days=1)), value - shown[shorter], "period"
        if box.languages is None and box.channels is None:           # two overlapping filters
            for code in LANGUAGES:
                for name in CHANNELS:
                    parts = [_with(box, languages=one(code)), _with(box, channels=one(name)),
                             _with(box, languages=one(code), channels=one(name))]
                    if all(p in shown for p in parts):
                        rest = _with(box, languages=frozenset(LANGUAGES) - {code},
                                     channels=frozenset(CHANNELS) - {name})
                        yield rest, value - shown[parts[0]] - shown[parts[1]] + shown[parts[2]], "overlap"


def _with(box: Box, **changes: object) -> Box:
    return Box(**{**box.__dict__, **changes})  # type: ignore[arg-type]


def _rest(shown: dict[Box, int], whole: Box, value: int,
          parts: list[tuple[str, Box]]) -> Iterator[tuple[Box, int, str]]:
    """The total minus every part but one, when every other part is shown."""
    missing = [part for _, part in parts if part not in shown]
    if len(missing) > 1:
        return
    known = sum(shown[part] for _, part in parts if part in shown)
    for part in missing or [part for _, part in parts]:
        yield part, value - known + shown.get(part, 0), "rest"


def recovered(rows: list[UsageCount]) -> list[tuple[Box, int, str]]:
    """The attacks that give a count from 1 to 4 exactly."""
    found = []
    for box, value, how in attacks(read_every_page(rows)):
        if not 0 < value < insight.SMALLEST:
            continue
        truth = sum(r.count for r in rows if box.holds(r))
        if value == truth:
            found.append((box, truth, how))
    return found


INFINITE = 10**9
Ranges = Callable[[Box, int | None], tuple[int, int]]


def relations(seen: dict[Box, int | None]) -> Iterator[tuple[Box, list[Box], bool]]:
    """(a total, its parts, whether the page shows them as the parts of that total)."""
    for box in seen:
        if box.languages is None:
            yield box, [_with(box, languages=one(c)) for c in LANGUAGES], box.kind == "answer" and box.topic is None
        if box.channels is None:
            yield box, [_with(box, channels=one(c)) for c in CHANNELS], box.kind == "conversation"
        if box.topic is None and box.kind in ("answer", "referral") and box.first != box.last:
            yield box, [_with(box, topic=t) for t in (TOPICS if box.kind == "answer" else ORGANISATIONS)], True
        if box.kind == "answer" and box.topic is not None and box.first != box.last:
            days = [box.first + dt.timedelta(days=i) for i in range((box.last - box.first).days + 1)]
            yield box, [_with(box, first=d, last=d) for d in days], False


def day(box: Box) -> bool:
    return box.first == box.last


def ranges_now(box: Box, value: int | None) -> tuple[int, int]:
    """What a reader of the page knows a number to be."""
    if value is None:
        if day(box):
            return 0, insight.SMALLEST - 1
        beside = ((box.kind == "conversation" and box.channels is not None)
                  or (box.kind == "answer" and (box.topic is not None or box.languages is not None))
                  or (box.kind == "referral" and box.topic is not None))
        return (1, INFINITE) if beside else (1, insight.SMALLEST - 1)    # beside a hidden part: any size
    return (0, 0) if value == 0 else (value, value + insight.BASE - 1)


def ranges_before(box: Box, value: int | None) -> tuple[int, int]:
    return (1, insight.SMALLEST - 1) if value is None else (value, value)


def narrowed(rows: list[UsageCount], ranges: Ranges, together: int) -> list[tuple[Box, int]]:
    """Hidden counts from 1 to 4 that one total and the ranges of its parts pin to one value;
    `together`: what the hidden parts of a total the page splits add up to at least."""
    seen = read_every_page(rows)
    found = []
    for whole, parts, split in relations(seen):
        listed = [p for p in parts if p in seen]                    # a part not listed is 0
        hidden = [p for p in listed if seen[p] is None]
        if whole not in seen or not hidden:
            continue
        shown = [p for p in listed if seen[p] is not None]
        low, high = ranges(whole, seen[whole])
        low -= sum(ranges(p, seen[p])[1] for p in shown)
        high -= sum(ranges(p, seen[p])[0] for p in shown)
        if split and len(hidden) > 1:
            low = max(low, together)
        for part in hidden:
            others = [q for q in hidden if q is not part]
            least = max(ranges(part, None)[0], low - sum(ranges(q, None)[1] for q in others))
            most = min(ranges(part, None)[1], high - sum(ranges(q, None)[0] for q in others))
            if least != most or not 0 < least < insight.SMALLEST:
                continue
            truth = sum(r.count for r in rows if part.holds(r))
            if least == truth:
                found.append((part, truth))
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_no_count_under_five_is_narrowed_to_one_value_by_ranges(seed: int) -> None:
    assert narrowed(counts(seed), ranges_now, 2 * insight.SMALLEST) == []


def test_ranges_pin_small_counts_shown_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(insight, "shown", lambda n: None if 0 < n < insight.SMALLEST else n)
    monkeypatch.setattr(insight, "one_day", insight.shown)
    monkeypatch.setattr(insight, "protected", lambda parts: {k: insight.shown(n) for k, n in parts.items()})
    assert narrowed(counts(1), ranges_before, 0) != []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_count_under_five_is_recovered_by_differencing_any_pages(seed: int) -> None:
    rows = counts(seed)
    assert recovered(rows) == []
    for value in read_every_page(rows).values():
        assert value is None or value % insight.BASE == 0      # so every sum or difference is a multiple of 5


def test_the_same_attacks_recover_small_counts_shown_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adversary is real: with counts shown exactly from 5 up (before issue 15), it works."""
    monkeypatch.setattr(insight, "shown", lambda n: None if 0 < n < insight.SMALLEST else n)
    monkeypatch.setattr(insight, "one_day", insight.shown)
    monkeypatch.setattr(insight, "protected", lambda parts: {k: insight.shown(n) for k, n in parts.items()})
    found = recovered(counts(1))
    assert {"rest", "period", "overlap"} <= {how for _, _, how in found}


def test_counts_are_rounded_down_to_five_and_small_ones_hidden() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 7, 9, 10, 14, 97)] == [0, None, None, 5, 5, 5, 10, 10, 95]
    assert [one_day(n) for n in (0, 1, 4, 5, 12)] == [None, None, None, 5, 10]
    assert rate(5, 20) == 0.25 and rate(None, 20) is None and rate(5, 0) is None


def test_hidden_parts_take_the_smallest_shown_parts_with_them_until_they_make_ten() -> None:
    assert protected({"a": 40, "b": 3, "c": 9, "d": 0, "e": 12}) == {"a": 40, "b": None, "c": None, "d": 0,
                                                                     "e": 10}
    assert protected({"a": 40, "b": 3, "c": 2}) == {"a": None, "b": None, "c": None}    # 5 hidden: not enough
    assert protected({"a": 40, "b": 3, "c": 4, "e": 6}) == {"a": 40, "b": None, "c": None, "e": None}
    assert protected({"a": 3, "d": 0}) == {"a": None, "d": 0}                       # the total is small too


def test_only_the_offered_periods() -> None:
    assert period("7", END) == (7, END - dt.timedelta(days=6))
    assert period("31", END)[0] == period("x", END)[0] == period(None, END)[0] == 30
