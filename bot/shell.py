"""`helpline shell`: a conversation in the terminal, buttons shown as numbers.

A client of the gateway's `POST /api/chat`, like the web page: the same session ids, limits,
casework and apologies as the real channels (it does not poll for a caseworker's replies)."""

from __future__ import annotations

import base64
import contextlib
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bot.processes import running_stack
from bot.settings import Settings


def render(messages: list[dict[str, Any]], downloads: Path) -> list[str]:
    """Print the gateway's messages (a document is saved to `downloads`); return the payloads
    of the numbered buttons."""
    payloads: list[str] = []
    for message in messages:
        if message.get("text"):
            print(f"\nbot> {message['text']}")
        document = message.get("document")
        if document:
            path = downloads / Path(str(document["filename"])).name
            path.write_bytes(base64.b64decode(document["base64"]))
            print(f"  (a document: {path})")
        for button in message.get("buttons", []):
            payloads.append(button["payload"])
            print(f"  [{len(payloads)}] {button['title']}")
    return payloads


def converse(http: httpx.Client, downloads: Path) -> None:
    session: str | None = None

    def send(body: dict[str, str]) -> list[str]:
        nonlocal session
        response = http.post("/api/chat", json={**body, **({"session_id": session} if session else {})})
        reply = response.json()
        session = reply.get("session_id") or session
        return render(reply.get("messages", []), downloads)

    payloads = send({"payload": "/greet"})
    while True:
        try:
            line = input("\nyou> ")
        except EOFError:
            return
        choice = line.strip()
        if choice.isdigit() and 1 <= int(choice) <= len(payloads):
            payloads = send({"payload": payloads[int(choice) - 1]})
        else:
            payloads = send({"text": line})


def gateway_url(settings: Settings) -> str:
    return f"http://{settings.gateway_host}:{settings.gateway_port}"


def _talk(settings: Settings) -> None:
    with tempfile.TemporaryDirectory(prefix="helpline-shell-") as folder, \
            httpx.Client(base_url=gateway_url(settings), timeout=settings.request_timeout + 5) as http:
        converse(http, Path(folder))


def run_shell(settings: Settings) -> int:
    """Use a running helpline if there is one; otherwise start one for this session."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(f"{gateway_url(settings)}/healthz", timeout=2)
        _talk(settings)
        return 0
    print("starting Rasa, the action server and the gateway for this session ...")
    with running_stack(settings):
        _talk(settings)
    return 0
