"""The page a one-time link opens (bot/console/invites.py): choose a password, for a new account
(an invitation) or an existing one (a reset). No session: the form carries a token that must
match a cookie of its own, as the login form does. A used, expired or unknown link gets a page
that says so (410 or 404) and what to do, never an error."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.console import invites
from bot.console.account_pages import MAX_FIELD, PROBLEMS, _checks, _database, _say
from bot.console.pages import C_
from bot.console.passwords import MIN_PASSWORD
from bot.console.views import _db, _pages, _set_cookie

LINK_CSRF = "helpline_console_link"
MAX_TOKEN = 100
GONE = {"used": (410, C_("This link has been used already. Each link works once: ask your admin for a new one.")),
        "expired": (410, C_("This link has run out. Ask your admin for a new one.")),
        "unknown": (404, C_("This link does not work. Check that it was copied whole, or ask your admin for "
                            "a new one.")),
        "taken": (409, C_("That e-mail address has an account already. Log in, or ask your admin.")),
        "busy": (429, PROBLEMS["busy"])}


def _token(request: Request) -> str:
    return str(request.path_params.get("token", ""))[:MAX_TOKEN]


def _form(request: Request, kind: str | None, status: int = 200, error: str | None = None) -> Response:
    csrf = secrets.token_urlsafe(24)
    response = _pages(request).render(request, "link.html", status, account=None, csrf=csrf, kind=kind,
                                      token=_token(request), min_password=MIN_PASSWORD, error=error)
    _set_cookie(request, response, LINK_CSRF, csrf, 3600)
    return response


def _said(request: Request, status: int, message: str, *, done: bool = False) -> Response:
    return _pages(request).render(request, "link.html", status, account=None, said=_say(request, message),
                                  done=done)


async def link_page(request: Request) -> Response:
    token = _token(request)
    state, kind = await _db(request, lambda session: invites.look(session, token))
    if state != "open":
        return _said(request, *GONE[state])
    return _form(request, kind)


async def use_link(request: Request) -> Response:
    form = await request.form()
    expected = request.cookies.get(LINK_CSRF, "")
    if not expected or not secrets.compare_digest(expected.encode(), str(form.get("csrf", "")).encode()):
        return Response("CSRF token missing or wrong", status_code=403)
    used = await invites.use(_database(request), _checks(request), token=_token(request),
                             new=str(form.get("new", ""))[:MAX_FIELD], again=str(form.get("again", ""))[:MAX_FIELD])
    if used == "done":
        response = _said(request, 200, C_("Your password is set. Log in with your e-mail address and it."), done=True)
        response.delete_cookie(LINK_CSRF, path="/console")
        return response
    if used in ("short", "differ"):
        _, kind = await _db(request, lambda session: invites.look(session, _token(request)))
        return _form(request, kind, 400, _say(request, PROBLEMS[used], n=MIN_PASSWORD))
    return _said(request, *GONE[used])


def link_routes() -> list[BaseRoute]:
    return [
        Route("/console/link/{token}", link_page, methods=["GET"]),
        Route("/console/link/{token}", use_link, methods=["POST"]),
    ]
