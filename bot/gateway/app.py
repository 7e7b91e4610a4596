"""The gateway's ASGI application (Starlette on uvicorn). Built by a factory: nothing
happens at import; clients are created in the lifespan and closed on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import httpx
from redis.asyncio import Redis
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot import heap
from bot.console.account_pages import account_routes
from bot.console.admin_pages import admin_routes
from bot.console.auth import LoginLimiter
from bot.console.link_pages import link_routes
from bot.console.login import login_routes
from bot.console.organiser import organiser_routes
from bot.console.pages import Pages
from bot.console.studio_edit import studio_edit_routes
from bot.console.studio_pages import studio_routes
from bot.console.views import Host, console_routes
from bot.content_cache import responder
from bot.db.database import Database
from bot.db.prepare import prepare_database
from bot.duty_hours import parse_hours
from bot.gateway import live_replies
from bot.gateway.body_limit import BodyLimit, BodyLimits, BodyTooLarge, BodyTooSlow, too_large, too_slow
from bot.gateway.casework import Casework
from bot.gateway.conversation import Languages, LocalLanguages, SharedLanguages
from bot.gateway.delivery import Outbox
from bot.gateway.floods import floods
from bot.gateway.forgetting import Forgetter
from bot.gateway.health import Health, healthz
from bot.gateway.limits import Limit, MessageLimit, SharedMessageLimit
from bot.gateway.live_replies import LiveReplies
from bot.gateway.openapi import openapi
from bot.gateway.relay import Relay
from bot.gateway.state import GatewayState
from bot.gateway.telegram_channel import TelegramChannel
from bot.gateway.telegram_webhook import MAX_UPDATE_BYTES, telegram_webhook
from bot.gateway.transport_security import StrictTransportSecurity
from bot.gateway.web_api import MAX_BODY_BYTES, chat, updates
from bot.logs import configure
from bot.privacy.keys import load_keys
from bot.privacy.trackers import tracker_engine
from bot.rasa_client import RasaClient, RasaPool
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.gateway.telegram_bot import TelegramApp

WEB = Path(__file__).parent / "web"
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
# The console's largest form is a message of 4,000 characters (the textarea's maxlength), which
# a browser sends percent-encoded: at most 9 bytes a character (CJK; Cyrillic takes 6), 36,000
# bytes, plus the CSRF token; an organiser's list of ids is a few KiB. 64 KiB holds all of them.
CONSOLE_FORM_BYTES = 65_536
BODY_LIMITS = BodyLimits(routes=[("/api/chat", MAX_BODY_BYTES), ("/telegram/webhook", MAX_UPDATE_BYTES),
                                 ("/console", CONSOLE_FORM_BYTES)],
                         default=16_384)      # the other routes take no body
# The console's own connections (and threads), apart from chat's: pages and logins beyond them
# wait, chat does not (bot/db/database.py). Each console request holds one for milliseconds.
CONSOLE_CONNECTIONS = 4


async def page(request: Request) -> FileResponse:
    return FileResponse(WEB / "index.html", headers=PAGE_HEADERS)


@dataclass(frozen=True)
class Parts:
    """What the lifespan opened (and closes) that the gateway's state is made of."""

    http: httpx.AsyncClient
    database: Database
    console: Database
    trackers: Engine
    shared: Redis | None
    outbox: Outbox


def assemble(settings: Settings, parts: Parts, channel: TelegramChannel | None) -> tuple[GatewayState, Relay]:
    """The gateway's state, and the relay that sends caseworkers' messages through `channel`."""
    token = settings.rasa_token.get_secret_value()
    rasa = RasaPool([RasaClient(parts.http, url, token, concurrency=settings.rasa_concurrency,
                                wait=settings.request_timeout) for url in settings.rasa_urls])
    folder = settings.content_dir.resolve()     # a published link: the version it points at now
    texts = LiveReplies(responder(folder, settings.locales_dir, retention_days=settings.retention_days), folder)
    keys = load_keys(settings.secret_key.get_secret_value() if settings.secret_key else None, settings.key_file)
    announce = channel.announcer() if channel is not None else None
    wake = asyncio.Event()                # a new message for a user starts a relay pass at once
    casework = Casework(settings=settings, database=parts.database, replies=texts, rasa=rasa,
                        hours=parse_hours(settings.casework_hours), keys=keys, announce=announce, wake=wake,
                        floods=floods(settings, parts.shared))   # case limits shared by the gateways (Redis)
    relay = Relay(settings=settings, database=parts.database, replies=texts, keys=keys, channel=channel,
                  announce=announce, wake=wake)
    shared = parts.shared
    limit: Limit = (SharedMessageLimit(shared, settings.messages_per_minute) if shared is not None
                    else MessageLimit(settings.messages_per_minute))
    languages: Languages = (SharedLanguages(shared, settings.retention_days * 86_400)
                            if shared is not None else LocalLanguages())
    state = GatewayState(
        settings=settings, http=parts.http, rasa=rasa, replies=texts, keys=keys, database=parts.database,
        console=parts.console, casework=casework, forgetter=Forgetter(parts.database.sessions, parts.trackers),
        limit=limit, languages=languages, outbox=parts.outbox, shared=shared)
    return state, relay


