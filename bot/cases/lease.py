"""A lease: work that only one gateway may do at a time, taken over by another gateway when
the holder stops renewing it (it crashed, or lost its database). Plain SQL that behaves the
same on SQLite and PostgreSQL: a conditional UPDATE, or an INSERT for a lease nobody held."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Lease


def hold(session: Session, name: str, holder: str, now: dt.datetime, seconds: float) -> bool:
    """Take or renew `name` for `seconds`; False while another holder's lease runs."""
    until = now + dt.timedelta(seconds=seconds)
    result = session.execute(update(Lease).where(
        Lease.name == name, or_(Lease.holder == holder, Lease.until < now)).values(holder=holder, until=until))
    if isinstance(result, CursorResult) and result.rowcount == 1:
        return True
    if session.get(Lease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Lease(name=name, holder=holder, until=until))
    except IntegrityError:        # another gateway inserted it first
        return False
    return True


def release(session: Session, name: str, holder: str, now: dt.datetime) -> None:
    """Give the lease up at once (a clean shutdown), so another gateway need not wait."""
    session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder)
                    .values(until=now - dt.timedelta(seconds=1)))
