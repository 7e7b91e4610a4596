"""Aggregates for the insight page, from usage_count only: no user, no text. Every number
from 1 to 4 is suppressed (shown as "<5"), and a rate is shown only when both of its numbers
are shown, so nobody can be picked out of a small count.

An organisation's organisers read only the counts routed to it (bot/workbench/reach.py):
conversations, answers and fallbacks of conversations that came through its link, the
referrals to it and the handoffs to its caseworkers; the operator organisation also the counts
routed to none; a global admin every count. Suppression applies to the counts as read, after
scoping, so a small count of one organisation is hidden even where the total is large."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import UsageCount
from bot.workbench.reach import Reach

SMALLEST = 5


def shown(n: int) -> int | None:
    """A count as it may be shown: None (suppressed) from 1 to SMALLEST - 1."""
    return None if 0 < n < SMALLEST else n


def rate(part: int, whole: int) -> float | None:
    if shown(part) is None or shown(whole) is None or whole == 0:
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


def summarise(rows: Iterable[UsageCount], start: dt.date, end: dt.date, top: int = 8) -> Insight:
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
    return Insight(
        days=days,
        topics={t: [shown(topic_day[t][d]) for d in days] for t in leading},
        topic_totals=[(t, shown(n)) for t, n in by_topic.most_common()],
        languages=[(code, shown(n)) for code, n in by_language.most_common()],
        channels=[(name, shown(n)) for name, n in by_channel.most_common()],
        fallback_rate=[rate(per_day["fallback"][d], per_day["answer"][d] + per_day["fallback"][d]) for d in days],
        handoff_rate=[rate(per_day["handoff"][d], per_day["conversation"][d]) for d in days],
        referrals=[(org, shown(n)) for org, n in by_org.most_common()],
        totals={kind: shown(by_kind[kind]) for kind in ("conversation", "answer", "fallback", "handoff", "referral")},
    )
