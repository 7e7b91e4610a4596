"""What one gateway holds against floods around cases: new cases per client address and
messages into an open case per conversation. Counts kept in the database (cases per
conversation and per hour, urgent announcements) are in bot/cases/limits.py and
bot/cases/announcements.py.

A client address is kept only as an HMAC under the gateway's secret (an IPv6 address by its
/64, which one client holds), in memory or in Redis when HELPLINE_SHARED_STATE_URL is set."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.cases.limits import CaseLimits
from bot.console.throttle import client_network
from bot.gateway.limits import Limit, MessageLimit, SharedMessageLimit
from bot.settings import Settings

HOUR = 3600.0


@dataclass
class Floods:
    cases: CaseLimits
    addresses: Limit          # new cases per client address per hour
    messages: Limit           # a user's messages into their open case per minute
    polls: Limit              # the web page's asks for a caseworker's replies per minute (a few
                              # tabs fit, a script asking the database in a loop does not)


def floods(settings: Settings, shared: Redis | None = None) -> Floods:
    cases = CaseLimits(settings.cases_per_conversation_day, settings.cases_per_hour)
    if shared is None:
        return Floods(cases, MessageLimit(settings.cases_per_address_hour, window=HOUR),
                      MessageLimit(settings.case_messages_per_minute), MessageLimit(settings.case_polls_per_minute))
    return Floods(cases,
                  SharedMessageLimit(shared, settings.cases_per_address_hour, "helpline:case-address:", HOUR),
                  SharedMessageLimit(shared, settings.case_messages_per_minute, "helpline:case-message:"),
                  SharedMessageLimit(shared, settings.case_polls_per_minute, "helpline:case-poll:"))


def client_key(secret: bytes, address: str | None) -> str | None:
    """The key of a client's address for the per-address limit; None when there is none."""
    if not address:
        return None
    key = hmac.new(secret, b"case flood address", hashlib.sha256).digest()
    return hmac.new(key, client_network(address).encode(), hashlib.sha256).hexdigest()[:40]
