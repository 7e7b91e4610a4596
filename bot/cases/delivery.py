"""Messages for users count as delivered only once their channel took them, so a restart loses
none; a closed case keeps the sealed Telegram chat id only until its last message has reached
the user. Plain functions on a Session; the caller commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import service
from bot.db.models import Case, CaseMessage, CaseState


def forget_address_when_done(session: Session, case: Case) -> None:
    """A closed case whose messages have all reached the user needs no way to reach them again:
    the sealed Telegram chat id is removed (a closed case gets no new messages)."""
    if case.state is not CaseState.closed or case.address is None:
        return
    waiting = session.scalars(select(CaseMessage.id).where(
        CaseMessage.case_id == case.id, CaseMessage.sender.in_(service.TO_USER),
        CaseMessage.delivered_at.is_(None)).limit(1)).first()
    if waiting is None:
        case.address = None


def delivered(session: Session, message_id: int) -> None:
    """A message reached the user's channel; after a case's last one, its address goes."""
    service.mark_delivered(session, [message_id])
    message = session.get(CaseMessage, message_id)
    if message is not None:
        forget_address_when_done(session, message.case)


def taken_by_web(session: Session, conversation: str) -> tuple[list[str], str | None, str | None]:
    """Texts waiting for a web user (now marked delivered: the page asked for them), the open
    case's state and its language."""
    found = list(service.undelivered_for(session, conversation))
    service.mark_delivered(session, [x.id for x in found])
    case = service.open_case_for(session, conversation)
    return [x.body for x in found], case.state.value if case else None, case.language if case else None
