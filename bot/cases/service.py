"""Case operations as plain functions on a SQLAlchemy Session. Every query that a caseworker
triggers is scoped to the caseworker's organisation; the caller commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, and_, bindparam, select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import Account, AuditEvent, Case, CaseMessage, CaseState, Role, Sender

OPEN = (CaseState.queued, CaseState.active)
TO_USER = (Sender.caseworker, Sender.system)
CLOSE_ANY = frozenset({Role.supervisor, Role.admin})   # may close a colleague's case


@dataclass(frozen=True)
class Opening:
    """What the bot collected, with the user's consent, to open a case. The consent text
    (content/topics/handoff_human.yml) promises the caseworker the topic and the language, and
    what the user wrote only if they chose to show it: nothing else (no place, city, sector,
    country or referrer) has a field here."""

    conversation: str
    channel: str
    organisation_id: str           # where the case is routed (the referrer's organisation)
    language: str
    topic: str | None = None
    urgent: bool = False
    transcript: tuple[str, ...] | None = None   # None: the user did not agree to share it
    address: str | None = None     # sealed: how to reach the user again (a Telegram chat id)

    @property
    def summary(self) -> str:
        """What the caseworker reads at the top of the case: the topic and the language."""
        return "\n".join(f"{key}: {value}" for key, value in (("topic", self.topic), ("language", self.language))
                         if value)


class OpenCase(NamedTuple):
    """What a message needs to know about its conversation's open case."""

    id: int
    state: CaseState
    language: str


# built once: SQLAlchemy keeps its cache key, so the check every message makes does not build
# and hash the statement again (it is a tenth of the gateway's CPU under load otherwise)
_OPEN_CASE_OF = (select(Case.id, Case.state, Case.language)
                 .where(Case.conversation == bindparam("conversation"), Case.state.in_(OPEN))
                 .order_by(Case.id.desc()).limit(1))


def open_case_of(connection: Connection, conversation: str) -> OpenCase | None:
    """The conversation's open case, read without an ORM session (every message asks)."""
    row = connection.execute(_OPEN_CASE_OF, {"conversation": conversation}).first()
    return OpenCase(row.id, row.state, row.language) if row is not None else None


def open_case_for(session: Session, conversation: str) -> Case | None:
    return session.scalars(select(Case).where(Case.conversation == conversation, Case.state.in_(OPEN))
                           .order_by(Case.id.desc()).limit(1)).first()


def open_case(session: Session, opening: Opening) -> tuple[Case, bool]:
    """The conversation's open case, or a new one; True when it was created now."""
    existing = open_case_for(session, opening.conversation)
    if existing is not None:
        return existing, False
    case = Case(organisation_id=opening.organisation_id, channel=opening.channel,
                conversation=opening.conversation, topic=opening.topic, language=opening.language,
                urgent=opening.urgent, summary=opening.summary, address=opening.address,
                transcript_shared=opening.transcript is not None)
    session.add(case)
    session.flush()
    for line in opening.transcript or ():
        session.add(CaseMessage(case_id=case.id, sender=Sender.transcript, body=line,
                                delivered_at=utcnow()))
    audit(session, None, case.id, "case.open", f"urgent={opening.urgent}")
    return case, True


def add_message(session: Session, case: Case, sender: Sender, body: str, *,
                author: Account | None = None, delivered: bool = False) -> CaseMessage:
    now = utcnow()
    message = CaseMessage(case_id=case.id, sender=sender, body=body, author_id=author.id if author else None,
                          created_at=now, delivered_at=now if delivered else None)
    session.add(message)
    if sender is not Sender.note:
        case.last_activity_at = now
    session.flush()
    return message


def queue(session: Session, account: Account) -> Sequence[Case]:
    """Open cases of the account's organisation: urgent first, then oldest first."""
    return session.scalars(
        select(Case).where(Case.organisation_id == account.organisation_id, Case.state.in_(OPEN))
        .order_by(Case.urgent.desc(), Case.opened_at, Case.id)).all()


def recent_closed(session: Session, account: Account, limit: int = 20) -> Sequence[Case]:
    return session.scalars(
        select(Case).where(Case.organisation_id == account.organisation_id, Case.state == CaseState.closed)
        .order_by(Case.closed_at.desc()).limit(limit)).all()


