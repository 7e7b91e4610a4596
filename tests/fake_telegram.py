"""A local fake of the Telegram Bot API, on loopback, for the real python-telegram-bot client.

It implements the methods the bot uses, queues updates that tests push, and records what the
bot sends. Nothing here reaches the internet.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT = {"id": 777, "is_bot": True, "first_name": "Helpline", "username": "helpline_test_bot"}


@dataclass
class FakeTelegram:
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def push(self, update: dict[str, Any]) -> None:
        self.updates.append({"update_id": next(self.ids), **update})

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        return [p for name, p in self.calls if name == "sendMessage" and int(p["chat_id"]) == chat_id]

    def wait_sent(self, chat_id: int, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.sent(chat_id)) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.sent(chat_id)

    def method_calls(self, name: str) -> list[dict[str, Any]]:
        return [p for n, p in self.calls if n == name]

    async def handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await _params(request)
        self.calls.append((method, params))
        if method == "getUpdates":
            return _ok(await self._updates(params))
        if method == "getMe":
            return _ok(BOT)
        if method in ("sendMessage", "editMessageText"):
            return _ok({"message_id": next(self.ids), "date": int(time.time()), "text": params.get("text"),
                        "chat": {"id": int(params.get("chat_id", 0)), "type": "private"}})
        return _ok(True)

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            ready = [u for u in self.updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.05)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self.handle, methods=["GET", "POST"])])


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    body = (await request.body()).decode()
    result: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(body):
        try:
            result[key] = json.loads(str(value))
        except ValueError:
            result[key] = str(value)
    return result


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


class Server:
    """Runs an ASGI app with uvicorn in a background thread on a loopback port."""

    def __init__(self, app: Starlette, port: int) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def user_message(chat_id: int, *, text: str | None = None, language_code: str | None = "ru",
                 **content: Any) -> dict[str, Any]:
    """An update with a private message (keyword-only builder)."""
    user = {"id": chat_id, "is_bot": False, "first_name": "W", **(
        {"language_code": language_code} if language_code else {})}
    message: dict[str, Any] = {"message_id": chat_id * 1000 + len(text or ""), "date": int(time.time()),
                               "chat": {"id": chat_id, "type": "private"}, "from": user, **content}
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message}


def button_press(chat_id: int, data: str) -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "W"}
    return {"callback_query": {"id": f"cb{chat_id}{len(data)}", "from": user, "chat_instance": "x",
                               "data": data, "message": {"message_id": 1, "date": int(time.time()),
                                                          "chat": {"id": chat_id, "type": "private"},
                                                          "text": "menu"}}}
