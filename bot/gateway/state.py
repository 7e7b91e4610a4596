"""What the gateway holds while it runs: clients made in the lifespan, closed on shutdown."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from redis.asyncio import Redis
from starlette.requests import Request

from bot.db.database import Database
from bot.gateway.casework import Casework
from bot.gateway.conversation import Languages, hinted_language
from bot.gateway.delivery import Outbox
from bot.gateway.forgetting import Forgetter
from bot.gateway.limits import Limit
from bot.gateway.live_replies import LiveReplies
from bot.privacy.keys import Keys
from bot.rasa_client import RasaPool
from bot.replies import Responder
from bot.settings import Settings


@dataclass
class GatewayState:
    settings: Settings
    http: httpx.AsyncClient
    rasa: RasaPool
    replies: LiveReplies
    keys: Keys
    database: Database          # chat and casework
    console: Database           # the console's own pool and threads
    casework: Casework          # the user's side of cases (the relay runs as a task)
    forgetter: Forgetter
    limit: Limit
    languages: Languages
    outbox: Outbox              # to Telegram: ordered per chat, retried
    shared: Redis | None = None     # limits and languages shared by several gateways

    @property
    def responder(self) -> Responder:
        """The replies of the content version in use (swapped when a new one goes live)."""
        return self.replies.current

    def browser_language(self, request: Request) -> str | None:
        header = request.headers.get("accept-language", "")
        first = header.split(",")[0].split(";")[0].strip()
        return first or None

    async def language_for(self, request: Request, session_id: str | None) -> str:
        default = hinted_language(self.responder, self.browser_language(request))
        if not session_id:
            return default
        return await self.languages.get(self.keys.conversation("web", session_id), default)
