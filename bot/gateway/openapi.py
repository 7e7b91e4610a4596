"""The gateway's HTTP API as an OpenAPI 3.0 description, served at /openapi.json: the web
chat API and the console's JSON and form endpoints. Tests run schemathesis against it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

_MESSAGE = {"type": "object", "properties": {
    "text": {"type": "string"},
    "buttons": {"type": "array", "items": {"type": "object", "properties": {
        "title": {"type": "string"}, "payload": {"type": "string"}}}},
    "document": {"type": "object", "properties": {
        "filename": {"type": "string"}, "media_type": {"type": "string"}, "base64": {"type": "string"}}}}}
_REPLY = {"type": "object", "properties": {
    "session_id": {"type": "string", "nullable": True}, "case": {"type": "string", "nullable": True},
    "messages": {"type": "array", "items": _MESSAGE}, "error": {"type": "integer"}}}
_JSON = {"application/json": {"schema": _REPLY}}
# issued by the gateway (the previous response's session_id) and signed with its key; an id it
# did not issue starts a new conversation with a new id (/api/chat) or gets nothing (updates)
_SESSION = {"type": "string", "pattern": r"^[A-Za-z0-9_-]{8,64}\.[A-Za-z0-9_-]{22}$",
            "description": "the session_id of the gateway's last response; never chosen by the client"}
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_FORM = {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
    "csrf": {"type": "string"}, "body": {"type": "string"}, "outcome": {"type": "string"}}}}}
_REDIRECT_OR_REFUSED = {"303": {"description": "done, or to the login page"},
                        "400": {"description": "malformed"}, "403": {"description": "not allowed"},
                        "404": {"description": "no such case"}, "409": {"description": "not in that state"}}


def _action(summary: str) -> dict[str, Any]:
    return {"post": {"summary": summary, "parameters": [_CASE_ID],
                     "requestBody": {"content": _FORM}, "responses": _REDIRECT_OR_REFUSED}}


def _form(summary: str, fields: tuple[str, ...], responses: dict[str, str],
          parameters: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    schema = {"type": "object", "properties": {name: {"type": "string"} for name in ("csrf", *fields)}}
    return {"post": {"summary": summary, "parameters": list(parameters),
                     "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": schema}}},
                     "responses": {code: {"description": text} for code, text in responses.items()}}}


def _page(summary: str, *refused: str) -> dict[str, Any]:
    responses = {"200": "HTML", "303": "log in first", **{code: "not allowed" for code in refused}}
    return {"get": {"summary": summary, "responses": {code: {"description": text} for code, text in responses.items()}}}


_ACCOUNT_ID = {"name": "account_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ACCOUNT_PATHS: dict[str, Any] = {        # bot/console/login.py and account_pages.py
    "/console/login/code": {**_page("The second step of a login: the TOTP code"), **_form(
        "The code", ("code",), {"303": "logged in, or to the login page (no step waiting)", "401": "wrong",
                          "403": "no CSRF token"})},
    "/console/account": _page("Your account: password, second factor"),
    "/console/account/password": _form(
        "Change your password", ("current", "new", "again"),
        {"303": "changed", "400": "the new one breaks a rule", "401": "log in first", "403": "wrong or no CSRF token",
         "429": "too many attempts"}),
    "/console/account/totp/start": _form("A new TOTP secret to confirm", (),
                                         {"303": "started", "401": "log in first", "403": "no CSRF token"}),
    "/console/account/totp/confirm": _form("Switch the second factor on with a first code", ("code",),
                                           {"303": "on", "400": "wrong code", "401": "log in first",
                                            "403": "no CSRF token"}),
    "/console/accounts": _page("The accounts an admin manages", "403"),
    "/console/accounts/{account_id}/password": _form(
        "A one-time password for another account", (), {"200": "HTML, with the password", "401": "log in first",
                                                        "403": "not an admin", "404": "out of reach"}, (_ACCOUNT_ID,)),
    "/console/account/sessions": _form("Log out everywhere else", (),
                                       {"303": "done", "401": "log in first", "403": "no CSRF token"}),
    "/console/accounts/{account_id}/sessions": _form(
        "End every session of another account", (), {"200": "HTML", "401": "log in first", "403": "not an admin",
                                                     "404": "out of reach"}, (_ACCOUNT_ID,)),
    "/console/accounts/{account_id}/totp": _form(
        "Remove another account's second factor", (), {"200": "HTML", "401": "log in first", "403": "not an admin",
                                                      "404": "out of reach"}, (_ACCOUNT_ID,)),
}


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Migrant workers' helpline gateway", "version": "1"},
    "paths": {
        "/api/chat": {"post": {
            "summary": "A typed text or a button payload; the bot's (or the case's) replies. Without a "
                       "session_id, or with one the gateway did not issue, a new conversation starts "
                       "and its new session_id is in the response",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "session_id": _SESSION, "text": {"type": "string", "maxLength": 4000},
                    "payload": {"type": "string", "pattern": r"^/[a-z_]{1,40}(\{[^{}]{0,150}\})?$"}}}}}},
            "responses": {"200": {"description": "replies", "content": _JSON},
                          "400": {"description": "malformed, in the user's language", "content": _JSON},
                          "403": {"description": "another site's Origin, in the user's language", "content": _JSON},
                          "413": {"description": "too long, in the user's language", "content": _JSON},
                          "415": {"description": "not application/json, in the user's language",
                                  "content": _JSON}}}},
        "/api/chat/updates": {"get": {
            "summary": "What a caseworker said since the last call (polled while a case is open)",
            "parameters": [{"name": "session_id", "in": "query", "required": True, "schema": _SESSION}],
            "responses": {"200": {"description": "messages (none, and session_id null, for an id the "
                                                  "gateway did not issue)", "content": _JSON},
                          "400": {"description": "no case store", "content": _JSON},
                          "503": {"description": "the case store cannot answer", "content": _JSON}}}},
        "/healthz": {"get": {"summary": "Serving or not; each dependency's state only for a monitor "
                                        "(loopback, or Authorization: Bearer HELPLINE_HEALTH_TOKEN)",
                             "responses": {"200": {"description": "serving"},
                                           "503": {"description": "not serving"}}}},
        "/console/login": {
            "get": {"summary": "The login page", "responses": {"200": {"description": "HTML"}}},
            "post": {"summary": "Log in", "requestBody": {"content": {"application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {
                    "csrf": {"type": "string"}, "email": {"type": "string"}, "password": {"type": "string"}}}}}},
                "responses": {"303": {"description": "logged in"}, "400": {"description": "bad form"},
                              "401": {"description": "wrong"}, "403": {"description": "no CSRF token"},
                              "429": {"description": "too many attempts"}}}},
        "/console": {"get": {"summary": "The queue", "responses": {"200": {"description": "HTML"},
                                                                   "303": {"description": "log in first"}}}},
        "/console/cases/{case_id}": {"get": {"summary": "A case", "parameters": [_CASE_ID],
                                             "responses": {"200": {"description": "HTML"},
                                                           "303": {"description": "log in first"},
                                                           "404": {"description": "no such case"}}}},
        "/console/cases/{case_id}/messages": {"get": {
            "summary": "A case's messages after an id (the console polls this)",
            "parameters": [_CASE_ID, {"name": "after", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "messages"}, "303": {"description": "log in first"},
                          "401": {"description": "log in first"}, "404": {"description": "no such case"}}}},
        "/console/cases/{case_id}/claim": _action("Take the case"),
        "/console/cases/{case_id}/release": _action("Give the case back to the queue"),
        "/console/cases/{case_id}/reply": _action("Write to the user"),
        "/console/cases/{case_id}/note": _action("An internal note"),
        "/console/cases/{case_id}/close": _action("Close with an outcome"),
        **_ACCOUNT_PATHS,
    },
}


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(SPEC)
