"""The account page (change the password, switch a second factor on, log out everywhere else)
and the admins' accounts page (for another account: a one-time password, no second factor, no
sessions): thin handlers over bot/console/accounts.py and bot/console/totp.py.

The account page serves a held account too (a one-time password to change, an admin without a
second factor): it is the only page that does. The accounts page needs a session that is not
held, like every other page, and an admin; an account out of the admin's reach is a 404. The
invitations, role changes, deactivations and reset links on the accounts page are in
bot/console/admin_pages.py, the page their links open in bot/console/link_pages.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.cases.service import audit
from bot.console import account_changes, accounts, auth, invites, qr, totp
from bot.console.pages import C_, console_language
from bot.console.passwords import MIN_PASSWORD, Busy, PasswordChecks
from bot.console.views import COOKIE, _db, _labels, _organisation_name, _pages, _state, signed_in
from bot.db.base import utcnow
from bot.db.models import Account, ConsoleSession, Organisation, Role

Page = Callable[[Request, Account, ConsoleSession], Awaitable[Response]]
Handler = Callable[[Request], Awaitable[Response]]
PROBLEMS = {"wrong": C_("The current password is wrong."),
            "short": C_("The new password needs at least {n} characters."),
            "differ": C_("The two new passwords differ."),
            "same": C_("The new password must differ from the current one."),
            "blocked": C_("Too many failed attempts. Try again later."),
            "busy": C_("Many people are logging in right now. Please try again in a moment."),
            "code": C_("That code is not right. Check the clock of your phone and try again.")}
DONE = {"password": C_("Your password is changed. Your other sessions have ended."),
        "totp": C_("The second factor is on. The console asks for a code at every login."),
        "sessions": C_("Your other sessions have ended.")}
ROLES = {Role.caseworker.value: C_("Caseworker"), Role.supervisor.value: C_("Supervisor"),
         Role.organiser.value: C_("Organiser"), Role.admin.value: C_("Admin"),
         Role.global_admin.value: C_("Global admin"), Role.reviewer.value: C_("Reviewer")}
MAX_FIELD = 1024


def own_account(handler: Page) -> Handler:
    """A logged-in session, held or not; POSTs need its CSRF token (form field or X-CSRF-Token)."""
    async def wrapped(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        found = await _db(request, lambda s: auth.session_of(s, token))
        if found is None:
            if request.method == "GET":
                return RedirectResponse("/console/login", status_code=303)
            return Response("login required", status_code=401)
        if request.method == "POST":
            given = request.headers.get("x-csrf-token")
            if given is None:
                given = str((await request.form()).get("csrf", ""))
            if not auth.csrf_ok(found[1], given):
                return Response("CSRF token missing or wrong", status_code=403)
        return await handler(request, *found)
    return wrapped


def _database(request: Request) -> auth.Database:
    console = _state(request).console
    assert console is not None
    return console.run


def _checks(request: Request) -> PasswordChecks:
    limiter: auth.LoginLimiter = request.app.state.console_limiter
    return limiter.password_checks(_state(request).settings.login_checks)


def _say(request: Request, message: str, **values: object) -> str:
    return _pages(request).gettext(console_language(request), message).format(**values)


async def _account_page(request: Request, account: Account, console_session: ConsoleSession, status: int = 200,
                        error: str | None = None) -> Response:
    keys = _state(request).keys

    def read(session: Session) -> tuple[str, str | None]:
        return _organisation_name(session, account), totp.pending_secret(keys, account)
    organisation, secret = await _db(request, read)
    uri = totp.uri(secret, account.email) if secret else None
    done = DONE.get(request.query_params.get("done", ""))
    return _pages(request).render(
        request, "account.html", status, account=account, organisation=organisation, csrf=console_session.csrf_token,
        held=auth.hold(account), totp_on=totp.enabled(account), totp_required=totp.required(account),
        secret=secret, uri=uri, code=await anyio.to_thread.run_sync(_drawn, uri) if uri else None,
        min_password=MIN_PASSWORD, error=error, done=_say(request, done) if done else None)


def _drawn(uri: str) -> Markup | None:
    """The address as a QR code; None for one too long to draw (a very long e-mail): typed then."""
    try:
        return qr.svg(uri)
    except ValueError:
        return None


@own_account
async def account_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    return await _account_page(request, account, console_session)


def _field(form: Any, name: str) -> str:
    return str(form.get(name, ""))[:MAX_FIELD]


@own_account
async def change_password(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    form = await request.form()
    changed = await accounts.change_password(
        _database(request), _checks(request), _state(request).keys, account_id=account.id,
        keep=console_session.token_hash, current=_field(form, "current"), new=_field(form, "new"),
        again=_field(form, "again"), address=request.client.host if request.client else None)
    if changed == "changed":
        return RedirectResponse("/console/account?done=password", status_code=303)
    status = {"blocked": 429, "busy": 429, "wrong": 403}.get(changed, 400)
    return await _account_page(request, account, console_session, status,
                               _say(request, PROBLEMS[changed], n=MIN_PASSWORD))


@own_account
async def start_totp(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    keys = _state(request).keys

    def start(session: Session) -> None:
        found = session.get(Account, account.id)
        if found is not None and not totp.enabled(found):
            totp.start_enrolment(session, keys, found)
    await _db(request, start)
    return RedirectResponse("/console/account#totp", status_code=303)


@own_account
async def confirm_totp(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    code = _field(await request.form(), "code")[:20]
    keys = _state(request).keys

    def confirm(session: Session) -> Account | None:
        found = session.get(Account, account.id)
        assert found is not None
        return found if totp.confirm_enrolment(session, keys, found, code, utcnow()) else None
    if await _db(request, confirm) is None:
        return await _account_page(request, account, console_session, 400, _say(request, PROBLEMS["code"]))
    return RedirectResponse("/console/account?done=totp", status_code=303)


def admins_only(handler: Page) -> Page:
    async def wrapped(request: Request, account: Account, console_session: ConsoleSession) -> Response:
        if account.role not in accounts.ADMINS:
            return Response(_say(request, C_("For admins only.")), status_code=403)
        return await handler(request, account, console_session)
    return wrapped


async def _accounts_page(request: Request, account: Account, console_session: ConsoleSession, status: int = 200,
                         **extra: Any) -> Response:
    """The accounts an admin manages (a global admin's grouped by organisation), the invitation
    form (bot/console/admin_pages.py) and `extra` (what was just done)."""
    def read(session: Session) -> tuple[str, list[Account], list[Organisation]]:
        everyone = account.role is Role.global_admin
        return (_organisation_name(session, account), accounts.managed_by(session, account),
                list(session.scalars(select(Organisation).order_by(Organisation.name))) if everyone else [])
    organisation, listed, organisations = await _db(request, read)
    return _pages(request).render(
        request, "accounts.html", status, account=account, organisation=organisation,
        csrf=console_session.csrf_token, accounts=listed, may=[accounts.may_manage(account, other) for other in listed],
        may_change=[account_changes.may_change(account, other) for other in listed],
        totp_on=[totp.enabled(other) for other in listed], organisations=organisations,
        grantable=invites.grantable(account), roles=_labels(request, ROLES),
        review_languages=[code for code, language in _state(request).responder.library.languages.items()
                          if not language.base],
        link_hours=int(invites.LINK_VALID.total_seconds() // 3600), **extra)


@signed_in
@admins_only
async def accounts_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    return await _accounts_page(request, account, console_session)


def _target(request: Request) -> int | None:
    try:
        return int(request.path_params["account_id"])
    except (KeyError, ValueError):
        return None


@signed_in
@admins_only
async def reset_password(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    target = _target(request)
    try:
        reset = None if target is None else await accounts.reset_password(
            _database(request), _checks(request), actor_id=account.id, target_id=target)
    except Busy:
        return Response(_say(request, PROBLEMS["busy"]), status_code=429, headers={"Retry-After": "5"})
    if reset is None:
        return Response("not found", status_code=404)
    hours = int(accounts.ONE_TIME_VALID.total_seconds() // 3600)
    return await _accounts_page(request, account, console_session, reset=reset, hours=hours)


def _managed(change: accounts.Change, message: str) -> Handler:
    """An admin's change to another account in reach (404 out of reach), then the accounts page
    saying `message` about it."""
    @signed_in
    @admins_only
    async def act(request: Request, account: Account, console_session: ConsoleSession) -> Response:
        target = _target(request)
        done = None if target is None else await accounts.manage(
            _database(request), change, actor_id=account.id, target_id=target)
        if done is None:
            return Response("not found", status_code=404)
        return await _accounts_page(request, account, console_session, said=_say(request, message, email=done.email))
    return act


@own_account
async def end_other_sessions(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    def end(session: Session) -> None:
        auth.end_sessions(session, account.id, keep=console_session.token_hash)
        audit(session, account.id, None, "sessions.end_others")
    await _db(request, end)
    return RedirectResponse("/console/account?done=sessions", status_code=303)


def account_routes() -> list[BaseRoute]:
    return [
        Route("/console/account", account_page, methods=["GET"]),
        Route("/console/account/password", change_password, methods=["POST"]),
        Route("/console/account/totp/start", start_totp, methods=["POST"]),
        Route("/console/account/totp/confirm", confirm_totp, methods=["POST"]),
        Route("/console/account/sessions", end_other_sessions, methods=["POST"]),
        Route("/console/accounts", accounts_page, methods=["GET"]),
        Route("/console/accounts/{account_id}/password", reset_password, methods=["POST"]),
        Route("/console/accounts/{account_id}/totp", _managed(
            accounts.reset_second_factor, C_("The second factor of {email} is removed; their sessions have ended.")),
            methods=["POST"]),
        Route("/console/accounts/{account_id}/sessions", _managed(
            accounts.end_all_sessions, C_("Every session of {email} has ended.")), methods=["POST"]),
    ]
