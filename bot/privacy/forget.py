"""Forgetting one person, and purging what is older than the retention period.

What goes: Rasa's events for the conversation (everything the user wrote and every slot:
language, country, city, the calculators' and letter's answers), the text of every case
message, the case summary and the sealed address, unanswered questions kept for organisers
and the employers the user agreed to have counted. What stays of a case: its number, topic,
language, dates and outcome, and how many messages it had, so the counts in the console stay
true. Nothing links what stays back to the person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from bot.cases import service
from bot.db.models import Case, CaseState, EmployerReport, Unanswered
from bot.privacy import trackers


@dataclass(frozen=True)
class Forgotten:
    events: int
    cases: int


def forget_cases(session: Session, conversation: str) -> int:
    """Empty every case of `conversation` (closing an open one); the number of cases."""
    cases = list(session.scalars(select(Case).where(Case.conversation == conversation)))
    for case in cases:
        if case.state in service.OPEN:
            service.close(session, case, by="user", outcome="forgotten")
        _empty(case)
        service.audit(session, None, case.id, "case.forget", f"messages={len(case.messages)}")
    return len(cases)


def _empty(case: Case) -> None:
    for message in case.messages:
        message.body = ""
    case.summary = ""
    case.address = None
    case.conversation = f"forgotten:{case.id}"


def forget(session: Session, tracker_store: Engine, conversation: str) -> Forgotten:
    """Everything about one conversation. The tracker rows go first: if the case store then
    fails, the transaction rolls back and the user is told to try again."""
    events = trackers.delete_conversation(tracker_store, conversation)
    for table in (Unanswered, EmployerReport):
        session.execute(delete(table).where(table.conversation == conversation))
    return Forgotten(events, forget_cases(session, conversation))


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int
    cases: int


def purge(session: Session, tracker_store: Engine, now: dt.datetime, days: int) -> Purged:
    """Conversations silent for `days`, and cases closed more than `days` ago, emptied;
    unanswered questions and employer reports older than `days`, deleted."""
    cutoff = now - dt.timedelta(days=days)
    conversations, events = trackers.purge_conversations(tracker_store, cutoff)
    old = list(session.scalars(select(Case).where(
        Case.state == CaseState.closed, Case.closed_at < cutoff, ~Case.conversation.startswith("forgotten:"))))
    for case in old:
        _empty(case)
        service.audit(session, None, case.id, "case.purge", f"messages={len(case.messages)}")
    for table in (Unanswered, EmployerReport):
        session.execute(delete(table).where(table.created_at < cutoff))
    return Purged(conversations, events, len(old))
