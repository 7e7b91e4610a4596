"""Talking to the Rasa server over HTTP (REST channel and the tracker API)."""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, TypedDict, TypeVar

import httpx


class Button(TypedDict):
    title: str
    payload: str


class BotMessage(TypedDict, total=False):
    recipient_id: str
    text: str
    buttons: list[Button]
    custom: dict[str, Any]


WORD_JOINER = "\u2060"
T = TypeVar("T")


def typed(text: str) -> str:
    """Text a person typed, made safe to send: Rasa treats a leading "/" as a button payload
    (and logs the whole text when it does not parse), so typed text never starts with one.
    The NLU normaliser removes the invisible word joiner again."""
    return WORD_JOINER + text if text.startswith("/") else text


class Rasa(Protocol):
    """One Rasa server or several: what the gateway needs from Rasa."""

    async def send(self, sender: str, text: str,
                   metadata: dict[str, Any] | None = None) -> list[BotMessage]: ...

    async def tracker(self, sender: str, *, events: bool = False) -> dict[str, Any]: ...


class RasaClient:
    """A thin async client; the caller owns the httpx.AsyncClient's lifetime.

    At most `concurrency` messages are in flight to this server at once; the others wait here,
    for at most `wait` seconds (then httpx.PoolTimeout, which the gateway answers with an
    apology). A Rasa process works on one message at a time, so more in flight only makes
    every message slower, and a long queue inside httpx's connection pool costs the gateway
    CPU (it scans the queue for each request: seen with py-spy under load, BENCHMARKS.md)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str, *,
                 concurrency: int = 8, wait: float = 10.0) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._token = token
        self._slots = asyncio.Semaphore(concurrency)
        self._wait = wait

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        try:
            await asyncio.wait_for(self._slots.acquire(), self._wait)
        except TimeoutError:
            raise httpx.PoolTimeout(f"no free slot for Rasa within {self._wait:g} s") from None
        try:
            yield
        finally:
            self._slots.release()

    async def send(self, sender: str, text: str,
                   metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        async with self._slot():
            response = await self._http.post(
                f"{self._base}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata or {}},
            )
        response.raise_for_status()
        result: list[BotMessage] = response.json()
        return result

    async def tracker(self, sender: str, *, events: bool = False) -> dict[str, Any]:
        response = await self._http.get(
            f"{self._base}/conversations/{sender}/tracker",
            params={"token": self._token, "include_events": "ALL" if events else "NONE"},
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    @property
    def base_url(self) -> str:
        return self._base

    async def parse(self, text: str) -> dict[str, Any]:
        response = await self._http.post(
            f"{self._base}/model/parse", params={"token": self._token}, json={"text": text}
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


class RasaPool:
    """Several Rasa servers that share one tracker store and a Redis lock store: any of them
    can take any message. Each conversation goes to its own replica (a stable choice, so one
    replica's model cache stays warm for it); when that replica cannot be reached, to the next.
    Only connection failures move a message: a replica that took the message and then timed
    out may have handled it, and sending it again would answer it twice."""

    def __init__(self, clients: list[RasaClient]) -> None:
        if not clients:
            raise ValueError("at least one Rasa server is needed")
        self.clients = clients
        self.sent = [0] * len(clients)        # messages each replica answered (for /healthz)

    def _order(self, sender: str) -> list[int]:
        first = zlib.crc32(sender.encode()) % len(self.clients)
        return [(first + i) % len(self.clients) for i in range(len(self.clients))]

    async def _reachable(self, sender: str, call: Callable[[RasaClient], Awaitable[T]]) -> tuple[int, T]:
        """`call` on the conversation's replica, or on the next that can be reached."""
        error: Exception | None = None
        for index in self._order(sender):
            try:
                return index, await call(self.clients[index])
            except (httpx.ConnectError, httpx.ConnectTimeout) as failed:
                error = failed
        assert error is not None
        raise error

    async def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        index, answer = await self._reachable(sender, lambda client: client.send(sender, text, metadata))
        self.sent[index] += 1
        return answer

    async def tracker(self, sender: str, *, events: bool = False) -> dict[str, Any]:
        return (await self._reachable(sender, lambda client: client.tracker(sender, events=events)))[1]

    async def parse(self, text: str) -> dict[str, Any]:
        return await self.clients[0].parse(text)
