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
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from bot.cases import service
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Case, CaseState, ConsoleSession, EmployerReport, Unanswered
from bot.db.prepare import prepare_database
from bot.privacy import trackers
from bot.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


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
    conversations: int = 0
    events: int = 0
    cases: int = 0
    sessions: int = 0                    # expired console sessions
    failed: tuple[str, ...] = ()         # the parts that could not run (logged)


def attempt(part: str, failed: list[str], work: Callable[[], T], otherwise: T) -> T:
    """One part of the purge: its failure is logged (the part and the error's type, never its
    text, which may quote rows) and noted in `failed`, and the other parts still run."""
    try:
        return work()
    except Exception as error:      # whatever it is, the other parts still run
        log.error("purge: %s failed (%s); the other parts still ran", part, type(error).__name__)
        failed.append(part)
        return otherwise


def purge_trackers(tracker_store: Engine, cutoff: dt.datetime, failed: list[str]) -> tuple[int, int]:
    """Rasa's conversations silent since `cutoff`: (conversations, events) deleted."""
    return attempt("tracker store", failed, lambda: trackers.purge_conversations(tracker_store, cutoff), (0, 0))


def purge_cases(session: Session, now: dt.datetime, days: int, failed: list[str]) -> tuple[int, int]:
    """Cases closed more than `days` ago emptied, unanswered questions and employer reports older
    deleted, expired console sessions deleted, each in a savepoint of its own: (cases, sessions)."""
    cutoff = now - dt.timedelta(days=days)

    def part(name: str, work: Callable[[], int]) -> int:
        def in_savepoint() -> int:
            with session.begin_nested():
                return work()
        return attempt(name, failed, in_savepoint, 0)

    cases = part("closed cases", lambda: _empty_closed(session, cutoff))
    part("unanswered questions", lambda: _delete_older(session, Unanswered, cutoff))
    part("employer reports", lambda: _delete_older(session, EmployerReport, cutoff))
    sessions = part("console sessions", lambda: delete_expired_sessions(session, now))
    return cases, sessions


def delete_expired_sessions(session: Session, now: dt.datetime) -> int:
    """Sessions past their expiry (a login and the retention purge call this); how many."""
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def _empty_closed(session: Session, cutoff: dt.datetime) -> int:
    old = list(session.scalars(select(Case).where(
        Case.state == CaseState.closed, Case.closed_at < cutoff, ~Case.conversation.startswith("forgotten:"))))
    for case in old:
        _empty(case)
        service.audit(session, None, case.id, "case.purge", f"messages={len(case.messages)}")
    return len(old)


def _delete_older(session: Session, table: type[Unanswered] | type[EmployerReport], cutoff: dt.datetime) -> int:
    result = session.execute(delete(table).where(table.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def purge(session: Session, tracker_store: Engine, now: dt.datetime, days: int) -> Purged:
    """Conversations silent for `days`, and cases closed more than `days` ago, emptied;
    unanswered questions and employer reports older than `days`, and expired console sessions,
    deleted. Each part runs even when another fails (see Purged.failed)."""
    failed: list[str] = []
    conversations, events = purge_trackers(tracker_store, now - dt.timedelta(days=days), failed)
    cases, sessions = purge_cases(session, now, days, failed)
    return Purged(conversations, events, cases, sessions, tuple(failed))


def purge_stores(settings: Settings, now: dt.datetime, days: int) -> Purged:
    """`helpline purge`: the tracker store and the case database each on its own, so that one
    unreachable still leaves the other purged."""
    failed: list[str] = []

    def conversations() -> tuple[int, int]:
        engine = trackers.tracker_engine(settings)
        try:
            return trackers.purge_conversations(engine, now - dt.timedelta(days=days))
        finally:
            engine.dispose()

    def cases() -> tuple[int, int]:
        engine = make_engine(settings.database)
        try:
            prepare_database(settings, engine)
            with make_sessions(engine).begin() as session:
                return purge_cases(session, now, days, failed)
        finally:
            engine.dispose()

    purged, events = attempt("tracker store", failed, conversations, (0, 0))
    emptied, sessions = attempt("case database", failed, cases, (0, 0))
    return Purged(purged, events, emptied, sessions, tuple(failed))
