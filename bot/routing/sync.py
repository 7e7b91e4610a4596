"""Make the database's organisations and contacts equal to content/contacts.yml.

content/ is the source of truth: entries are added, changed and removed to match it. An
organisation that is gone from content/ but still has accounts or cases is kept, and reported,
so that nobody loses their login or case history; the default organisation is never removed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import exists, inspect, select
from sqlalchemy.orm import Session

from bot.db import models
from bot.db.base import Base
from bot.routing.contacts import DAYS, Contact, Directory, Hours, Organisation
from bot.settings import Settings

_DEFAULT_ORGANISATION: str = Settings.model_fields["default_organisation"].default


@dataclasses.dataclass(frozen=True)
class SyncReport:
    """Rows changed, organisations and contacts together; `kept` are organisations gone from
    content/ but still referred to by an account or a case."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    kept: tuple[str, ...] = ()

    @property
    def kept_in_use(self) -> int:
        return len(self.kept)


def sync_contacts(session: Session, directory: Directory, *,
                  default_organisation: str = _DEFAULT_ORGANISATION) -> SyncReport:
    """Insert, update and delete rows until the database matches `directory`. Idempotent; the
    caller owns the transaction."""
    added = updated = 0
    rows: list[models.Organisation | models.Contact] = [
        *map(organisation_row, directory.organisations.values()), *map(contact_row, directory.contacts)]
    for wanted in rows:
        row = session.get(type(wanted), wanted.id)
        if row is None:
            session.add(wanted)
            added += 1
        elif _copy(wanted, row):
            updated += 1
    session.flush()
    removed = _remove_contacts(session, {c.id for c in directory.contacts})
    gone = set(session.scalars(select(models.Organisation.id))) - set(directory.organisations)
    gone.discard(default_organisation)
    kept = tuple(sorted(org_id for org_id in gone if _in_use(session, org_id)))
    for org_id in sorted(gone - set(kept)):
        session.delete(session.get_one(models.Organisation, org_id))
        removed += 1
    session.flush()
    return SyncReport(added, updated, removed, kept)


def organisation_row(organisation: Organisation) -> models.Organisation:
    return models.Organisation(
        id=organisation.id, name=organisation.display_name("en")[:200], names=dict(organisation.name),
        kind=organisation.kind, country=organisation.country, verified=organisation.verified,
        verified_on=organisation.verified_on, source=organisation.source)


def contact_row(contact: Contact) -> models.Contact:
    channels = {key: value for key, value in dataclasses.asdict(contact.channels).items() if value}
    return models.Contact(
        id=contact.id, organisation_id=contact.organisation, country=contact.country, region=contact.region,
        city=contact.city, sectors=list(contact.sectors), languages=list(contact.languages),
        hours=hours_json(contact.hours), channels=channels, note=dict(contact.note),
        verified=contact.verified, verified_on=contact.verified_on, source=contact.source)


def hours_json(hours: Hours | None) -> dict[str, Any]:
    """Hours as contacts.yml writes them: {} when unknown, else a time zone and either
    always: true or weekly: {"mon": "09:00-13:00, 14:00-18:00", ...} (closed days left out)."""
    if hours is None:
        return {}
    if hours.always:
        return {"timezone": hours.timezone, "always": True}
    weekly = {day: ", ".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in intervals)
              for day, intervals in zip(DAYS, hours.weekly, strict=True) if intervals}
    return {"timezone": hours.timezone, "weekly": weekly}


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _copy(wanted: Base, row: Base) -> bool:
    """Copy every column of `wanted` that differs onto `row`; whether anything did."""
    changed = False
    for column in inspect(type(row)).column_attrs:
        value = getattr(wanted, column.key)
        if getattr(row, column.key) != value:
            setattr(row, column.key, value)
            changed = True
    return changed


def _remove_contacts(session: Session, keep: set[str]) -> int:
    gone = [row for row in session.scalars(select(models.Contact)) if row.id not in keep]
    for row in gone:
        session.delete(row)
    session.flush()
    return len(gone)


def _in_use(session: Session, org_id: str) -> bool:
    return any(session.scalar(select(exists().where(table.organisation_id == org_id)))
               for table in (models.Account, models.Case))
