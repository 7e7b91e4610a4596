"""`/forget`, second press: delete the conversation in the tracker store and the case store."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import anyio
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import utcnow
from bot.privacy.forget import Forgotten, Purged, forget, purge
from bot.replies import FORGET_ALL

log = logging.getLogger(__name__)


def forget_language(payload: str | None) -> str | None:
    """The language of a `/forget_all{"language": "tg"}` press, or None for another payload."""
    if payload is None or not payload.startswith(FORGET_ALL):
        return None
    try:
        entities = json.loads(payload.removeprefix(FORGET_ALL) or "{}")
    except ValueError:
        entities = {}
    language = entities.get("language") if isinstance(entities, dict) else None
    return language if isinstance(language, str) else ""


@dataclass(frozen=True)
class Forgetter:
    sessions: sessionmaker[Session]
    tracker_store: Engine

    async def __call__(self, conversation: str) -> Forgotten:
        def run() -> Forgotten:
            with self.sessions.begin() as session:
                return forget(session, self.tracker_store, conversation)
        done = await anyio.to_thread.run_sync(run)
        log.info("a conversation was forgotten: %d events, %d cases", done.events, done.cases)
        return done

    async def purge(self, days: int) -> Purged:
        def run() -> Purged:
            with self.sessions.begin() as session:
                return purge(session, self.tracker_store, utcnow(), days)
        return await anyio.to_thread.run_sync(run)

    async def keep_retention(self, days: int, every: float = 3600.0) -> None:
        """Purge what is older than `days` at start and then every hour, so the privacy
        notice's promise holds without a separate scheduler (compose runs one too)."""
        while True:
            try:
                done = await self.purge(days)
                if done.conversations or done.cases:
                    log.info("retention: %d conversations and %d cases older than %d days purged",
                             done.conversations, done.cases, days)
            except SQLAlchemyError as error:
                log.error("retention purge failed (%s); next try in an hour", type(error).__name__)
            await anyio.sleep(every)
