"""Unanswered questions as rows organisers list and act on, within their reach.

A question carries the organisation its conversation was routed to (bot/workbench/record.py);
an organiser lists, assigns, dismisses and marks as candidates only the questions its reach
covers (bot/reach.py). Asking to act on any question outside it, another
organisation's or one that does not exist, is refused as a whole with the same answer for
both (the console's 404, as for cases), so nobody learns which ids another organisation has.
A question in reach that a colleague has handled meanwhile is left as it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import service
from bot.db.models import Unanswered
from bot.reach import Reach
from bot.workbench.unanswered import MAX_GROUPED, Question

LISTS = ("open", "candidate")     # what an organiser can list: still to review, or new-topic candidates
DONE = {"assign": "assigned", "candidate": "candidate", "dismiss": "dismissed"}   # action: state after it


def listed(session: Session, reach: Reach, state: str, since: dt.datetime) -> list[Question]:
    """The newest questions in reach, one more than are grouped: so the page knows there are more."""
    rows = session.scalars(select(Unanswered).where(
        Unanswered.state == state, Unanswered.created_at >= since, reach.where(Unanswered.organisation_id))
        .order_by(Unanswered.id.desc()).limit(MAX_GROUPED + 1)).all()
    return [Question(r.id, r.text, r.language, r.guess, r.confidence) for r in reversed(rows)]


def to_handle(session: Session, reach: Reach, ids: Collection[int]) -> Sequence[Unanswered] | None:
    """The questions `ids` still to handle (open or candidates); None when any of them is out of
    reach or does not exist."""
    rows = session.scalars(select(Unanswered).where(
        Unanswered.id.in_(ids), reach.where(Unanswered.organisation_id)).order_by(Unanswered.id)).all()
    if {r.id for r in rows} != set(ids):
        return None
    return [r for r in rows if r.state in LISTS]


def handle(session: Session, reach: Reach, account_id: int, ids: Collection[int], action: str,
           topic: str | None, now: dt.datetime, detail: str = "") -> int:
    """Mark the questions `ids` in reach as `action` left them; how many (audited, with `detail`)."""
    rows = session.scalars(select(Unanswered).where(
        Unanswered.id.in_(ids), reach.where(Unanswered.organisation_id))).all()
    for row in rows:
        row.state = DONE[action]
        row.topic = topic if action == "assign" else None
        row.handled_by, row.handled_at = account_id, now
    service.audit(session, account_id, None, f"unanswered.{action}",
                  f"n={len(rows)} topic={topic or ''} {detail}".strip()[:200])
    return len(rows)
