"""Request bodies capped while they arrive, for every route of the gateway.

A pure ASGI middleware counts the bytes the server hands over and, once a route's limit is
passed (or as soon as a Content-Length above it is declared), raises `BodyTooLarge` from
`receive` instead of passing the chunk on: an endpoint never holds more than its limit, and the
middleware holds nothing. The endpoint turns the error into its own refusal (`/api/chat` its
JSON one, in the user's language); anything else gets `too_large`, a plain 413. An answer sent
before the body was read to its end (a 413, or a route that never reads it) closes the
connection, so the server does not go on reading a body nobody will use; a client that is still
sending then may see the connection reset instead of the answer (a browser's body just over a
limit has arrived whole by then and gets the refusal).

A body must also arrive whole within `seconds` of the first read (`BODY_SECONDS`, 30 s: a
message of a few KB takes well under a second even on 2G). A client that sends a byte now and
then, under the size limit, would otherwise hold a connection and a task as long as it likes;
past the deadline `receive` raises `BodyTooSlow` (408) and the connection is closed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """The request's body is longer than its route allows (deliberately not a ValueError:
    code that refuses malformed bodies must not swallow it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


class BodyTooSlow(Exception):
    """The request's body did not arrive whole within the allowed time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"request body not received within {seconds:g} s")
        self.seconds = seconds


BODY_SECONDS = 30.0


@dataclass(frozen=True)
class BodyLimits:
    """The most bytes a body may have: the first route that is the path or a folder above it,
    else `default`."""

    routes: Sequence[tuple[str, int]]
    default: int

    def of(self, path: str) -> int:
        for route, limit in self.routes:
            if path == route or path.startswith(route.rstrip("/") + "/"):
                return limit
        return self.default


def declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    value = value.strip() if value is not None else None
    return int(value) if value and value.isascii() and value.isdigit() else None


def has_body(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    return headers.get("content-length", "0").strip() not in ("", "0") or "transfer-encoding" in headers


class BodyLimit:
    """Pure ASGI middleware: `receive` raises `BodyTooLarge` past the route's limit and
    `BodyTooSlow` past `seconds` from its first call."""

    def __init__(self, app: ASGIApp, *, limits: BodyLimits, seconds: float | None = None) -> None:
        self.app, self.limits = app, limits
        self.seconds = BODY_SECONDS if seconds is None else seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.of(scope["path"])
        declared = declared_length(scope)
        received, refused, unread = 0, False, has_body(scope)
        deadline: float | None = None
        whole = False          # the body has all arrived: later reads wait for a disconnect, unbounded

        async def counted() -> Message:
            nonlocal received, refused, unread, deadline, whole
            if refused or (declared is not None and declared > limit):
                refused = True
                raise BodyTooLarge(limit)
            if whole:          # a response listening for the client leaving (FileResponse does)
                return await receive()
            if deadline is None:
                deadline = time.monotonic() + self.seconds
            message: Message | None = None
            with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
                message = await receive()
            if message is None:
                refused = True
                raise BodyTooSlow(self.seconds)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise BodyTooLarge(limit)
                unread = unread and message.get("more_body", False)
                whole = not message.get("more_body", False)
            return message

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start" and (refused or unread):
                MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        await self.app(scope, counted, closing)


async def too_large(request: Request, error: Exception) -> Response:
    """The refusal of a route that has none of its own (the console, the Telegram webhook)."""
    return PlainTextResponse("request body too large", status_code=413)


async def too_slow(request: Request, error: Exception) -> Response:
    return PlainTextResponse("request body too slow", status_code=408)
