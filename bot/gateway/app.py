"""The gateway's ASGI application (Starlette on uvicorn). Built by a factory: nothing
happens at import; clients are created in the lifespan and closed on shutdown."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.console.account_pages import account_routes
from bot.console.auth import LoginLimiter
from bot.console.login import login_routes
from bot.console.organiser import organiser_routes
from bot.console.pages import Pages
from bot.console.views import Host, console_routes
from bot.content_cache import responder
from bot.db.database import Database
from bot.db.engine import make_engine, make_sessions
from bot.db.prepare import prepare_database
from bot.duty_hours import parse_hours
from bot.gateway.body_limit import BodyLimit, BodyLimits, BodyTooLarge, BodyTooSlow, too_large, too_slow
from bot.gateway.casework import Casework
from bot.gateway.conversation import Languages, LocalLanguages, SharedLanguages
from bot.gateway.floods import floods
from bot.gateway.forgetting import Forgetter
from bot.gateway.health import Health, healthz
from bot.gateway.limits import Limit, MessageLimit, SharedMessageLimit
from bot.gateway.openapi import openapi
from bot.gateway.state import GatewayState
from bot.gateway.telegram_webhook import MAX_UPDATE_BYTES, telegram_webhook
from bot.gateway.transport_security import StrictTransportSecurity
from bot.gateway.web_api import MAX_BODY_BYTES, chat, updates
from bot.logs import configure
from bot.privacy.keys import load_keys
from bot.privacy.trackers import tracker_engine
from bot.rasa_client import RasaClient, RasaPool
from bot.settings import Settings

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


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    configure(settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(settings.database)      # chat and casework: SQLAlchemy's pool of 5 (+10)
        await anyio.to_thread.run_sync(prepare_database, settings, engine)
        console = Database.open(settings.database, connections=CONSOLE_CONNECTIONS)
        trackers = tracker_engine(settings)
        shared = Redis.from_url(settings.shared_state_url, socket_timeout=2) if settings.shared_state_url else None
        try:
            async with httpx.AsyncClient(timeout=settings.request_timeout) as http, \
                    anyio.create_task_group() as tasks:
                token = settings.rasa_token.get_secret_value()
                rasa = RasaPool([RasaClient(http, url, token, concurrency=settings.rasa_concurrency,
                                            wait=settings.request_timeout) for url in settings.rasa_urls])
                texts = responder(settings.content_dir, settings.locales_dir, retention_days=settings.retention_days)
                keys = load_keys(settings.secret_key.get_secret_value() if settings.secret_key else None,
                                 settings.key_file)
                casework = Casework(settings=settings, sessions=make_sessions(engine), responder=texts, rasa=rasa,
                                    hours=parse_hours(settings.casework_hours), keys=keys)
                casework.floods = floods(settings, shared)     # case limits shared by the gateways (Redis)
                limit: Limit = (SharedMessageLimit(shared, settings.messages_per_minute) if shared is not None
                                else MessageLimit(settings.messages_per_minute))
                languages: Languages = (SharedLanguages(shared, settings.retention_days * 86_400)
                                        if shared is not None else LocalLanguages())
                state: Host = GatewayState(   # the console's views read it as their Host
                    settings=settings, http=http, rasa=rasa, responder=texts, keys=keys,
                    casework=casework, sessions=casework.sessions, console=console,
                    forgetter=Forgetter(casework.sessions, trackers),
                    limit=limit, languages=languages, shared=shared)
                app.state.gateway = state
                app.state.telegram = None
                tasks.start_soon(casework.run)
                tasks.start_soon(app.state.gateway.forgetter.keep_retention, settings.retention_days)
                try:
                    async with telegram_channel(app, settings):
                        yield
                finally:
                    tasks.cancel_scope.cancel()
        finally:      # once the tasks have stopped: none returns a connection to a closed pool
            engine.dispose()
            console.close()
            trackers.dispose()
            if shared is not None:
                await shared.aclose()

    @contextlib.asynccontextmanager
    async def telegram_channel(app: Starlette, settings: Settings) -> AsyncIterator[None]:
        if settings.telegram_bot_token is None:
            yield
            return
        from bot.gateway.telegram_bot import build_application, register_commands

        telegram = build_application(app.state.gateway)
        async with telegram:
            await register_commands(telegram, app.state.gateway)
            await telegram.start()
            app.state.telegram = telegram
            polling = settings.telegram_webhook_url is None
            if polling:
                assert telegram.updater is not None
                await telegram.bot.delete_webhook()
                await telegram.updater.start_polling(timeout=10)
            else:
                assert settings.telegram_webhook_secret is not None
                await telegram.bot.set_webhook(
                    settings.telegram_webhook_url,
                    secret_token=settings.telegram_webhook_secret.get_secret_value())
            try:
                yield
            finally:
                if polling and telegram.updater is not None:
                    await telegram.updater.stop()
                await telegram.stop()
                await app.state.gateway.outbox.close()

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
        *organiser_routes(),
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
