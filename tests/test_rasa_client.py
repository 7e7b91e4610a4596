"""The gateway's Rasa client keeps at most N messages in flight per Rasa server, and a message
that cannot get a slot in time fails like a timeout (the gateway then apologises)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.rasa_client import RasaClient


def test_at_most_n_messages_in_flight_and_a_bounded_wait() -> None:
    async def run() -> None:
        busy, peak = 0, 0
        release = asyncio.Event()

        async def rasa(request: httpx.Request) -> httpx.Response:
            nonlocal busy, peak
            busy += 1
            peak = max(peak, busy)
            await release.wait()
            busy -= 1
            return httpx.Response(200, json=[{"recipient_id": "x", "text": "ok"}])

        async with httpx.AsyncClient(transport=httpx.MockTransport(rasa)) as http:
            client = RasaClient(http, "http://rasa", "t", concurrency=3, wait=5)
            waiting = [asyncio.create_task(client.send(f"s{i}", "hi")) for i in range(8)]
            await asyncio.sleep(0.1)
            assert peak == 3                                   # three in flight, five waiting
            release.set()
            answers = await asyncio.gather(*waiting, return_exceptions=True)
            assert all(isinstance(a, list) for a in answers) and peak == 3

            release.clear()
            single = RasaClient(http, "http://rasa", "t", concurrency=1, wait=0.2)
            first = asyncio.create_task(single.send("one", "hi"))
            await asyncio.sleep(0.05)
            with pytest.raises(httpx.PoolTimeout):             # the next waits too long
                await single.send("two", "hi")
            release.set()
            assert await first
    asyncio.run(run())