def case_for(session: Session, account: Account, case_id: int) -> Case | None:
    """A case of the account's organisation, or None (the same answer as a case that does not exist)."""
    return session.scalars(select(Case).where(
        Case.id == case_id, Case.organisation_id == account.organisation_id)).first()


def claim(session: Session, account: Account, case: Case) -> bool:
    if case.state is CaseState.closed or (case.assigned_to not in (None, account.id)):
        return False
    case.state, case.assigned_to = CaseState.active, account.id
    case.claimed_at = case.claimed_at or utcnow()
    audit(session, account.id, case.id, "case.claim")
    return True


def release(session: Session, account: Account, case: Case) -> bool:
    if case.state is not CaseState.active or case.assigned_to != account.id:
        return False
    case.state, case.assigned_to = CaseState.queued, None
    audit(session, account.id, case.id, "case.release")
    return True


def may_close(account: Account, case: Case) -> bool:
    """The caseworker who claimed the case, or a supervisor or admin (of the case's organisation:
    callers find the case with `case_for`). Anyone else must not end a colleague's conversation."""
    return case.assigned_to == account.id or account.role in CLOSE_ANY


def refuse_close(session: Session, account: Account, case: Case) -> None:
    audit(session, account.id, case.id, "case.close_refused", f"role={account.role.value} holder={case.assigned_to}")


def close(session: Session, case: Case, *, by: str, outcome: str, account: Account | None = None) -> bool:
    """Close an open case. A caseworker's close is checked with `may_close` first; the user,
    the idle timer and forgetting close without an account."""
    if case.state is CaseState.closed:
        return False
    case.state, case.closed_at, case.closed_by, case.outcome = CaseState.closed, utcnow(), by, outcome
    audit(session, account.id if account else None, case.id, "case.close", f"by={by} outcome={outcome}")
    return True


def undelivered(session: Session, channel: str) -> Sequence[tuple[CaseMessage, Case]]:
    """Messages for users on `channel` not yet handed to it, in the order they were written."""
    rows = session.execute(
        select(CaseMessage, Case).join(Case).where(
            Case.channel == channel, CaseMessage.sender.in_(TO_USER), CaseMessage.delivered_at.is_(None))
        .order_by(CaseMessage.id)).all()
    return [(m, c) for m, c in rows]


def messages_for(session: Session, conversation: str, after: int) -> Sequence[CaseMessage]:
    """Caseworker and system messages to one conversation after message id `after`."""
    return session.scalars(
        select(CaseMessage).join(Case).where(
            Case.conversation == conversation, CaseMessage.sender.in_(TO_USER), CaseMessage.id > after)
        .order_by(CaseMessage.id)).all()


def undelivered_for(session: Session, conversation: str) -> Sequence[CaseMessage]:
    """Caseworker and system messages to one conversation not yet handed to its channel."""
    return session.scalars(
        select(CaseMessage).join(Case).where(
            Case.conversation == conversation, CaseMessage.sender.in_(TO_USER), CaseMessage.delivered_at.is_(None))
        .order_by(CaseMessage.id)).all()


def mark_delivered(session: Session, message_ids: Sequence[int]) -> None:
    now = utcnow()
    for message in session.scalars(select(CaseMessage).where(
            CaseMessage.id.in_(message_ids), CaseMessage.delivered_at.is_(None))):
        message.delivered_at = now


def unclaimed_urgent(session: Session, now: dt.datetime, minutes: float) -> Sequence[Case]:
    """Urgent cases nobody claimed within `minutes` whose user has not been told yet."""
    limit = now - dt.timedelta(minutes=minutes)
    return session.scalars(select(Case).where(and_(
        Case.urgent.is_(True), Case.state == CaseState.queued, Case.opened_at <= limit,
        Case.unclaimed_notice_at.is_(None)))).all()


def idle(session: Session, now: dt.datetime, hours: float) -> Sequence[Case]:
    limit = now - dt.timedelta(hours=hours)
    return session.scalars(select(Case).where(Case.state.in_(OPEN), Case.last_activity_at <= limit)).all()


def audit(session: Session, account_id: int | None, case_id: int | None, action: str, detail: str = "") -> None:
    session.add(AuditEvent(account_id=account_id, case_id=case_id, action=action, detail=detail[:200]))
