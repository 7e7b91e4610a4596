"""Employers named by users who agreed to have them counted, and the alerts organisers see.

One row per user and employer (`employer_report`). An alert is an employer named by at least
`threshold` users within `days` that cannot be made up cheaply, among the reports an account
may see (its reach, bot/reach.py). Alerts carry counts, never conversations.

What counts (issue 15): a web chat costs nothing to start, so anyone could name an employer
from a hundred of them. An alert counts different Telegram users (each a Telegram account) and
reports a caseworker confirmed from a case (a person heard the user); web chats nobody
confirmed are shown beside the count ("12 web chats not counted"), never in it, and neither
their spelling, topics nor places shape the alert.

Reports are scoped by place, the places an organisation's contacts serve:
- a report with a city: organisations with a contact in that city, in its region, or for the
  whole country;
- a report with a country but no city: organisations with a contact for the whole country;
- a report without a country: no union. Those without a country or a city ("unplaced") and no
  organisation are seen by the helpline's operator organisation, beside the reports its own
  contacts cover;
- a report a caseworker confirmed from a case: also the organisation the case was routed to
  (`organisation_id`). The case does not tell the caseworker where the user works (the summary
  never carries the place), so the caseworker cannot give one: the report reaches the union
  that handles the case instead, and the place stays with the user;
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
from bot.notes import EmployerMention
from bot.privacy.keys import channel_of
from bot.reach import Reach
from bot.signal.employers import display_name, employer_key

MAX_TOPIC_CHARS = 64
MAX_CITY_CHARS = 64


@dataclass(frozen=True)
class Alert:
    """Several users named one employer. Only counts: nothing here leads back to a person."""

    key: str
    name: str                      # the spelling most counted users wrote, scrubbed
    users: int                     # counted: Telegram users and confirmed reports (telegram + confirmed)
    topics: dict[str, int]         # counted users per topic, most first
    cities: dict[str, int]         # counted users per place id, most first
    telegram: int = 0              # Telegram users no caseworker confirmed
    confirmed: int = 0             # reports a caseworker confirmed from a case (any channel)
    uncounted: int = 0             # web chats (or other) nobody confirmed: shown, not counted


@dataclass(frozen=True)
class Scope:
    """Where an organisation's contacts work: whole countries, regions, cities."""

    national: frozenset[str]                    # countries with a contact for the whole country
    regions: frozenset[tuple[str, str]]         # (country, region id) served by a regional contact
    cities: frozenset[tuple[str, str]]          # (country, place id)
    unplaced: bool = False                      # also reports without a country or a city (the operator)
    organisation: str | None = None             # also the reports confirmed in this organisation's cases

    def sees(self, report: EmployerReport, regions: Mapping[str, str]) -> bool:
        """Whether the report is this organisation's (the module's rules); `regions` maps place
        ids to region ids."""
        if report.organisation_id is not None and report.organisation_id == self.organisation:
            return True
        if report.country is None:
            return self.unplaced and report.organisation_id is None
        if report.country in self.national:
            return True
        if report.city is None:
            return self.unplaced and report.organisation_id is None
        return ((report.country, report.city) in self.cities
                or (report.country, regions.get(report.city, report.city)) in self.regions)


def record_mention(session: Session, conversation: str, mention: EmployerMention, now: dt.datetime, *,
                   confirmed_for: str | None = None) -> bool:
    """Count `mention` for `conversation`: whether a row was added. The same user naming the
    same employer again refreshes its row (a confirmation stays); a name that names nobody is
    not counted. `confirmed_for`: a caseworker confirmed it from a case routed to that
    organisation."""
    key = employer_key(mention.employer)
    if key is None:
        return False
    values = {"employer_name": display_name(mention.employer), "topic": _short(mention.topic, MAX_TOPIC_CHARS),
              "country": _country(mention.country), "city": _short(mention.city, MAX_CITY_CHARS), "created_at": now,
              "channel": channel_of(conversation), "confirmed_at": now if confirmed_for else None,
              "organisation_id": confirmed_for}
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
    """Where `organisation_id`'s contacts work, and its own confirmed reports."""
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
    return Scope(frozenset(national), frozenset(regions), frozenset(cities), unplaced, organisation_id)


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
    found = [alert for alert in (_alert(key, rows) for key, rows in by_key.items()) if alert.users >= threshold]
    return sorted(found, key=lambda a: (-a.users, a.name.casefold(), a.key))


def _alert(key: str, rows: list[EmployerReport]) -> Alert:
    """The alert of one employer: counted users (Telegram, or confirmed), the mix beside them;
    name, topics and places from the counted reports only."""
    confirmed = {r.conversation for r in rows if r.confirmed_at is not None}
    telegram = {r.conversation for r in rows if r.channel == "telegram"} - confirmed
    counted = [r for r in rows if r.conversation in confirmed or r.conversation in telegram]
    names = Counter(r.employer_name for r in counted)
    name = min(names, key=lambda written: (-names[written], written)) if names else ""
    return Alert(key, name, len(telegram) + len(confirmed), _counted(r.topic for r in counted),
                 _counted(r.city for r in counted), telegram=len(telegram), confirmed=len(confirmed),
                 uncounted=len({r.conversation for r in rows} - telegram - confirmed))


def _counted(values: Iterable[str | None]) -> dict[str, int]:
    counts = Counter(v for v in values if v)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