def telegram_application(settings: Settings) -> TelegramApp | None:
    """The Telegram application when a bot token is set (python-telegram-bot is imported only then)."""
    if settings.telegram_bot_token is None:
        return None
    from bot.gateway.telegram_bot import build_application

    return build_application(settings)


@contextlib.asynccontextmanager
async def telegram_running(app: Starlette, telegram: TelegramApp | None, state: GatewayState) -> AsyncIterator[None]:
    """Telegram started (polling, or its webhook set) while the gateway serves; stopped after."""
    if telegram is None:
        yield
        return
    from bot.gateway.telegram_bot import register_commands, serve

    settings = state.settings
    serve(telegram, state)
    async with telegram:
        await register_commands(telegram, state)
        await telegram.start()
        app.state.telegram = telegram
        webhook = settings.telegram_webhook_url
        polling = webhook is None
        if polling:
            assert telegram.updater is not None
            await telegram.bot.delete_webhook()
            await telegram.updater.start_polling(timeout=10)
        else:
            assert webhook is not None and settings.telegram_webhook_secret is not None
            await telegram.bot.set_webhook(
                webhook, secret_token=settings.telegram_webhook_secret.get_secret_value())
        try:
            yield
        finally:
            if polling and telegram.updater is not None:
                await telegram.updater.stop()
            await telegram.stop()
            await state.outbox.close()


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    configure(settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        database = Database.open(settings.database)      # chat and casework: SQLAlchemy's pool of 5 (+10)
        await anyio.to_thread.run_sync(prepare_database, settings, database.engine)
        console = Database.open(settings.database, connections=CONSOLE_CONNECTIONS)
        trackers = tracker_engine(settings)
        shared = Redis.from_url(settings.shared_state_url, socket_timeout=2) if settings.shared_state_url else None
        try:
            async with httpx.AsyncClient(timeout=settings.request_timeout) as http, \
                    anyio.create_task_group() as tasks:
                telegram = telegram_application(settings)
                outbox = Outbox()
                channel = (TelegramChannel(telegram.bot, outbox, settings.caseworker_chat_id)
                           if telegram is not None else None)
                state, relay = assemble(settings, Parts(http, database, console, trackers, shared, outbox), channel)
                host: Host = state        # the console's views read it as their Host
                app.state.gateway = host
                app.state.telegram = None
                tasks.start_soon(relay.run)
                tasks.start_soon(state.forgetter.keep_retention, settings.retention_days)
                watch = live_replies.watch_for(settings.content_dir, state.replies)
                if watch is not None:        # a published version: follow the link as it moves
                    tasks.start_soon(live_replies.follow, state.replies, settings, watch)
                heap.settle()           # start-up's objects: out of the cycle collector's way
                try:
                    async with telegram_running(app, telegram, state):
                        yield
                finally:
                    tasks.cancel_scope.cancel()
        finally:      # once the tasks have stopped: none returns a connection to a closed pool
            database.close()
            console.close()
            trackers.dispose()
            if shared is not None:
                await shared.aclose()

    routes = [
        Route("/", page),
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/chat/updates", updates),
        Route("/healthz", healthz),
        Route("/openapi.json", openapi),
        Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
        Mount("/static", StaticFiles(directory=WEB), name="static"),
        *login_routes(),
        *account_routes(),
        *admin_routes(),
        *link_routes(),
        *organiser_routes(),
        *studio_routes(),
        *studio_edit_routes(),
        *console_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={BodyTooLarge: too_large, BodyTooSlow: too_slow})
    app.add_middleware(StrictTransportSecurity, always=settings.console_secure_cookies)
    app.add_middleware(BodyLimit, limits=BODY_LIMITS)
    app.state.health = Health()
    app.state.console_pages = Pages.create(settings.locales_dir)
    app.state.console_limiter = LoginLimiter()
    return app
