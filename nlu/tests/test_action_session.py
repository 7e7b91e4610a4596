"""Calls to the action server reuse one connection: a real aiohttp server on loopback counts
the client ports it sees."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from helpline_nlu.action_session import close_kept, install


async def calls(count: int) -> tuple[list[Any], list[Any]]:
    peers: list[Any] = []
    tokens: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername")[1])
        tokens.append((request.query.get("token"), request.headers.get("X-Test")))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook", token="secret", headers={"X-Test": "1"})
    try:
        for _ in range(count):
            assert await endpoint.request(json={"next_action": "x"}, method="post") == {"events": [], "responses": []}
        await asyncio.gather(*(endpoint.request(json={}, method="post") for _ in range(5)))
    finally:
        await runner.cleanup()
    return peers, tokens


def test_one_connection_is_reused_with_the_same_token_and_headers() -> None:
    install()
    peers, tokens = asyncio.run(calls(10))
    assert len(peers) == 15
    assert len(set(peers[:10])) == 1          # ten calls one after another: one connection
    assert set(tokens) == {("secret", "1")}


def test_a_new_event_loop_gets_its_own_session() -> None:
    install()
    first, _ = asyncio.run(calls(2))
    second, _ = asyncio.run(calls(2))          # the first loop's session is not used here
    assert len(first) == len(second) == 7


async def closed_at_shutdown() -> tuple[bool, bool, int]:
    """Calls through a kept session, then Rasa's shutdown listener: is the server's end of the
    connection still open before it, and closed after it?"""
    import rasa.core.run

    transports: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        transports.append(request.transport)
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")
    try:
        for _ in range(3):
            await endpoint.request(json={}, method="post")
        await asyncio.sleep(0.05)
        open_before = not transports[-1].is_closing()
        sanic_app = SimpleNamespace(ctx=SimpleNamespace())         # no agent: Rasa's part has nothing to do
        await rasa.core.run.close_resources(sanic_app, asyncio.get_running_loop())
        for _ in range(100):
            if all(transport.is_closing() for transport in transports):
                break
            await asyncio.sleep(0.01)
        return open_before, all(transport.is_closing() for transport in transports), await close_kept()
    finally:
        await runner.cleanup()


def test_rasas_shutdown_closes_the_kept_session_and_its_connection() -> None:
    install()
    open_before, closed_after, left = asyncio.run(closed_at_shutdown())
    assert open_before                       # kept between calls
    assert closed_after                      # the server saw the client close it
    assert left == 0                         # nothing left open on that loop
