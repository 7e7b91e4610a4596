"""A local fake of the Telegram Bot API, on loopback, for the real python-telegram-bot client.

It implements the methods the bot uses (getMe, getUpdates, sendMessage, editMessageText,
answerCallbackQuery, sendDocument, setMyCommands, setWebhook, deleteWebhook), queues
updates that tests push, records what the bot sends with the time it arrived, and can be
told to fail the next sends (502) to exercise retries. Nothing here reaches the internet.
Used by the tests and by `helpline bench telegram`.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
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
SENDS = ("sendMessage", "editMessageText", "sendDocument")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float          # time.perf_counter() when the request arrived
    ok: bool = True    # False when the fake refused it (fail_sends)


@dataclass
class FakeTelegram:
    updates: list[dict[str, Any]] = field(default_factory=list)
    log: list[Call] = field(default_factory=list)
    by_chat: dict[int, list[Call]] = field(default_factory=dict)   # the log per chat (cheap lookups)
    pushed_at: dict[int, float] = field(default_factory=dict)
    fail_sends: int = 0                      # answer the next N sendMessage calls with 502
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _loop: asyncio.AbstractEventLoop | None = None
    _wakeup: asyncio.Event | None = None

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        return [(c.method, c.params) for c in self.log]

    def push(self, update: dict[str, Any]) -> int:
        update_id = next(self.ids)
        self.pushed_at[update_id] = time.perf_counter()
        self.updates.append({"update_id": update_id, **update})
        if self._loop is not None and self._wakeup is not None:
            self._loop.call_soon_threadsafe(self._wakeup.set)
        return update_id

    def sent(self, chat_id: int, method: str = "sendMessage") -> list[dict[str, Any]]:
        """What the bot delivered to one chat (calls the fake refused are left out)."""
        return [c.params for c in self.calls_to(chat_id) if c.ok and c.method == method]

    def calls_to(self, chat_id: int) -> list[Call]:
        return list(self.by_chat.get(chat_id, ()))

    def wait_sent(self, chat_id: int, count: int, timeout: float = 30,
                  method: str = "sendMessage") -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.sent(chat_id, method)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.sent(chat_id, method)

    def method_calls(self, name: str) -> list[dict[str, Any]]:
        return [c.params for c in self.log if c.method == name]

    async def handle(self, request: Request) -> JSONResponse:
        if self._loop is None:
            self._loop, self._wakeup = asyncio.get_running_loop(), asyncio.Event()
        method = request.path_params["method"]
        params = await _params(request)
        call = Call(method, params, time.perf_counter())
        self.log.append(call)
        try:
            self.by_chat.setdefault(int(params.get("chat_id", 0)), []).append(call)
        except (TypeError, ValueError):
            pass
        if method == "sendMessage" and self.fail_sends > 0:
            self.fail_sends -= 1
            call.ok = False
            return JSONResponse({"ok": False, "error_code": 502, "description": "Bad Gateway"}, 502)
        if method == "getUpdates":
            return _ok(await self._updates(params))
        if method == "getMe":
            return _ok(BOT)
        if method in SENDS:
            chat = {"id": int(params.get("chat_id", 0)), "type": "private"}
            message = {"message_id": int(params.get("message_id") or next(self.ids)), "date": int(time.time()),
                       "chat": chat, "from": BOT}
            if method == "sendDocument":
                message["document"] = {"file_id": "d1", "file_unique_id": "d1",
                                       "file_name": params.get("document_filename")}
            else:
                message["text"] = params.get("text")
            return _ok(message)
        return _ok(True)

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert self._wakeup is not None
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            self._wakeup.clear()
            ready = [u for u in self.updates if u["update_id"] >= offset]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0:
                return ready
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                pass

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self.handle, methods=["GET", "POST"])])


async def _params(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    body = await request.body()
    if content_type.startswith("application/json"):
        data = json.loads(body or b"{}")
        return dict(data) if isinstance(data, dict) else {}
    if content_type.startswith("multipart/form-data"):
        return _multipart(content_type, body)
    result: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(body.decode()):
        result[key] = _value(value)
    return result


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Form fields as values; a file part as `<name>_filename` and `<name>_bytes`."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    result: dict[str, Any] = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            result[f"{name}_filename"] = filename
            result[f"{name}_bytes"] = data
        else:
            result[str(name)] = _value(data.decode())
    return result


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


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
                 chat_type: str = "private", **content: Any) -> dict[str, Any]:
    """An update with a message from user `chat_id` (in a private chat, or in `chat_type`)."""
    user = {"id": abs(chat_id), "is_bot": False, "first_name": "W", **(
        {"language_code": language_code} if language_code else {})}
    chat = {"id": chat_id, "type": chat_type, **({} if chat_type == "private" else {"title": "workers"})}
    message: dict[str, Any] = {"message_id": abs(chat_id) * 1000 + len(text or ""), "date": int(time.time()),
                               "chat": chat, "from": user, **content}
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message}


def button_press(chat_id: int, data: str, *, on: dict[str, Any] | None = None,
                 chat_type: str = "private") -> dict[str, Any]:
    """A press of an inline button with `data`, on the bot message `on` (a sendMessage call's
    parameters, so its keyboard comes along) or on a plain message."""
    user = {"id": abs(chat_id), "is_bot": False, "first_name": "W"}
    chat = {"id": chat_id, "type": chat_type, **({} if chat_type == "private" else {"title": "workers"})}
    message: dict[str, Any] = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": BOT,
                               "text": "menu"}
    if on is not None:
        message["text"] = on.get("text", "")
        if on.get("reply_markup"):
            message["reply_markup"] = on["reply_markup"]
    return {"callback_query": {"id": f"cb{chat_id}{len(data)}{time.monotonic_ns()}", "from": user,
                               "chat_instance": "x", "data": data, "message": message}}
