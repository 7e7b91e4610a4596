"""Talking to the Rasa server over HTTP (REST channel and the tracker API)."""

from __future__ import annotations

from typing import Any, TypedDict

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


def typed(text: str) -> str:
    """Text a person typed, made safe to send: Rasa treats a leading "/" as a button payload
    (and logs the whole text when it does not parse), so typed text never starts with one.
    The NLU normaliser removes the invisible word joiner again."""
    return WORD_JOINER + text if text.startswith("/") else text


class RasaClient:
    """A thin async client; the caller owns the httpx.AsyncClient's lifetime."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._token = token

    async def send(self, sender: str, text: str,
                   metadata: dict[str, Any] | None = None) -> list[BotMessage]:
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

    async def parse(self, text: str) -> dict[str, Any]:
        response = await self._http.post(
            f"{self._base}/model/parse", params={"token": self._token}, json={"text": text}
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result
