"""/healthz (issue 15: "shows the topology to anyone"): anyone gets only "ok" or "degraded" with
200 or 503 as before; a monitor (loopback, or the HELPLINE_HEALTH_TOKEN bearer) gets each
dependency. Offline: the gateway app with its lifespan, fake Rasa and action servers on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.devtools.ports import free_port
from bot.gateway.app import create_app
from bot.gateway.health import is_loopback
from bot.settings import Settings
from tests.conftest import make_settings
from tests.console_client import serving

TOKEN = "health-token-for-the-monitor-tests-0001"
OUTSIDE = "203.0.113.7"
asked: list[str] = []        # paths the fake Rasa and action server were asked


async def fake(request: Request) -> Response:
    asked.append(request.url.path)
    return JSONResponse({})


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    rasa_port, action_port = free_port(), free_port()
    stub = Starlette(routes=[Route("/{path:path}", fake, methods=["GET", "POST"])])
    asked.clear()
    with serving(stub, rasa_port), serving(stub, action_port):
        yield make_settings(tmp_path, rasa_port=rasa_port, action_port=action_port, health_token=TOKEN)


@contextlib.asynccontextmanager
async def health(settings: Settings, *, client: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://helpline.example") as http:
            yield http


async def test_anyone_gets_only_the_status(settings: Settings) -> None:
    async with health(settings, client=OUTSIDE) as http:
        response = await http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_loopback_gets_each_dependency(settings: Settings) -> None:
    async with health(settings, client="127.0.0.1") as http:
        response = await http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "rasa": "ok", "actions": "ok",
                                                             "database": "ok"})


@pytest.mark.parametrize(("authorization", "detail"), [
    (f"Bearer {TOKEN}", True), (f"bearer {TOKEN}", True),
    (f"Bearer {TOKEN}x", False), (f"Basic {TOKEN}", False), ("Bearer ", False), (TOKEN, False),
    ("Bearer тот самый", False),          # not ASCII: refused, never a 500
])
async def test_the_monitors_token_shows_the_detail(settings: Settings, authorization: str, detail: bool) -> None:
    async with health(settings, client=OUTSIDE) as http:
        response = await http.get("/healthz", headers={"authorization": authorization.encode()})
    assert response.status_code == 200
    assert ("database" in response.json()) is detail


async def test_without_a_token_configured_no_bearer_shows_the_detail(settings: Settings) -> None:
    async with health(settings.model_copy(update={"health_token": None}), client=OUTSIDE) as http:
        response = await http.get("/healthz", headers={"authorization": "Bearer "})
    assert response.json() == {"status": "ok"}


async def test_not_serving_is_still_503_for_anyone(settings: Settings) -> None:
    down = settings.model_copy(update={"action_port": free_port()})      # no action server
    async with health(down, client=OUTSIDE) as http:
        public = await http.get("/healthz")
    async with health(down, client="::1") as http:
        monitor = await http.get("/healthz")
    assert (public.status_code, public.json()) == (503, {"status": "degraded"})
    assert monitor.status_code == 503 and monitor.json()["actions"] == "down"


async def test_a_flood_asks_each_dependency_about_once_a_second(settings: Settings) -> None:
    async with health(settings, client=OUTSIDE) as http:
        answers = await asyncio.gather(*(http.get("/healthz") for _ in range(50)))
    assert {response.status_code for response in answers} == {200}
    assert asked.count("/") <= 2 and asked.count("/health") <= 2


async def test_a_monitor_always_gets_a_fresh_report(settings: Settings) -> None:
    async with health(settings, client="127.0.0.1") as http:
        for _ in range(3):
            await http.get("/healthz")
    assert asked.count("/") == 3 and asked.count("/health") == 3


def test_a_client_behind_a_trusted_proxy_is_not_loopback(settings: Settings) -> None:
    """Through uvicorn as in production: a proxy on loopback forwards the visitor's address."""
    with serving(create_app(settings), settings.gateway_port):
        base = f"http://127.0.0.1:{settings.gateway_port}"
        forwarded = httpx.get(f"{base}/healthz", headers={"x-forwarded-for": OUTSIDE}, timeout=10)
        direct = httpx.get(f"{base}/healthz", timeout=10)
    assert forwarded.json() == {"status": "ok"}
    assert direct.json()["database"] == "ok"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.53", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("::ffff:10.0.0.1", False), ("testclient", False), ("", False)])
def test_what_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_short_token_is_refused_without_printing_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as error:
        make_settings(tmp_path, health_token="short-token")
    assert "HELPLINE_HEALTH_TOKEN" in str(error.value) and "short-token" not in str(error.value)
