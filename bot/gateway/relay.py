"""The caseworkers' side of casework, run in the background: what caseworkers (and the case
timers) write reaches users of a channel that is sent to (Telegram), in order and once, and the
timers tell an unclaimed urgent case's user where to get help and end idle cases. With several
gateways on one database only the holder of a lease does this; the others stand by and one takes
over within LEASE_SECONDS if the holder stops."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from functools import partial

import anyio
from sqlalchemy.orm import Session

from bot import messages as m
from bot.cases import announcements, delivery, lease, service
from bot.db.base import utcnow
from bot.db.database import Database
from bot.db.models import Sender
from bot.gateway.channels import Announce, Channel, Delivered, end_button
from bot.gateway.live_replies import LiveReplies
from bot.privacy.keys import Keys, SealError
from bot.replies import Reply, Responder
from bot.settings import Settings

log = logging.getLogger(__name__)

LOOP = "casework"        # the lease on delivery and timers: one gateway at a time runs them
LEASE_SECONDS = 15.0     # renewed every pass (2 s); another gateway takes over after this
PASS_SECONDS = 2.0


@dataclass
class Relay:
    settings: Settings
    database: Database
    replies: LiveReplies
    keys: Keys
    channel: Channel | None = None       # None: no channel to send to (web chat only)
    announce: Announce | None = None     # the caseworkers' group, if any
    wake: asyncio.Event = field(default_factory=asyncio.Event)    # set: a pass now, not in 2 s
    in_flight: set[int] = field(default_factory=set)
    instance: str = field(default_factory=lambda: secrets.token_hex(8))   # this gateway, for the lease

    @property
    def responder(self) -> Responder:
        """The replies of the content version in use (swapped when a new one goes live)."""
        return self.replies.current

    def _(self, language: str, message: str) -> str:
        return self.responder.catalogues.gettext(language, message)

    async def run(self) -> None:
        """Deliver waiting messages and run the timers, woken by new messages or every 2 s."""
        held = False
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), PASS_SECONDS)
                self.wake.clear()
                try:
                    held = await self.one_pass(held)
                except Exception:   # the loop must outlive a database hiccup; it retries in 2 s
                    log.exception("casework loop failed; retrying")
        finally:
            if held:
                with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                    await self.database.run(lambda s: lease.release(s, LOOP, self.instance, utcnow()))

    async def one_pass(self, held: bool) -> bool:
        """One pass if this gateway holds the lease; whether it holds it now."""
        now = utcnow()
        holding = await self.database.run(partial(lease.hold, name=LOOP, holder=self.instance, now=now,
                                                  seconds=LEASE_SECONDS))
        if holding != held:
            log.info("casework loop %s in this gateway", "running" if holding else "left to another")
        if holding:               # one gateway: each message, timer and summary once
            await self.timers(now)
            await self.deliver()
            await self.summarise_announcements()
        return holding

    async def deliver(self) -> None:
        channel = self.channel
        if channel is None:
            return
        pending = await self.database.run(lambda s: [
            (msg.id, msg.body, msg.sender, case.address, case.language)
            for msg, case in service.undelivered(s, channel.name)])
        for message_id, body, sender, address, language in pending:
            if message_id in self.in_flight:
                continue
            unsealed = self._unsealed(address)
            if unsealed is None or not channel.accepts(unsealed):   # sealed with another key, or forgotten
                log.warning("case message %s has no readable address; not delivered", message_id)
                await self._delivered(message_id)()
                continue
            self.in_flight.add(message_id)
            buttons = end_button(self.responder, language) if sender is Sender.caseworker else ()
            await channel.send(unsealed, Reply(body, buttons), self._delivered(message_id))

    def _unsealed(self, address: str | None) -> str | None:
        try:
            return self.keys.unseal(address) if address else None
        except SealError:
            return None

    def _delivered(self, message_id: int) -> Delivered:
        async def mark() -> None:
            await self.database.run(partial(delivery.delivered, message_id=message_id))
            self.in_flight.discard(message_id)
        return mark

    async def timers(self, now: dt.datetime) -> None:
        if await self.database.run(partial(self._due, now=now)):
            self.wake.set()

    def _due(self, session: Session, now: dt.datetime) -> int:
        """Tell users of urgent cases nobody claimed in time, end idle cases; how many were told."""
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

    async def summarise_announcements(self) -> None:
        """The count of urgent cases the group was not told about one by one (bot/cases/announcements.py)."""
        if self.announce is None:
            return
        held = await self.database.run(partial(announcements.summary_due, most=self.settings.urgent_announcements,
                                               now=utcnow()))
        if held:
            await self.announce(announcements.summary(held, announcements.console_url(self.settings.public_url,
                                                                                       "/console")))
