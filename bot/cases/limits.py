"""How many cases may open, counted from the cases themselves (table support_case), so every
gateway shares the count and a restart keeps it: per conversation in 24 hours (one open at a
time is `service.open_case`'s rule), and per channel in an hour (so a flood on the web chat,
where a new conversation costs nothing, cannot use up Telegram's budget). The per-address
limit lives in the gateway (bot/gateway/floods.py): the case tables never hold an address."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Case

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


class Refused(enum.Enum):
    conversation = "conversation"    # this conversation asked for a person too often today
    busy = "busy"                    # too many cases at once: the channel, or one address


@dataclass(frozen=True)
class CaseLimits:
    per_conversation_day: int
    per_hour: int                    # per channel


def opened_since(session: Session, since: dt.datetime, *, conversation: str | None = None,
                 channel: str | None = None) -> int:
    query = select(func.count(Case.id)).where(Case.opened_at >= since)
    if conversation is not None:
        query = query.where(Case.conversation == conversation)
    if channel is not None:
        query = query.where(Case.channel == channel)
    return int(session.scalar(query) or 0)


def refusal(session: Session, limits: CaseLimits, conversation: str, channel: str,
            now: dt.datetime) -> Refused | None:
    """Why a new case for `conversation` may not open now, or None. Checked before the case
    is made, so cases opened at the same moment by several gateways can pass a limit by a few."""
    if opened_since(session, now - DAY, conversation=conversation) >= limits.per_conversation_day:
        return Refused.conversation
    if opened_since(session, now - HOUR, channel=channel) >= limits.per_hour:
        return Refused.busy
    return None
