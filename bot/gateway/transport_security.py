"""HTTP Strict Transport Security: a browser that once reached the helpline over https goes
on using https for a year, so a network in between cannot downgrade the chat or the console
to plain http. Sent on requests that came over https (uvicorn --proxy-headers tells when TLS
ended at a proxy) and, with `always`, on every response (HELPLINE_CONSOLE_SECURE_COOKIES:
the site is served over https). Browsers ignore the header on plain http."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "Strict-Transport-Security"
ONE_YEAR = 31_536_000


class StrictTransportSecurity:
    """Pure ASGI middleware (streamed responses pass through untouched)."""

    def __init__(self, app: ASGIApp, *, always: bool = False, max_age: int = ONE_YEAR) -> None:
        self.app, self.always, self.value = app, always, f"max-age={max_age}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self.always or scope.get("scheme") == "https"):
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault(HEADER, self.value)
            await send(message)
        await self.app(scope, receive, with_header)
