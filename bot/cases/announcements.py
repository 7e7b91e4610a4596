"""Which urgent cases the caseworkers' Telegram group is told about one by one, decided in the
database (rows of audit_event) so that every gateway shares one budget and a restart keeps it:
at most `most` group messages in ten minutes. An urgent case beyond them is still queued, urgent
first, but held; once the window has room the group gets one line counting the held ones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditEvent

WINDOW = dt.timedelta(minutes=10)
KEPT = dt.timedelta(days=1)      # a held case not summarised within a day is not counted any more
ANNOUNCED, HELD, SUMMARY = "group.announced", "group.held", "group.summary"


def console_url(public_url: str | None, path: str) -> str:
    """A console page as the group can open it (a path alone without HELPLINE_PUBLIC_URL)."""
    return f"{public_url.rstrip('/')}{path}" if public_url else path


def announcement(case_id: int, topic: object, language: str, link: str) -> str:
    """What the group sees of one new urgent case: its number, topic and language, a link."""
    return f"⚠ Urgent case #{case_id} · {topic or '—'} · {language}\n{link}"


def summary(held: int, console: str) -> str:
    """What the group reads instead of the announcements it was spared (a count and a link)."""
    return f"⚠ {held} more urgent case(s) were opened and not announced one by one\n{console}"


def _record(session: Session, case_id: int | None, action: str, now: dt.datetime, detail: str = "") -> None:
    session.add(AuditEvent(case_id=case_id, action=action, at=now, detail=detail))
    session.flush()


def _sent_since(session: Session, since: dt.datetime) -> int:
    return int(session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action.in_((ANNOUNCED, SUMMARY)), AuditEvent.at >= since)) or 0)


def _held(session: Session, now: dt.datetime) -> int:
    """Urgent cases held since the last summary (in the last day: the queries stay on the time index)."""
    since = now - KEPT
    last = session.scalar(select(func.max(AuditEvent.id)).where(
        AuditEvent.action == SUMMARY, AuditEvent.at >= since)) or 0
    return int(session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == HELD, AuditEvent.id > last, AuditEvent.at >= since)) or 0)


def announce_or_hold(session: Session, case_id: int, most: int, now: dt.datetime) -> bool:
    """True: announce this new urgent case now; False: it waits for the summary. Recorded either way."""
    room = _sent_since(session, now - WINDOW) < most and not _held(session, now)
    _record(session, case_id, ANNOUNCED if room else HELD, now)
    return room


def summary_due(session: Session, most: int, now: dt.datetime) -> int:
    """How many held cases to tell the group about now (0: none, or no room yet); recorded."""
    held = _held(session, now)
    if not held or _sent_since(session, now - WINDOW) >= most:
        return 0
    _record(session, None, SUMMARY, now, f"held={held}")
    return held
