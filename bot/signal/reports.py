"""Employers named by users who agreed to have them counted, and the alerts organisers see.

One row per user and employer (`employer_report`). An alert is an employer named by at least
`threshold` different users within `days`, among the reports an account may see (its reach,
bot/workbench/reach.py). Alerts carry counts, never conversations.

Reports are scoped by place, the places an organisation's contacts serve:
- a report with a city: organisations with a contact in that city, in its region, or for the
  whole country;
- a report with a country but no city: organisations with a contact for the whole country;
- a report without a country: no union. Those without a country or a city ("unplaced") are
  seen by the helpline's operator organisation, beside the reports its own contacts cover;
- a global admin sees every report.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Contact, EmployerReport
from bot.signal.employers import display_name, employer_key
from bot.workbench.notes import EmployerMention
from bot.workbench.reach import Reach

MAX_TOPIC_CHARS = 64
MAX_CITY_CHARS = 64


@dataclass(frozen=True)
class Alert:
    """Several users named one employer. Only counts: nothing here leads back to a person."""

    key: str
    name: str                      # the spelling most users wrote, scrubbed
    users: int                     # different users (conversations) who named it
    topics: dict[str, int]         # users per topic, most first
    cities: dict[str, int]         # users per place id, most first


@dataclass(frozen=True)
class Scope:
    """Where an organisation's contacts work: whole countries, regions, cities."""

    national: frozenset[str]                    # countries with a contact for the whole country
    regions: frozenset[tuple[str, str]]         # (country, region id) served by a regional contact
    cities: frozenset[tuple[str, str]]          # (country, place id)
    unplaced: bool = False                      # also reports without a country or a city (the operator)

    def sees(self, report: EmployerReport, regions: Mapping[str, str]) -> bool:
        """Whether the report's place is covered (the module's rules); `regions` maps place ids
        to region ids."""
        if report.country is None:
            return self.unplaced
        if report.country in self.national:
            return True
        if report.city is None:
            return self.unplaced
        return ((report.country, report.city) in self.cities
                or (report.country, regions.get(report.city, report.city)) in self.regions)


def record_mention(session: Session, conversation: str, mention: EmployerMention, now: dt.datetime) -> bool:
    """Count `mention` for `conversation`: whether a row was added. The same user naming the
    same employer again refreshes its row; a name that names nobody is not counted."""
    key = employer_key(mention.employer)
    if key is None:
        return False
    values = {"employer_name": display_name(mention.employer), "topic": _short(mention.topic, MAX_TOPIC_CHARS),
              "country": _country(mention.country), "city": _short(mention.city, MAX_CITY_CHARS), "created_at": now}
    if _refresh(session, conversation, key, values):
        return False
    try:
        with session.begin_nested():
            session.add(EmployerReport(conversation=conversation, employer_key=key, **values))
    except IntegrityError:          # the same user, at the same moment, from another process
        if not _refresh(session, conversation, key, values):
            raise
        return False
    return True


def _refresh(session: Session, conversation: str, key: str, values: Mapping[str, object]) -> bool:
    row = session.scalar(select(EmployerReport).where(EmployerReport.conversation == conversation,
                                                      EmployerReport.employer_key == key))
    if row is None:
        return False
    for name, value in values.items():
        if value is not None or name in ("employer_name", "created_at"):
            setattr(row, name, value)
    return True


def _short(value: str | None, limit: int) -> str | None:
    value = " ".join((value or "").split())[:limit]
    return value or None


def _country(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    return value if len(value) == 2 and value.isalpha() else None


def scope(session: Session, organisation_id: str, *, unplaced: bool = False) -> Scope:
    contacts = session.scalars(select(Contact).where(Contact.organisation_id == organisation_id))
    national: set[str] = set()
    regions: set[tuple[str, str]] = set()
    cities: set[tuple[str, str]] = set()
    for contact in contacts:
        if contact.city is not None:
            cities.add((contact.country, contact.city))
        elif contact.region is not None:
            regions.add((contact.country, contact.region))
        else:
            national.add(contact.country)
    return Scope(frozenset(national), frozenset(regions), frozenset(cities), unplaced)


def alerts(session: Session, reach: Reach, *, threshold: int, days: int, now: dt.datetime,
           regions: Mapping[str, str] | None = None) -> list[Alert]:
    """Employers named by at least `threshold` users in the last `days` among the reports in
    `reach`, most named first. `regions` maps place ids to region ids (content/places.yml) so a
    regional contact sees its region's cities."""
    threshold = max(threshold, 2)        # one user is a person, not a signal
    since = now - dt.timedelta(days=days)
    reports = list(session.scalars(select(EmployerReport).where(EmployerReport.created_at >= since)))
    if reach.organisation is not None:
        seen, where = scope(session, reach.organisation, unplaced=reach.unrouted), regions or {}
        reports = [r for r in reports if seen.sees(r, where)]
    by_key: dict[str, list[EmployerReport]] = {}
    for report in reports:
        by_key.setdefault(report.employer_key, []).append(report)
    found = [_alert(key, rows) for key, rows in by_key.items()
             if len({r.conversation for r in rows}) >= threshold]
    return sorted(found, key=lambda a: (-a.users, a.name.casefold(), a.key))


def _alert(key: str, rows: list[EmployerReport]) -> Alert:
    names = Counter(r.employer_name for r in rows)
    name = min(names, key=lambda written: (-names[written], written))
    return Alert(key, name, len({r.conversation for r in rows}),
                 _counted(r.topic for r in rows), _counted(r.city for r in rows))


def _counted(values: Iterable[str | None]) -> dict[str, int]:
    counts = Counter(v for v in values if v)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
