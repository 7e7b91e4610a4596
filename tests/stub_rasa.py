"""A Rasa that answers every message with "answer" and knows no slots: for gateway tests that are
about the gateway itself (bodies, pools), not about what the bot says."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def answer(request: Request) -> Response:
    if request.url.path == "/webhooks/rest/webhook":
        body = await request.json()
        return JSONResponse([{"recipient_id": body["sender"], "text": "answer"}])
    if request.url.path.endswith("/tracker"):
        return JSONResponse({"slots": {}, "events": []})
    return JSONResponse({})


def stub_rasa() -> Starlette:
    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])
