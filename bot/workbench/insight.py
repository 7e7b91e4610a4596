"""Aggregates for the insight page, from usage_count only: no user, no text, and no count under
5 that a reader can work out, on one page or by comparing pages (issue 15).

- Every count is rounded down to a multiple of `BASE` (5-9 shows 5, 10-14 shows 10) and a
  count from 1 to 4 is hidden. Everything shown is then a multiple of 5, so no sum or
  difference of shown numbers (the total minus the other rows, one filter minus another, a long
  period minus a short one) is ever 1 to 4: it can only be a multiple of 5, which the hidden
  count is not.
- Where the parts of a total are shown (conversations by channel, answers by topic and by
  language, referrals by organisation), the hidden parts together are never under 10: while
  they are, the smallest shown part is hidden too (`protected`). The total minus the others
  then gives several parts together, at least 10, never one of them. A part hidden so is hidden
  wherever it is shown (the page filtered to that channel or language too): a number hidden on
  one page and shown on another would give itself away.
- A topic's answers day by day are hidden from 0 to 4 (`one_day`): a day is on the pages of
  several periods, and a hidden day that meant "at least 1" would let a reader count the days
  of a small total.
- A rate is worked out from the rounded numbers, and only when both are shown.
- The period is one of `DAYS`, never any number of days, so two pages differ by whole periods,
  not by one day.

tests/test_insight.py reads every page and tries the differencing attacks, with exact numbers
and with ranges (a 10 is 10 to 14); it finds no count under 5, where it finds many in the counts
as they were shown before. Left: a reader who knows more than the page (that a topic had no
answers on a day, say) can narrow a hidden count further.

An organisation's organisers read only the counts routed to it (bot/reach.py):
conversations, answers and fallbacks of conversations that came through its link, the
referrals to it and the handoffs to its caseworkers; the operator organisation also the counts
routed to none; a global admin every count. Suppression applies to the counts as read, after
scoping, so a small count of one organisation is hidden even where the total is large."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import UsageCount
from bot.reach import Reach
from bot.whole_numbers import whole_number

SMALLEST = 5
BASE = 5
DAYS = (7, 30, 90, 365)       # the periods the page offers, and the only ones it shows
KINDS = ("conversation", "answer", "fallback", "handoff", "referral")
K = TypeVar("K", bound=Hashable)


def shown(n: int) -> int | None:
    """A count as it may be shown: 0 as 0, None (hidden) from 1 to SMALLEST - 1, else rounded
    down to a multiple of BASE (5-9 shows 5, 10-14 shows 10)."""
    if n <= 0:
        return 0
    if n < SMALLEST:
        return None
    return BASE * (n // BASE)


def one_day(n: int) -> int | None:
    """A count of one day as it may be shown: hidden from 0 to SMALLEST - 1, so a hidden day
    says "fewer than 5", never "at least 1"."""
    return None if n < SMALLEST else shown(n)


def protected(counts: Mapping[K, int]) -> dict[K, int | None]:
    """The parts of one total as they may be shown: each `shown`; while the hidden parts add up
    to less than 2 * SMALLEST, the smallest other part that is not 0 is hidden too."""
    result = {key: shown(n) for key, n in counts.items()}
    while True:
        hidden = sum(counts[key] for key, value in result.items() if value is None)
        others = [key for key, value in result.items() if value]
        if not hidden or hidden >= 2 * SMALLEST or not others:
            return result
        result[min(others, key=lambda key: (counts[key], str(key)))] = None


def rate(part: int | None, whole: int | None) -> float | None:
    """A rate of two shown (rounded) numbers; None unless both are shown and `whole` is not 0."""
    if part is None or not whole:
        return None
    return part / whole


@dataclass(frozen=True)
class Insight:
    days: list[dt.date]
    topics: dict[str, list[int | None]]          # answers per topic per day (top topics)
    topic_totals: list[tuple[str, int | None]]
    languages: list[tuple[str, int | None]]      # answers per language
    channels: list[tuple[str, int | None]]       # conversations per channel
    fallback_rate: list[float | None]            # per day: fallbacks / (answers + fallbacks)
    handoff_rate: list[float | None]             # per day: handoffs / conversations
    referrals: list[tuple[str, int | None]]      # per organisation
    totals: dict[str, int | None]                # per kind over the period


def read(session: Session, reach: Reach, start: dt.date, end: dt.date) -> list[UsageCount]:
    """The counts in reach from `start` to `end`."""
    return list(session.scalars(select(UsageCount).where(
        UsageCount.day >= start, UsageCount.day <= end, reach.where(UsageCount.organisation))))


def period(days: str | None, end: dt.date) -> tuple[int, dt.date]:
    """The period asked for (one of DAYS, else 30) and its first day, ending on `end`."""
    number = whole_number(days)
    chosen = number if number in DAYS else 30
    return chosen, end - dt.timedelta(days=chosen - 1)


def filtered(rows: Iterable[UsageCount], language: str, channel: str) -> list[UsageCount]:
    """The rows of one language and one channel ("" for every one)."""
    return [r for r in rows if language in ("", r.language) and channel in ("", r.channel)]


def _listed(counts: Counter[str]) -> list[tuple[str, int | None]]:
    kept = protected(counts)
    return [(key, kept[key]) for key, _ in counts.most_common()]


def _split(rows: Iterable[UsageCount], kind: str, by: str) -> Counter[str]:
    parts = Counter[str]()
    for row in rows:
        if row.kind == kind:
            parts[getattr(row, by)] += row.count
    return parts


def summarise(rows: Iterable[UsageCount], start: dt.date, end: dt.date, language: str = "", channel: str = "",
              top: int = 8) -> Insight:
    """The page for one language and one channel ("" for every one) from every row of the
    period. A filtered page's conversations (answers) are the page of every channel (language)
    cut down, so a count is hidden on one page exactly when it is hidden on the other."""
    everything = list(rows)
    by_channel = protected(_split(filtered(everything, language, ""), "conversation", "channel"))
    by_language = protected(_split(filtered(everything, "", channel), "answer", "language"))
    page = _summarise(filtered(everything, language, channel), start, end, top)
    totals, channels, languages = dict(page.totals), page.channels, page.languages
    if channel:
        totals["conversation"] = by_channel.get(channel, 0)
        channels = [(name, by_channel[name]) for name, _ in channels]
    if language:
        totals["answer"] = by_language.get(language, 0)
        languages = [(code, by_language[code]) for code, _ in languages]
    return dataclasses.replace(page, totals=totals, channels=channels, languages=languages)


def _summarise(rows: Iterable[UsageCount], start: dt.date, end: dt.date, top: int) -> Insight:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    per_day: dict[str, Counter[dt.date]] = defaultdict(Counter)
    topic_day: dict[str, Counter[dt.date]] = defaultdict(Counter)
    by_topic, by_language, by_channel, by_org, by_kind = Counter[str](), Counter[str](), Counter[str](), \
        Counter[str](), Counter[str]()
    for row in rows:
        per_day[row.kind][row.day] += row.count
        by_kind[row.kind] += row.count
        if row.kind == "answer":
            topic_day[row.topic][row.day] += row.count
            by_topic[row.topic] += row.count
            by_language[row.language] += row.count
        elif row.kind == "conversation":
            by_channel[row.channel] += row.count
        elif row.kind == "referral":
            by_org[row.topic] += row.count
    leading = [topic for topic, _ in by_topic.most_common(top)]
    daily = {kind: {d: shown(per_day[kind][d]) for d in days} for kind in ("fallback", "conversation", "handoff")}
    return Insight(
        days=days,
        topics={t: [one_day(topic_day[t][d]) for d in days] for t in leading},
        topic_totals=_listed(by_topic),
        languages=_listed(by_language),
        channels=_listed(by_channel),
        fallback_rate=[rate(daily["fallback"][d], shown(per_day["answer"][d] + per_day["fallback"][d]))
                       for d in days],
        handoff_rate=[rate(daily["handoff"][d], daily["conversation"][d]) for d in days],
        referrals=_listed(by_org),
        totals={kind: shown(by_kind[kind]) for kind in KINDS},
    )
