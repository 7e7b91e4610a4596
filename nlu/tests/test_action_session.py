"""Calls to the action server reuse one connection: a real aiohttp server on loopback counts
the client ports it sees."""

from __future__ import annotations

import asyncio
from typing import Any, List

from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from helpline_nlu.action_session import install


async def calls(count: int) -> tuple[List[Any], List[Any]]:
    peers: List[Any] = []
    tokens: List[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername")[1])
        tokens.append((request.query.get("token"), request.headers.get("X-Test")))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
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
