"""Console routes: thin handlers over bot.cases.service and bot.console.auth. Every page but
the login needs a session; every POST needs the session's CSRF token; every case lookup is
scoped to the caseworker's organisation (another union's case is a 404, like a missing one).
Login, its code step and logout are in bot/console/login.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.cases import service
from bot.console import auth, bulk, case_actions
from bot.console.case_actions import MAX_BODY, OUTCOMES
from bot.console.pages import C_, TEMPLATES, Pages, console_language
from bot.db.database import Database
from bot.db.models import Account, Case, ConsoleSession, Organisation, Role
from bot.privacy.keys import Keys
from bot.replies import Responder
from bot.settings import Settings
from bot.whole_numbers import whole_number, whole_numbers

COOKIE = "helpline_console"
STATES = {"queued": C_("Waiting"), "active": C_("With a caseworker"), "closed": C_("Closed")}
SENDERS = {"user": C_("User"), "caseworker": C_("Caseworker"), "system": C_("Bot to user"), "note": C_("Note"),
           "transcript": C_("Said to the bot")}

Handler = Callable[[Request], Awaitable[Response]]
Refused = Literal["refused"]
REFUSED: Refused = "refused"      # the account may not do this to this case (403)


class Waker(Protocol):
    @property
    def wake(self) -> asyncio.Event: ...


class Host(Protocol):
    """What the views use of the process serving them: the gateway's `GatewayState`
    (bot/gateway/state.py), in `app.state.gateway`."""

    @property
    def settings(self) -> Settings: ...
    @property
    def responder(self) -> Responder: ...
    @property
    def console(self) -> Database: ...
    @property
    def casework(self) -> Waker: ...
    @property
    def keys(self) -> Keys: ...


def _state(request: Request) -> Host:
    state: Host = request.app.state.gateway
    return state


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.console_pages
    return pages


async def _db(request: Request, work: Callable[[Session], Any]) -> Any:
    """A transaction on one of the console's own threads and connections (never chat's)."""
    return await _state(request).console.run(work)


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True, samesite="strict",
                        secure=_state(request).settings.console_secure_cookies)


def _labels(request: Request, table: dict[str, str]) -> dict[str, str]:
    pages, language = _pages(request), console_language(request)
    return {key: pages.gettext(language, value) for key, value in table.items()}


def signed_in(handler: Callable[[Request, Account, ConsoleSession], Awaitable[Response]]) -> Handler:
    """Require a live session; POSTs also need its CSRF token (form field or X-CSRF-Token)."""
    async def wrapped(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        found = await _db(request, lambda s: auth.current(s, token))
        if found is None:
            if request.method == "GET" and not request.url.path.endswith("/messages"):
                return RedirectResponse("/console/login", status_code=303)
            if request.method == "POST" and request.url.path.startswith(KEEP_TYPING):
                return await _typing_kept(request, 401, C_("Your session has ended."))
            return Response("login required", status_code=401)
        account, console_session = found
        if account.role is Role.reviewer and not _for_reviewers(request.url.path):
            if request.url.path == "/console" and request.method == "GET":
                return RedirectResponse("/console/studio/drafts", status_code=303)
            return Response(_pages(request).gettext(console_language(request), C_("Reviewers see content only.")),
                            status_code=403)
        if request.method == "POST":
            given = request.headers.get("x-csrf-token")
            if given is None:
                given = str((await request.form()).get("csrf", ""))
            if not auth.csrf_ok(console_session, given):
                if request.url.path.startswith(KEEP_TYPING):
                    return await _typing_kept(request, 403, C_("This form is out of date (it was opened in an "
                                                               "earlier session)."))
                return Response("CSRF token missing or wrong", status_code=403)
        return await handler(request, account, console_session)
    return wrapped


KEEP_TYPING = "/console/studio/"      # forms where people type long texts
MAX_KEPT = 200_000


async def _typing_kept(request: Request, status: int, reason: str) -> Response:
    """A refused studio form shows back what was typed, so an ended session loses nothing;
    nothing is saved, and the page holds no token."""
    form = await request.form()
    kept = [(name, str(value)[:MAX_KEPT]) for name, value in form.multi_items()
            if isinstance(value, str) and value.strip() and name != "csrf" and not name.startswith("was-")]
    language = console_language(request)
    return _pages(request).render(request, "session_ended.html", status, account=None,
                                  reason=_pages(request).gettext(language, reason), kept=kept)


def _for_reviewers(path: str) -> bool:
    """A reviewer reads and approves content, and sees no case, queue or organisers' page (they
    hold what workers wrote): the studio's pages and its own account only."""
    return path.startswith(("/console/studio/", "/console/account", "/console/logout")) \
        and not path.startswith("/console/accounts")


def _organisation_name(session: Session, account: Account) -> str:
    organisation = session.get(Organisation, account.organisation_id)
    return organisation.name if organisation else account.organisation_id


