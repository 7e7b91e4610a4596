"""Console login, its code step and logout: thin handlers over bot.console.auth.

The login form carries a token that must match a cookie of its own (no session yet). An account
with a second factor then gets the code step (a waiting session in the console cookie, five
minutes, its own CSRF token) whether its password was right or not. A held account (a one-time
password to change, an admin without a second factor) is sent to its account page, and the
other pages do not serve it until it is done (auth.current)."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console import auth
from bot.console.pages import C_, console_language
from bot.console.views import COOKIE, _db, _pages, _set_cookie, _state

LOGIN_CSRF = "helpline_console_login"
ACCOUNT_PAGE = "/console/account"
MAX_CODE = 20


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _after_login(request: Request, done: auth.Login) -> Response:
    assert done.token is not None
    hours = _state(request).settings.console_session_hours
    response = RedirectResponse(ACCOUNT_PAGE if done.hold else "/console", status_code=303)
    _set_cookie(request, response, COOKIE, done.token, int(hours * 3600))
    response.delete_cookie(LOGIN_CSRF, path="/console")
    return response


def _login_form(request: Request, status: int = 200, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = _pages(request).render(request, "login.html", status, csrf=token, account=None, error=error)
    _set_cookie(request, response, LOGIN_CSRF, token, 3600)
    return response


async def login_page(request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    found = await _db(request, lambda s: auth.session_of(s, token)) if token else None
    if found is not None and auth.hold(found[0]):     # where every other page sends a held account
        return RedirectResponse(ACCOUNT_PAGE, status_code=303)
    late = C_("The time for the code has run out. Log in again.")
    return _login_form(request, error=_pages(request).gettext(console_language(request), late)
                       if "late" in request.query_params else None)


async def login(request: Request) -> Response:
    form = await request.form()
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not secrets.compare_digest(expected.encode(), str(form.get("csrf", "")).encode()):
        return Response("CSRF token missing or wrong", status_code=403)
    state = _state(request)
    assert state.console is not None
    limiter: auth.LoginLimiter = request.app.state.console_limiter
    done = await auth.log_in(state.console.run, limiter.password_checks(state.settings.login_checks), state.keys,
                             email=str(form.get("email", ""))[:254], password=str(form.get("password", ""))[:1024],
                             address=_client(request), hours=state.settings.console_session_hours)
    if done.outcome == "code":
        assert done.token is not None
        response = RedirectResponse("/console/login/code", status_code=303)
        _set_cookie(request, response, COOKIE, done.token, int(auth.CODE_STEP.total_seconds()))
        return response
    if done.token is None:
        return _login_refused(request, done, expected)
    return _after_login(request, done)


def _login_refused(request: Request, done: auth.Login, csrf: str) -> Response:
    """401 for a wrong e-mail or password; 429, and when to try again, while logins are limited."""
    pages, language = _pages(request), console_language(request)
    if done.outcome == "wrong":
        return pages.render(request, "login.html", 401, csrf=csrf, account=None,
                            error=pages.gettext(language, C_("Wrong e-mail or password.")))
    if done.outcome == "blocked":
        error = pages.gettext(language, C_("Too many failed attempts. Try again in {minutes} minutes."))
        error, retry = error.format(minutes=done.minutes), done.minutes * 60
    else:
        error, retry = pages.gettext(language, C_("Many people are logging in right now. Please try again "
                                                  "in a moment.")), 5
    response = pages.render(request, "login.html", 429, csrf=csrf, account=None, error=error)
    response.headers["Retry-After"] = str(retry)
    return response


async def code_page(request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    found = await _db(request, lambda s: auth.waiting(s, token))
    if found is None:
        return RedirectResponse("/console/login", status_code=303)
    return _pages(request).render(request, "login_code.html", csrf=found.csrf_token, account=None)


async def code(request: Request) -> Response:
    form = await request.form()
    token = request.cookies.get(COOKIE)
    found = await _db(request, lambda s: auth.waiting(s, token))
    if found is not None and not auth.csrf_ok(found, str(form.get("csrf", ""))):
        return Response("CSRF token missing or wrong", status_code=403)
    state = _state(request)
    assert state.console is not None
    done = await auth.enter_code(state.console.run, state.keys, token=token, code=str(form.get("code", ""))[:MAX_CODE],
                                 address=_client(request), hours=state.settings.console_session_hours)
    if done.outcome == "in":
        return _after_login(request, done)
    if done.outcome == "again":         # no step waiting (run out, used, or never begun)
        return RedirectResponse("/console/login?late", status_code=303)
    error = C_("Wrong e-mail, password or code. Log in again.")
    response = _login_form(request, 401, _pages(request).gettext(console_language(request), error))
    response.delete_cookie(COOKIE, path="/console")
    return response


async def logout(request: Request) -> Response:
    """Ends the cookie's session, held or not (its CSRF token required)."""
    token = request.cookies.get(COOKIE)
    found = await _db(request, lambda s: auth.session_of(s, token))
    if found is None:
        return Response("login required", status_code=401)
    given = request.headers.get("x-csrf-token")
    if given is None:
        given = str((await request.form()).get("csrf", ""))
    if not auth.csrf_ok(found[1], given):
        return Response("CSRF token missing or wrong", status_code=403)
    await _db(request, lambda s: auth.end_session(s, token))
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


def login_routes() -> list[BaseRoute]:
    return [
        Route("/console/login", login_page, methods=["GET"]),
        Route("/console/login", login, methods=["POST"]),
        Route("/console/login/code", code_page, methods=["GET"]),
        Route("/console/login/code", code, methods=["POST"]),
        Route("/console/logout", logout, methods=["POST"]),
    ]
