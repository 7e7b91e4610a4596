"""`POST /api/chat`: the web chat's JSON API (documented in README).

Request: {"session_id"?: str, "text": str} or {"session_id"?: str, "payload": str}.
Response: {"session_id": str, "case": null | "queued" | "active",
           "messages": [{"text": str, "buttons": [{"title", "payload"}]}]};
a message may also carry "document": {"filename", "media_type", "base64"} (a file to download).

Session ids are issued by the gateway and signed (bot/gateway/session_ids.py): the first request
sends none, later ones send the id of the last response. An id the gateway did not issue (made
up, tampered with, an old format, or signed with another key) is not an error: the request
starts a new conversation under a new id, returned as usual.

Only `Content-Type: application/json` is accepted (415 otherwise): a page on another site can
send text/plain or a form without asking the browser first, but not JSON. A request with an
`Origin` header must come from the gateway's own origin (403 otherwise): see `trusted_origin`.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot import messages as m
from bot.cases import delivery, service
from bot.db.database import Database
from bot.gateway import session_ids
from bot.gateway.body_limit import BodyTooLarge, BodyTooSlow
from bot.gateway.conversation import converse, is_payload
from bot.gateway.floods import client_key
from bot.gateway.state import GatewayState
from bot.replies import CASE_END, Reply

MAX_BODY_BYTES = 32_000
MAX_TEXT_CHARS = 4_000
log = logging.getLogger(__name__)


def trusted_origin(request: Request, public_url: str | None) -> bool:
    """No `Origin` (not a browser's cross-site request), the host the browser asked for (the
    scheme is left out: TLS may end at a proxy), or the origin of HELPLINE_PUBLIC_URL (for a
    proxy that rewrites Host). Nothing else: the web chat is only served by the gateway itself."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    given = urlsplit(origin.strip().lower())
    if public_url is not None:
        public = urlsplit(public_url.strip().lower())
        if (given.scheme, given.netloc) == (public.scheme, public.netloc):
            return True
    host = request.headers.get("host", "").strip().lower()
    return bool(host) and given.scheme in ("http", "https") and given.netloc == host


def is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


def render(session_id: str, replies: list[Reply]) -> dict[str, Any]:
    return {"session_id": session_id, "messages": [message(r) for r in replies]}


def message(reply: Reply) -> dict[str, Any]:
    shown: dict[str, Any] = {"text": reply.text,
                             "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons]}
    if reply.document is not None:
        shown["document"] = reply.document.to_json()
    return shown


def session_of(state: GatewayState, given: object) -> tuple[str, str]:
    """The session id to answer with and its random part: the given one when this gateway
    issued it, else a new one (a missing, made-up or tampered id starts a new conversation)."""
    part = session_ids.verified(state.keys, given)
    if part is not None:
        assert isinstance(given, str)
        return given, part
    if given is not None:       # never the id itself: it may be a real one, mistyped
        log.info("a session id this gateway did not issue; a new conversation starts")
    issued = session_ids.issue(state.keys)
    return issued, issued.partition(".")[0]


async def _refuse(state: GatewayState, request: Request, status: int, message: str,
                  session: tuple[str, str] | None = None) -> JSONResponse:
    session_id, part = session if session is not None else (None, None)
    language = await state.language_for(request, part)
    text = state.responder.catalogues.gettext(language, message)
    return JSONResponse({"session_id": session_id, "error": status,
                         "messages": [{"text": text, "buttons": []}]}, status_code=status)


async def chat(request: Request) -> JSONResponse:
    state: GatewayState = request.app.state.gateway
    if not trusted_origin(request, state.settings.public_url):
        return await _refuse(state, request, 403, m.NOT_UNDERSTOOD)
    if not is_json(request):
        return await _refuse(state, request, 415, m.NOT_UNDERSTOOD)
    try:
        body = await request.body()     # never more than MAX_BODY_BYTES: bot/gateway/body_limit.py
    except BodyTooLarge:
        return await _refuse(state, request, 413, m.TOO_LONG_REFUSED)
    except BodyTooSlow:                 # a connection too slow even for a short message: try again
        return await _refuse(state, request, 408, m.UNAVAILABLE)
    if len(body) > MAX_BODY_BYTES:
        return await _refuse(state, request, 413, m.TOO_LONG_REFUSED)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return await _refuse(state, request, 400, m.NOT_UNDERSTOOD)
    if not isinstance(data, dict):
        return await _refuse(state, request, 400, m.NOT_UNDERSTOOD)
    session = session_of(state, data.get("session_id"))
    session_id, part = session
    text, payload = data.get("text"), data.get("payload")
    if (text is None) == (payload is None) or not isinstance(text or payload or "", str):
        return await _refuse(state, request, 400, m.NOT_UNDERSTOOD, session)
    if payload is not None and not is_payload(payload):
        return await _refuse(state, request, 400, m.NOT_UNDERSTOOD, session)
    if text is not None and len(text) > MAX_TEXT_CHARS:
        return await _refuse(state, request, 413, m.TOO_LONG_REFUSED, session)
    sender = state.keys.conversation("web", part)
    client = client_key(state.keys.secret, request.client.host if request.client else None)
    replies = await converse(state.rasa, state.responder, state.languages,
                             sender=sender, text=text, payload=payload, client=client,
                             hint=state.browser_language(request), casework=state.casework,
                             forgetter=state.forgetter, limit=state.limit)
    shown = render(session_id, replies)
    shown["case"] = await case_state(state.database, sender)
    return JSONResponse(shown)


async def case_state(database: Database, conversation: str) -> str | None:
    """The open case's state, or None (also when the database cannot say: the page then
    simply does not poll, and the next message will tell the user)."""
    try:
        case = await database.read(lambda c: service.open_case_of(c, conversation))
    except SQLAlchemyError as error:
        log.error("case store unavailable (%s)", type(error).__name__)
        return None
    return case.state.value if case else None


async def updates(request: Request) -> JSONResponse:
    """`GET /api/chat/updates?session_id=…`: what a caseworker (or the case) said since the
    last call. The page polls this only while a case is open."""
    state: GatewayState = request.app.state.gateway
    session_id = request.query_params.get("session_id", "")
    part = session_ids.verified(state.keys, session_id)
    if part is None:        # not an id this gateway issued: nothing for it (the page stops polling)
        return JSONResponse({"session_id": None, "case": None, "messages": []})
    conversation = state.keys.conversation("web", part)
    if not await state.casework.floods.polls.allow(conversation):   # "unknown": the page keeps asking
        return JSONResponse({"session_id": session_id, "case": "unknown", "messages": []}, status_code=429)
    try:
        found, case, language = await state.database.run(partial(delivery.taken_by_web, conversation=conversation))
    except SQLAlchemyError:
        return JSONResponse({"session_id": session_id, "case": "unknown", "messages": []}, status_code=503)
    end = state.responder.catalogues.gettext(language or await state.language_for(request, part), m.BTN_END)
    buttons = [{"title": end, "payload": CASE_END}] if case else []
    messages = [{"text": text, "buttons": buttons if i == len(found) - 1 else []} for i, text in enumerate(found)]
    return JSONResponse({"session_id": session_id, "case": case, "messages": messages})