@signed_in
async def queue(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    def read(session: Session) -> tuple[list[Case], list[Case], str]:
        return (list(service.queue(session, account)), list(service.recent_closed(session, account)),
                _organisation_name(session, account))
    cases, closed, organisation = await _db(request, read)
    params = request.query_params
    done = {key: n for key in ("closed", "refused") if (n := whole_number(params.get(key))) is not None}
    return _pages(request).render(request, "queue.html", account=account, csrf=console_session.csrf_token,
                                  organisation=organisation, cases=cases, closed=closed,
                                  states=_labels(request, STATES), outcomes=_labels(request, OUTCOMES), done=done)


def _case_id(request: Request) -> int | None:
    try:
        return int(request.path_params["case_id"])
    except (KeyError, ValueError):
        return None


@signed_in
async def case_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    case_id = _case_id(request)

    def read(session: Session) -> tuple[Case, str] | None:
        case = service.case_for(session, account, case_id) if case_id is not None else None
        if case is None:
            return None
        service.audit(session, account.id, case.id, "case.read")
        _ = case.messages, case.assignee      # load before the session closes
        return case, _organisation_name(session, account)
    found = await _db(request, read)
    if found is None:
        return Response("not found", status_code=404)
    case, organisation = found
    languages = {code: lang.name for code, lang in _state(request).responder.library.languages.items()}
    return _pages(request).render(
        request, "case.html", account=account, csrf=console_session.csrf_token, organisation=organisation,
        case=case, mine=case.assigned_to == account.id, states=_labels(request, STATES),
        senders=_labels(request, SENDERS), outcomes=_labels(request, OUTCOMES), languages=languages)


@signed_in
async def case_messages(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    case_id = _case_id(request)
    try:
        after = int(request.query_params.get("after", "0"))
    except ValueError:
        after = 0
    senders = _labels(request, SENDERS)

    def read(session: Session) -> dict[str, Any] | None:
        case = service.case_for(session, account, case_id) if case_id is not None else None
        if case is None:
            return None
        return {"state": _labels(request, STATES)[case.state.value], "messages": [
            {"id": x.id, "sender": x.sender.value, "who": senders[x.sender.value], "body": x.body}
            for x in case.messages if x.id > after]}
    found = await _db(request, read)
    if found is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse(found, headers={"Cache-Control": "no-store"})


def _form(fields: FormData) -> case_actions.Form:
    return case_actions.Form(body=str(fields.get("body", "")).strip()[:MAX_BODY],
                             outcome=str(fields.get("outcome", "other")), agreed=fields.get("agreed") == "yes")


def _action(name: str) -> Handler:
    """The route of one case action (bot/console/case_actions.py): 404 for a case the account
    cannot see, 403 for a close it may not make; the relay is woken when something changed."""
    action = case_actions.ACTIONS[name]

    @signed_in
    async def act(request: Request, account: Account, console_session: ConsoleSession) -> Response:
        case_id = _case_id(request)
        form = _form(await request.form())
        gettext = _state(request).responder.catalogues.gettext

        def change(session: Session) -> bool | Refused | None:
            case = service.case_for(session, account, case_id) if case_id is not None else None
            if case is None:
                return None
            if not case_actions.may_act(session, account, case, name):
                return REFUSED
            return action(case_actions.Act(session, account, case, form, gettext))
        done = await _db(request, change)
        if done is None:
            return Response("not found", status_code=404)
        if done == REFUSED:
            return Response("only the caseworker who claimed this case, or a supervisor, may close it",
                            status_code=403)
        if done:
            _state(request).casework.wake.set()
        if request.headers.get("accept", "").startswith("application/json"):
            return JSONResponse({"ok": done}, status_code=200 if done else 409)
        return RedirectResponse(f"/console/cases/{case_id}", status_code=303)
    return act


@signed_in
async def close_many(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    """Close the selected cases (the queue's checkboxes) with one outcome (bot/console/bulk.py)."""
    form = await request.form()
    ids = whole_numbers(list(form.getlist("ids")), bulk.MAX_CASES)
    outcome = str(form.get("outcome", ""))
    if not ids or outcome not in OUTCOMES:
        return Response("bad request", status_code=400)
    catalogues = _state(request).responder.catalogues
    done = await _db(request, lambda s: bulk.close_many(
        s, account, ids, outcome, lambda case, message: catalogues.gettext(case.language, message)))
    if done is None:
        return Response("not found", status_code=404)
    if done.closed:
        _state(request).casework.wake.set()
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"closed": done.closed, "refused": done.refused, "already": done.already})
    return RedirectResponse(f"/console?closed={done.closed}&refused={done.refused}", status_code=303)


def console_routes() -> list[BaseRoute]:
    return [
        Route("/console", queue),
        Route("/console/cases/close", close_many, methods=["POST"]),
        Route("/console/cases/{case_id}", case_page),
        Route("/console/cases/{case_id}/messages", case_messages),
        *[Route(f"/console/cases/{{case_id}}/{name}", _action(name), methods=["POST"])
          for name in case_actions.ACTIONS],
        Mount("/console/static", StaticFiles(directory=TEMPLATES.parent / "static"), name="console_static"),
    ]
