"""The gateway's ASGI application (Starlette on uvicorn). Built by a factory: nothing
happens at import; clients are created in the lifespan and closed on shutdown."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.gateway.state import GatewayState
from bot.gateway.web_api import chat
from bot.rasa_client import RasaClient
from bot.runtime import responder
from bot.settings import Settings


async def healthz(request: Request) -> JSONResponse:
    state: GatewayState = request.app.state.gateway
    settings = state.settings
    checks = {"rasa": f"{settings.rasa_url}/", "actions": f"http://{settings.host}:{settings.action_port}/health"}
    report = {}
    for name, url in checks.items():
        try:
            ok = (await state.http.get(url, timeout=3)).status_code == 200
        except httpx.HTTPError:
            ok = False
        report[name] = "ok" if ok else "down"
    healthy = all(v == "ok" for v in report.values())
    return JSONResponse({"status": "ok" if healthy else "degraded", **report},
                        status_code=200 if healthy else 503)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.request_timeout) as http:
            app.state.gateway = GatewayState(
                settings=settings, http=http,
                rasa=RasaClient(http, settings.rasa_url, settings.rasa_token.get_secret_value()),
                responder=responder(settings.content_dir, settings.locales_dir),
            )
            yield

    routes = [Route("/api/chat", chat, methods=["POST"]), Route("/healthz", healthz)]
    return Starlette(routes=routes, lifespan=lifespan)
