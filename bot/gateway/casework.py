"""Handing a conversation to a person, the user's side: while a case is open, the bot is quiet
for that conversation (messages go to the case, never to Rasa). A user opens a case (within the
limits), writes into it, or ends it; every message is stored before it is acknowledged. What
caseworkers write goes back by the relay (bot/gateway/relay.py), which `wake` starts at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from babel.dates import format_datetime
from sqlalchemy.orm import Session

from bot import messages as m
from bot.cases import announcements, delivery, service
from bot.cases.limits import Refused, refusal
from bot.db.base import utcnow
from bot.db.database import Database
from bot.db.models import Case, Organisation, Sender
from bot.duty_hours import DutyHours
from bot.gateway.channels import Announce, end_button
from bot.gateway.floods import Floods
from bot.gateway.live_replies import LiveReplies
from bot.privacy.keys import Keys
from bot.rasa_client import WORD_JOINER, Rasa
from bot.replies import CASE_END, CASE_OPEN_PRIVATE, CASE_OPEN_SHARED, Button, Reply, Responder, payload
from bot.settings import Settings
from bot.workbench.record import add_counts

log = logging.getLogger(__name__)

OPEN_SHARED, OPEN_PRIVATE, END = CASE_OPEN_SHARED, CASE_OPEN_PRIVATE, CASE_END
TYPED_END = {"/end", "/stop", "/cancel"}
TRANSCRIPT_LIMIT = 30
QUOTED = 200             # characters of a message that was not delivered, shown back to its writer
REFUSALS = {Refused.conversation: m.CASE_LIMIT_CONVERSATION, Refused.busy: m.CASE_LIMIT_BUSY}


def babel_locale(language: str) -> str:
    return language.replace("-", "_")


def quoted(body: str) -> str:
    return body if len(body) <= QUOTED else body[:QUOTED - 1] + "…"


@dataclass
class Casework:
    settings: Settings
    database: Database
    replies: LiveReplies
    rasa: Rasa
    hours: DutyHours
    keys: Keys = field(kw_only=True)
    announce: Announce | None = field(default=None, kw_only=True)   # the caseworkers' group, if any
    wake: asyncio.Event = field(default_factory=asyncio.Event, kw_only=True)   # the relay's
    floods: Floods = field(kw_only=True)    # in memory, or shared by the gateways (Redis)
    # cases open one at a time in this gateway, so the limits asked in the opening transaction
    # count every case opened before (SQLite reads outside the write lock; opening is rare)
    opening: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    @property
    def responder(self) -> Responder:
        """The replies of the content version in use (swapped when a new one goes live)."""
        return self.replies.current

    def _(self, language: str, message: str) -> str:
        return self.responder.catalogues.gettext(language, message)

    async def intercept(self, sender: str, channel: str, *, text: str | None, payload_: str | None,
                        language: str, address: str | None = None, client: str | None = None) -> list[Reply] | None:
        """Replies when casework handles this message (possibly none: a person will answer);
        None when it is for the bot. `client` is the keyed client address (web chat only)."""
        text = (text or "").removeprefix(WORD_JOINER)   # a typed "/end" comes with the joiner that keeps Rasa off it
        if payload_ in (OPEN_SHARED, OPEN_PRIVATE):
            return await self.open(sender, channel, share=payload_ == OPEN_SHARED, fallback_language=language,
                                   address=address, client=client)
        wants_end = payload_ == END or text.strip().lower() in TYPED_END
        case = await self.database.read(lambda c: service.open_case_of(c, sender))
        if case is None:
            return self.responder.main_menu(language) if wants_end else None
        if wants_end:
            return await self.end(case.id, case.language)
        if payload_ is not None:
            return [Reply(self._(case.language, m.CASE_STILL_OPEN), end_button(self.responder, case.language))]
        return await self.write(sender, case.id, case.language, text.strip())

    async def end(self, case_id: int, language: str) -> list[Reply]:
        """The user ends their case: they are back with the bot, at its menu."""
        await self.database.run(lambda s: self._end(s, case_id, by="user", outcome="user_left"))
        return [Reply(self._(language, m.CASE_ENDED)), *self.responder.main_menu(language)]

    def _end(self, session: Session, case_id: int, *, by: str, outcome: str) -> None:
        case = session.get(Case, case_id)
        if case is not None and service.close(session, case, by=by, outcome=outcome):
            service.add_message(session, case, Sender.system, self._(case.language, m.CASE_ENDED), delivered=True)
            delivery.forget_address_when_done(session, case)   # the user is answered here; others may still wait

    async def write(self, sender: str, case_id: int, language: str, body: str) -> list[Reply]:
        """The user writes into their case: stored (the bot is quiet), or, too fast, not stored
        and the user told which message was not."""
        if body and not await self.floods.messages.allow(sender):
            return [Reply(self._(language, m.CASE_SLOW_DOWN).format(text=quoted(body)),
                          end_button(self.responder, language))]
        if body:
            await self.database.run(lambda s: self._from_user(s, case_id, body))
        return []

    async def correct(self, sender: str, body: str) -> list[Reply]:
        """The user edited a message they had sent: inside an open case the new wording reaches
        the caseworker as a correction, stored like any message; outside one, nothing happens
        (an edit is not a new question)."""
        case = await self.database.read(lambda c: service.open_case_of(c, sender))
        if case is None or not body.strip():
            return []
        correction = self._(case.language, m.CASE_EDITED).format(text=body.strip())
        return await self.write(sender, case.id, case.language, correction)

    def _from_user(self, session: Session, case_id: int, body: str) -> None:
        case = session.get(Case, case_id)
        assert case is not None
        service.add_message(session, case, Sender.user, body, delivered=True)

    async def refused(self, sender: str, channel: str, client: str | None) -> Refused | None:
        """Why no new case may open for `sender` now (a case already open is not refused)."""
        now = utcnow()

        def check(session: Session) -> tuple[bool, Refused | None]:
            if service.open_case_for(session, sender) is not None:
                return True, None
            return False, refusal(session, self.floods.cases, sender, channel, now)
        already_open, why = await self.database.run(check)
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
        topic = slots.get("topic")
        opening = service.Opening(
            conversation=sender, channel=channel, organisation_id=self.settings.default_organisation,
            language=language, topic=str(topic) if topic else None, urgent=bool(slots.get("urgent")),
            transcript=tuple(transcript) if share else None, address=self.keys.seal(address) if address else None)
        referrer = slots.get("referrer")      # routes the case; the caseworker is not shown it
        now = utcnow()
        async with self.opening:
            case_id, tell, late = await self.database.run(
                lambda s: self._create(s, opening, referrer if isinstance(referrer, str) else None, now))
        if late is not None or case_id is None:
            return self.refusal(late or Refused.busy, language)
        if tell and self.announce is not None:
            link = announcements.console_url(self.settings.public_url, f"/console/cases/{case_id}")
            await self.announce(announcements.announcement(case_id, topic, language, link))
        self.wake.set()
        return [Reply(self._queued(language, now), end_button(self.responder, language))]

    def _create(self, session: Session, opening: service.Opening, referrer: str | None,
                now: dt.datetime) -> tuple[int | None, bool, Refused | None]:
        """The case (new, or the one already open), whether the group hears of it now, or why
        none may open: the limits are asked again in the transaction that opens the case, so a
        burst that passed the first look while Rasa was asked cannot all get through."""
        if service.open_case_for(session, opening.conversation) is None:
            late = refusal(session, self.floods.cases, opening.conversation, opening.channel, now)
            if late is not None:
                return None, False, late
        if referrer is not None and session.get(Organisation, referrer) is not None:
            opening = replace(opening, organisation_id=referrer)
        case, created = service.open_case(session, opening)
        if created:
            service.add_message(session, case, Sender.system, self._(opening.language, m.CASE_QUEUED), delivered=True)
            add_counts(session, Counter({(now.date(), "handoff", opening.topic or "", opening.language,
                                          opening.channel): 1}), opening.organisation_id)
        tell = created and case.urgent and self.announce is not None and announcements.announce_or_hold(
            session, case.id, self.settings.urgent_announcements, now)
        return case.id, tell, None

    def _queued(self, language: str, now: dt.datetime) -> str:
        """The user's case is queued, and when someone will be on duty if nobody is now."""
        text = self._(language, m.CASE_QUEUED)
        if not self.hours.is_open(now):
            when = format_datetime(self.hours.next_open(now), "EEEE HH:mm zzzz", locale=babel_locale(language))
            text += "\n\n" + self._(language, m.CASE_OFF_HOURS).format(when=when)
        return text

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
