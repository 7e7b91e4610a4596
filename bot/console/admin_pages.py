"""The admins' actions on the accounts page: invite, change a role, deactivate and reactivate,
make a password reset link. Thin handlers over bot/console/invites.py and
bot/console/account_changes.py; every one needs a session that is not held, an admin and the
session's CSRF token, and answers with the accounts page saying what was done. An account out of
the admin's reach is a 404, a role it may not give or an organisation it may not invite into a
403, a change that would leave an organisation without an active admin a 409."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console import account_changes, accounts, invites
from bot.console.account_pages import MAX_FIELD, ROLES, _accounts_page, _say, _target, admins_only
from bot.console.auth import normalise_email
from bot.console.pages import C_
from bot.console.views import _db, _state, signed_in
from bot.db.base import utcnow
from bot.db.models import Account, ConsoleSession, Role

Handler = Callable[[Request], Awaitable[Response]]
REFUSED = {"email": (400, C_("That is not an e-mail address.")),
           "taken": (409, C_("{email} already has an account.")),
           "role": (403, C_("You may not give that role.")),
           "organisation": (403, C_("You may not invite into that organisation.")),
           "last_admin": (409, C_("That would leave the organisation without an active admin. "
                                  "Make another account admin first.")),
           "same": (200, C_("Nothing changed.")),
           "languages": (400, C_("Choose languages of the content."))}
DONE = {"role": C_("{email} is now: {role}."),
        "languages": C_("{email} now reviews the languages chosen."),
        "deactivate": C_("{email} is deactivated; their sessions have ended."),
        "reactivate": C_("{email} is active again.")}
LINKS = {"invite": C_("Invitation link for {email}:"),
         "reset": C_("Password reset link for {email} (their sessions have ended):")}


def _link(request: Request, token: str) -> str:
    base = _state(request).settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/console/link/{token}"


def _role(value: object) -> Role | None:
    try:
        return Role(str(value))
    except ValueError:
        return None


async def _shown(request: Request, account: Account, console_session: ConsoleSession, kind: str, email: str,
                 token: str) -> Response:
    """The accounts page with the new link, once."""
    hours = int(invites.LINK_VALID.total_seconds() // 3600)
    return await _accounts_page(request, account, console_session, link=_link(request, token),
                                link_for=_say(request, LINKS[kind], email=email), hours=hours)


async def _refused(request: Request, account: Account, console_session: ConsoleSession, why: str,
                   **values: object) -> Response:
    status, message = REFUSED[why]
    return await _accounts_page(request, account, console_session, status, error=_say(request, message, **values))


@signed_in
@admins_only
async def invite(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    form = await request.form()
    email, role = str(form.get("email", ""))[:MAX_FIELD], _role(form.get("role"))
    organisation = str(form.get("organisation") or account.organisation_id)[:MAX_FIELD]

    def make(session: Session) -> tuple[invites.Made | invites.Refused, str]:
        actor = session.get(Account, account.id)
        assert actor is not None
        if role is None:
            return "role", email
        return invites.invite(session, actor, email=email, role=role, organisation=organisation,
                              now=utcnow()), normalise_email(email)
    made, address = await _db(request, make)
    if isinstance(made, str):
        return await _refused(request, account, console_session, made, email=address)
    return await _shown(request, account, console_session, "invite", address, made.token)


Change = Callable[[Session, Account, Account, dict[str, Any]], account_changes.Outcome]


def _changed(change: Change, done: str) -> Handler:
    """A change to an account in reach (`account_changes.may_change`), then the accounts page."""
    @signed_in
    @admins_only
    async def act(request: Request, account: Account, console_session: ConsoleSession) -> Response:
        fields = await request.form()
        target_id, form = _target(request), {**dict(fields), "languages": fields.getlist("languages")}

        def run(session: Session) -> tuple[account_changes.Outcome, str, str] | None:
            actor = session.get(Account, account.id)
            target = session.get(Account, target_id) if target_id is not None else None
            if actor is None or target is None or not account_changes.may_change(actor, target):
                return None
            return change(session, actor, target, form), target.email, target.role.value
        outcome = await _db(request, run)
        if outcome is None:
            return Response("not found", status_code=404)
        result, email, role = outcome
        if result != "done":
            return await _refused(request, account, console_session, result)
        if target_id == account.id:         # deactivated (the session has ended) or no longer an admin
            return RedirectResponse("/console", status_code=303)
        role_label = _say(request, ROLES.get(role, role))
        return await _accounts_page(request, account, console_session,
                                    said=_say(request, DONE[done], email=email, role=role_label))
    return act


def _set_role(session: Session, actor: Account, target: Account, form: dict[str, Any]) -> account_changes.Outcome:
    role = _role(form.get("role"))
    return "role" if role is None else account_changes.set_role(session, actor, target, role)


def written_languages(request: Request) -> list[str]:
    """The languages drafts are written in (derived ones, like Uzbek Cyrillic, are made)."""
    library = _state(request).responder.library
    return [code for code, language in library.languages.items() if not language.base]


def _languages_changer(request: Request) -> Change:
    known = written_languages(request)

    def change(session: Session, actor: Account, target: Account, form: dict[str, Any]) -> account_changes.Outcome:
        return account_changes.set_review_languages(session, actor, target, list(form.get("languages", [])), known)
    return change


def _set_languages() -> Handler:
    """POST /console/accounts/{id}/languages: a reviewer's languages (checkboxes)."""
    async def act(request: Request) -> Response:
        return await _changed(_languages_changer(request), "languages")(request)
    return act


@signed_in
@admins_only
async def make_reset_link(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    target_id = _target(request)

    def run(session: Session) -> tuple[str, invites.Made] | None:
        actor = session.get(Account, account.id)
        target = session.get(Account, target_id) if target_id is not None else None
        if actor is None or target is None or not accounts.may_manage(actor, target) or not target.active:
            return None
        return target.email, invites.reset_link(session, actor, target, utcnow())
    made = await _db(request, run)
    if made is None:
        return Response("not found", status_code=404)
    return await _shown(request, account, console_session, "reset", made[0], made[1].token)


def admin_routes() -> list[BaseRoute]:
    return [
        Route("/console/accounts/invite", invite, methods=["POST"]),
        Route("/console/accounts/{account_id}/role", _changed(_set_role, "role"), methods=["POST"]),
        Route("/console/accounts/{account_id}/deactivate", _changed(
            lambda session, actor, target, form: account_changes.set_active(session, actor, target, False),
            "deactivate"), methods=["POST"]),
        Route("/console/accounts/{account_id}/reactivate", _changed(
            lambda session, actor, target, form: account_changes.set_active(session, actor, target, True),
            "reactivate"), methods=["POST"]),
        Route("/console/accounts/{account_id}/reset-link", make_reset_link, methods=["POST"]),
        Route("/console/accounts/{account_id}/languages", _set_languages(), methods=["POST"]),
    ]
