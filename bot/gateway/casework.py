"""Handing a conversation to a person, in the gateway: while a case is open, the bot is quiet
for that conversation (messages go to the case, never to Rasa), and what the caseworker writes
reaches the user's channel. Every message is stored before it is acknowledged; messages for
users are marked delivered only once their channel took them, so a restart loses none. A closed
case keeps the sealed Telegram chat id only until its last message has reached the user."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import anyio
import httpx
from babel.dates import format_datetime
from sqlalchemy import select
from sqlalchemy import text as sql
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import messages as m
from bot.cases import announcements, lease, service
from bot.cases.limits import Refused, refusal
from bot.db.base import utcnow
from bot.db.models import Case, CaseMessage, CaseState, Organisation, Sender
from bot.duty_hours import DutyHours
from bot.gateway.floods import Floods, floods
from bot.privacy.keys import Keys, SealError
from bot.rasa_client import WORD_JOINER, Rasa
from bot.replies import CASE_END, CASE_OPEN_PRIVATE, CASE_OPEN_SHARED, Button, Reply, Responder, payload
from bot.settings import Settings
from bot.workbench.record import add_counts

log = logging.getLogger(__name__)
T = TypeVar("T")

OPEN_SHARED, OPEN_PRIVATE, END = CASE_OPEN_SHARED, CASE_OPEN_PRIVATE, CASE_END
TYPED_END = {"/end", "/stop", "/cancel"}
TRANSCRIPT_LIMIT = 30
QUOTED = 200             # characters of a message that was not delivered, shown back to its writer
REFUSALS = {Refused.conversation: m.CASE_LIMIT_CONVERSATION, Refused.busy: m.CASE_LIMIT_BUSY}
TelegramSend = Callable[[int, Reply, Callable[[], Awaitable[None]]], Awaitable[None]]
LOOP = "casework"        # the lease on delivery and timers: one gateway at a time runs them
LEASE_SECONDS = 15.0     # renewed every pass (2 s); another gateway takes over after this


def babel_locale(language: str) -> str:
    return language.replace("-", "_")


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


def quoted(body: str) -> str:
    return body if len(body) <= QUOTED else body[:QUOTED - 1] + "…"


def delivered(session: Session, message_id: int) -> None:
    """A message reached the user's channel; after a case's last one, its address goes."""
    service.mark_delivered(session, [message_id])
    message = session.get(CaseMessage, message_id)
    if message is not None:
        forget_address_when_done(session, message.case)


@dataclass
class Casework:
    settings: Settings
    sessions: sessionmaker[Session]
    responder: Responder
    rasa: Rasa
    hours: DutyHours
    keys: Keys = field(kw_only=True)
    telegram: TelegramSend | None = None
    announce: Callable[[str], Awaitable[None]] | None = None   # the caseworkers' group, if any
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # cases open one at a time in this gateway, so the limits asked in the opening transaction
    # count every case opened before (SQLite reads outside the write lock; opening is rare)
    opening: asyncio.Lock = field(default_factory=asyncio.Lock)
    in_flight: set[int] = field(default_factory=set)
    instance: str = field(default_factory=lambda: secrets.token_hex(8))   # this gateway, for the lease
    floods: Floods = field(init=False)     # in memory; the app swaps in shared ones with Redis

    def __post_init__(self) -> None:
        self.floods = floods(self.settings)

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a transaction on a worker thread (the event loop never blocks on SQL)."""
        def run() -> T:
            with self.sessions.begin() as session:
                return work(session)
        return await anyio.to_thread.run_sync(run)

    def _(self, language: str, message: str) -> str:
        return self.responder.catalogues.gettext(language, message)

    def end_button(self, language: str) -> tuple[Button, ...]:
        return (Button(self._(language, m.BTN_END), END),)

    # -- the user's side ------------------------------------------------------------------

    async def intercept(self, sender: str, channel: str, *, text: str | None, payload_: str | None,
                        language: str, address: str | None = None, client: str | None = None) -> list[Reply] | None:
        # a typed "/end" reaches here with the word joiner that keeps Rasa from parsing it
        text = (text or "").removeprefix(WORD_JOINER)
        """Replies when casework handles this message (possibly none: a person will answer);
        None when it is for the bot. `client` is the keyed client address (web chat only)."""
        if payload_ in (OPEN_SHARED, OPEN_PRIVATE):
            return await self.open(sender, channel, share=payload_ == OPEN_SHARED, fallback_language=language,
                                   address=address, client=client)
        wants_end = payload_ == END or (text or "").strip().lower() in TYPED_END
        case = await self.db(lambda s: service.open_case_for(s, sender))
        if case is None:
            return self.responder.main_menu(language) if wants_end else None
        language = case.language
        if wants_end:
            await self.db(lambda s: self._end(s, case.id, by="user", outcome="user_left"))
            return [Reply(self._(language, m.CASE_ENDED)), *self.responder.main_menu(language)]
        if payload_ is not None:
            return [Reply(self._(language, m.CASE_STILL_OPEN), self.end_button(language))]
        body = (text or "").strip()
        if body and not await self.floods.messages.allow(sender):     # not stored: the user is told which
            return [Reply(self._(language, m.CASE_SLOW_DOWN).format(text=quoted(body)), self.end_button(language))]
        if body:
            await self.db(lambda s: self._from_user(s, case.id, body))
        return []

    def _from_user(self, session: Session, case_id: int, body: str) -> None:
        case = session.get(Case, case_id)
        assert case is not None
        service.add_message(session, case, Sender.user, body, delivered=True)

    def _end(self, session: Session, case_id: int, *, by: str, outcome: str) -> None:
        case = session.get(Case, case_id)
        if case is not None and service.close(session, case, by=by, outcome=outcome):
            service.add_message(session, case, Sender.system, self._(case.language, m.CASE_ENDED), delivered=True)
            forget_address_when_done(session, case)     # the user is answered here; others may still wait

    async def refused(self, sender: str, channel: str, client: str | None) -> Refused | None:
        """Why no new case may open for `sender` now (a case already open is not refused)."""
        now = utcnow()

        def check(session: Session) -> tuple[bool, Refused | None]:
            if service.open_case_for(session, sender) is not None:
                return True, None
            return False, refusal(session, self.floods.cases, sender, channel, now)
        already_open, why = await self.db(check)
        if not already_open and why is None and client is not None and not await self.floods.addresses.allow(client):
            why = Refused.busy
        return why

    def refusal(self, why: Refused, language: str) -> list[Reply]:
        log.info("a new case was refused (%s)", why.value)
        text = "\n\n".join([self._(language, REFUSALS[why]), self.responder.emergency_text(language, None)])
        return [Reply(text, (Button(self._(language, m.BTN_MENU), payload("menu")),))]

    async def open(self, sender: str, channel: str, *, share: bool, fallback_language: str,
                   address: str | None = None, client: str | None = None) -> list[Reply]:
        why = await self.refused(sender, channel, client)
        if why is not None:
            return self.refusal(why, fallback_language)
        slots, transcript = await self._collected(sender, share)
        language = str(slots.get("language") or fallback_language)
        if language not in self.responder.library.languages:
            language = fallback_language
        referrer = slots.get("referrer")      # routes the case; the caseworker is not shown it
        topic = slots.get("topic")
        now = utcnow()

        def create(session: Session) -> tuple[int | None, bool, Refused | None]:
            """The case (new, or the one already open), whether the group hears of it now, or why
            none may open: the limits are asked again in the transaction that opens the case, so a
            burst that passed the first look while Rasa was asked cannot all get through."""
            if service.open_case_for(session, sender) is None:
                late = refusal(session, self.floods.cases, sender, channel, now)
                if late is not None:
                    return None, False, late
            organisation = self.settings.default_organisation
            if isinstance(referrer, str) and session.get(Organisation, referrer) is not None:
                organisation = referrer
            opening = service.Opening(
                conversation=sender, channel=channel, organisation_id=organisation, language=language,
                topic=str(topic) if topic else None, urgent=bool(slots.get("urgent")),
                transcript=tuple(transcript) if share else None,
                address=self.keys.seal(address) if address else None)
            case, created = service.open_case(session, opening)
            if created:
                service.add_message(session, case, Sender.system, self._(language, m.CASE_QUEUED), delivered=True)
                add_counts(session, Counter({(now.date(), "handoff", opening.topic or "", language, channel): 1}),
                           opening.organisation_id)
            tell = created and case.urgent and self.announce is not None and announcements.announce_or_hold(
                session, case.id, self.settings.urgent_announcements, now)
            return case.id, tell, None

        async with self.opening:
            case_id, tell, late = await self.db(create)
        if late is not None or case_id is None:
            return self.refusal(late or Refused.busy, language)
        if tell and self.announce is not None:
            await self.announce(self.announcement(case_id, topic, language))
        text = self._(language, m.CASE_QUEUED)
        if not self.hours.is_open(now):
            when = format_datetime(self.hours.next_open(now), "EEEE HH:mm zzzz", locale=babel_locale(language))
            text += "\n\n" + self._(language, m.CASE_OFF_HOURS).format(when=when)
        self.wake.set()
        return [Reply(text, self.end_button(language))]

    def console_url(self, path: str) -> str:
        return f"{self.settings.public_url.rstrip('/')}{path}" if self.settings.public_url else path

    def announcement(self, case_id: int, topic: object, language: str) -> str:
        """What the caseworkers' group sees: the case number, topic and language, a link."""
        link = self.console_url(f"/console/cases/{case_id}")
        return f"⚠ Urgent case #{case_id} · {topic or '—'} · {language}\n{link}"

    async def summarise_announcements(self) -> None:
        """The count of urgent cases the group was not told about one by one (bot/cases/announcements.py)."""
        if self.announce is None:
            return
        held = await self.db(partial(announcements.summary_due, most=self.settings.urgent_announcements,
                                     now=utcnow()))
        if held:
            await self.announce(announcements.summary(held, self.console_url("/console")))

    async def _collected(self, sender: str, share: bool) -> tuple[dict[str, Any], list[str]]:
        """The slots the bot set, and (only with consent) what the user wrote to it."""
        try:
            tracker = await self.rasa.tracker(sender, events=share)
        except (httpx.HTTPError, ValueError) as error:
            log.warning("case opened without the bot's notes: Rasa did not answer (%s)", type(error).__name__)
            return {}, []
        slots = tracker.get("slots") or {}
        lines = [str(e.get("text") or "").removeprefix(WORD_JOINER) for e in tracker.get("events") or []
                 if e.get("event") == "user"]
        typed = [line for line in lines if line and not line.startswith("/")]
        return (slots if isinstance(slots, dict) else {}), typed[-TRANSCRIPT_LIMIT:]

    # -- the caseworker's side: delivery and timers ------------------------------------------

    async def run(self) -> None:
        """Deliver waiting messages and run the timers, woken by new messages or every 2 s.

        With several gateways on one database only the holder of the lease does this, so a
        message is sent once and in order and a timer fires once; the others stand by and
        one takes over within LEASE_SECONDS if the holder stops."""
        held = False
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), 2.0)
                self.wake.clear()
                try:
                    now = utcnow()
                    holding = await self.db(partial(lease.hold, name=LOOP, holder=self.instance, now=now,
                                                    seconds=LEASE_SECONDS))
                    if holding != held:
                        log.info("casework loop %s in this gateway", "running" if holding else "left to another")
                        held = holding
                    if holding:               # one gateway: each message, timer and summary once
                        await self.timers(now)
                        await self.deliver()
                        await self.summarise_announcements()
                except Exception:   # the loop must outlive a database hiccup; it retries in 2 s
                    log.exception("casework loop failed; retrying")
        finally:
            if held:
                with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                    await self.db(lambda s: lease.release(s, LOOP, self.instance, utcnow()))

    async def deliver(self) -> None:
        if self.telegram is None:
            return
        pending = await self.db(lambda s: [(msg.id, msg.body, msg.sender, case.address, case.language)
                                           for msg, case in service.undelivered(s, "telegram")])
        for message_id, body, sender, address, language in pending:
            if message_id in self.in_flight:
                continue
            chat_id = self._chat_id(address)
            if chat_id is None:     # sealed with another key, or forgotten: nobody to send it to
                log.warning("case message %s has no readable address; not delivered", message_id)
                await self._delivered(message_id)()
                continue
            self.in_flight.add(message_id)
            buttons = self.end_button(language) if sender is Sender.caseworker else ()
            await self.telegram(chat_id, Reply(body, buttons), self._delivered(message_id))

    def _chat_id(self, address: str | None) -> int | None:
        try:
            return int(self.keys.unseal(address)) if address else None
        except (SealError, ValueError):
            return None

    def _delivered(self, message_id: int) -> Callable[[], Awaitable[None]]:
        async def mark() -> None:
            await self.db(partial(delivered, message_id=message_id))
            self.in_flight.discard(message_id)
        return mark

    async def timers(self, now: dt.datetime) -> None:
        def due(session: Session) -> int:
            told = 0
            for case in service.unclaimed_urgent(session, now, self.settings.urgent_claim_minutes):
                text = "\n".join([self._(case.language, m.CASE_URGENT_UNCLAIMED),
                                  self.responder.emergency_text(case.language, None)])
                service.add_message(session, case, Sender.system, text)
                case.unclaimed_notice_at = now
                told += 1
            for case in service.idle(session, now, self.settings.idle_case_hours):
                if service.close(session, case, by="timeout", outcome="idle"):
                    service.add_message(session, case, Sender.system, self._(case.language, m.CASE_IDLE_ENDED))
                    told += 1
            return told
        if await self.db(due):
            self.wake.set()

    async def web_updates(self, conversation: str) -> tuple[list[str], str | None, str | None]:
        """Texts waiting for a web user (now marked delivered), the case state and its language."""
        def read(session: Session) -> tuple[list[str], str | None, str | None]:
            found = list(service.undelivered_for(session, conversation))
            service.mark_delivered(session, [x.id for x in found])
            case = service.open_case_for(session, conversation)
            return ([x.body for x in found], case.state.value if case else None,
                    case.language if case else None)
        return await self.db(read)

    async def reachable(self) -> bool:
        try:
            await self.db(lambda s: s.execute(sql("SELECT 1")))
        except SQLAlchemyError:
            return False
        return True

    async def state_of(self, conversation: str) -> str | None:
        """The open case's state, or None (also when the database cannot say: the page then
        simply does not poll, and the next message will tell the user)."""
        try:
            case = await self.db(lambda s: service.open_case_for(s, conversation))
        except SQLAlchemyError as error:
            log.error("case store unavailable (%s)", type(error).__name__)
            return None
        return case.state.value if case else None
