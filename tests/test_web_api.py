"""The web chat's JSON API, through the real gateway process in front of real Rasa."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.devtools.fake_telegram import Server
from bot.processes import Stack, start_actions, start_gateway, start_rasa
from tests.conftest import free_port, make_settings
from tests.web_user import web_session


def api(stack: Stack) -> str:
    settings = stack.settings
    return f"http://{settings.gateway_host}:{settings.gateway_port}"


def post(stack: Stack, body: object, **headers: str) -> httpx.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(f"{api(stack)}/api/chat", content=data, timeout=30,
                      headers={"content-type": "application/json", **headers})


@pytest.mark.rasa
def test_new_conversation_language_choice_button_and_question(stack: Stack) -> None:
    first = post(stack, {"text": "салом алейкум"})
    assert first.status_code == 200
    session = first.json()["session_id"]
    assert len(session) >= 16
    payloads = [b["payload"] for m in first.json()["messages"] for b in m["buttons"]]
    assert '/choose_language{"language":"tg"}' in payloads

    chosen = post(stack, {"session_id": session, "payload": '/choose_language{"language":"tg"}'})
    assert chosen.json()["messages"][0]["text"].startswith("Хуб")

    asked = post(stack, {"session_id": session, "text": "корфармо ду моҳ маош намедиҳад"}).json()
    assert asked["session_id"] == session
    russia = '/country{"country":"RU","topic":"wages_unpaid"}'
    assert russia in [b["payload"] for b in asked["messages"][0]["buttons"]]
    assert "ТК РФ" not in asked["messages"][0]["text"]           # the country first, one tap
    body = post(stack, {"session_id": session, "payload": russia}).json()
    text = "\n".join(m["text"] for m in body["messages"])
    assert "КМ ФР" in text and "КМ ҶҚ" not in text
    assert {"title": "Сӯҳбат бо инсон", "payload": "/handoff_human"} in body["messages"][-1]["buttons"]


@pytest.mark.rasa
def test_health_reports_each_dependency(stack: Stack) -> None:
    health = httpx.get(f"{api(stack)}/healthz", timeout=10)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "rasa": "ok", "actions": "ok", "database": "ok"}


@pytest.mark.rasa
@pytest.mark.parametrize(("body", "status"), [
    (b"{not json", 400),
    (b"\xff\xfe\x00binary", 400),
    ([1, 2, 3], 400),
    ({"text": 5}, 400),
    ({"text": "a", "payload": "/menu"}, 400),
    ({}, 400),
    ({"payload": "/menu{\"x\": [1]} ; drop"}, 400),
    ({"text": "x" * 4001}, 413),
    (json.dumps({"text": "x" * 40_000}).encode(), 413),
])
def test_bad_requests_get_a_kind_reply_in_the_browser_language(
        stack: Stack, body: object, status: int) -> None:
    response = post(stack, body, **{"accept-language": "ky-KG,ky;q=0.9"})
    assert response.status_code == status
    text = response.json()["messages"][0]["text"]
    assert text and "Traceback" not in text
    assert any(word in text.lower() for word in ("кечиресиз", "узун"))


async def slow(request: Request) -> JSONResponse:
    await asyncio.sleep(30)
    return JSONResponse([])


@pytest.mark.rasa
def test_rasa_down_or_slow_gives_an_apology_and_the_gateway_recovers_by_itself(
        tmp_path: Path, model: Path) -> None:
    settings = make_settings(tmp_path, rasa_port=free_port(), action_port=free_port(), request_timeout=2)
    gateway = Stack(settings)  # the gateway alone: nothing listens on the Rasa port
    start_gateway(gateway)
    base = f"http://{settings.gateway_host}:{settings.gateway_port}"
    session = {"session_id": web_session("s" * 20)}
    try:
        for _ in range(100):
            try:
                health = httpx.get(f"{base}/healthz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        httpx.post(f"{base}/api/chat", json={**session, "payload": '/choose_language{"language":"uz"}'})
        down = httpx.post(f"{base}/api/chat", json={**session, "text": "ish haqi"}, timeout=30)

        hanging = Starlette(routes=[Route("/webhooks/rest/webhook", slow, methods=["POST"])])
        with Server(hanging, settings.rasa_port):          # Rasa accepts but never answers in time
            started = time.monotonic()
            late = httpx.post(f"{base}/api/chat", json={**session, "text": "ish haqi"}, timeout=30)
            waited = time.monotonic() - started

        start_actions(gateway)                             # Rasa comes back on the same port
        start_rasa(gateway, model)
        gateway.wait_ready()
        for _ in range(10):     # the first turns after a cold start may exceed the 2 s timeout
            back = httpx.post(f"{base}/api/chat", json={**session, "text": "Rossiyada ish haqi bermayapti"},
                              timeout=30)
            if "Kechirasiz" not in back.json()["messages"][0]["text"]:
                break
            time.sleep(1)
    finally:
        gateway.stop()
    for reply in (down, late):
        assert reply.status_code == 200
        text = reply.json()["messages"][0]["text"]
        assert "Kechirasiz" in text and "112" in text and "102" in text
    assert waited < 10                                     # the timeout setting holds
    assert health.status_code == 503
    assert health.json()["rasa"] == "down"
    assert back.status_code == 200 and "Kechirasiz" not in back.json()["messages"][0]["text"]
    assert "RF MK 136" in back.text                      # the wages answer, in Uzbek, for Russia (said)
