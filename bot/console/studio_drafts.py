"""The studio's drafts in the console (issue 17, items 2 and 3): the drafts an account may see
(bot/studio/drafts.py `visible`: an editor its organisation's, a reviewer those of its
languages, a global admin all), who edited each and when, the reviewers' approval, withdrawing,
and each draft's preview: its answer and "more" as Telegram and the web chat will show them to
a worker in Russia, in Kazakhstan, or one who has not said, beside the live version's, with the
file's changed lines (bot/studio/draft_preview.py).

Another organisation's draft is a 404 (a reviewer sees every organisation's in its languages);
an approval the two-person rule refuses is a 403 with the reason in the console's language."""

from __future__ import annotations

import anyio
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.pages import C_
from bot.console.studio_base import (
    DraftRow,
    Live,
    back_to,
    common,
    draft_row,
    editors_only,
    live_of,
    may_preview,
    not_started,
    rendered,
    say,
    scratch,
    settings_of,
    title_of,
    why,
)
from bot.console.views import Handler, _db, _pages, signed_in
from bot.db.models import Account, ConsoleSession, ContentDraft, Role
from bot.studio import draft_preview, drafts, staging
from bot.studio.drafts import Refused
from bot.studio.topic_edit import EditError

COUNTRIES = ("RU", "KZ")
DRAFTS = "/console/studio/drafts"
SAID = {"approved": C_("Approved. The next publish puts it live."),
        "withdrawn": C_("The draft was withdrawn: the live text stays.")}


def _draft_id(request: Request) -> int | None:
    try:
        return int(request.path_params["draft_id"])
    except (KeyError, ValueError):
        return None


def _titles(live: Live) -> dict[str, str]:
    return {topic: title_of(live.library, topic) for topic in live.library.topics}


async def _drafts_page(request: Request, account: Account, console_session: ConsoleSession, live: Live, *,
                       status: int = 200, said: str | None = None) -> Response:
    def read(session: Session) -> list[DraftRow]:
        return [draft_row(session, account, d, live.library.default_language)
                for d in drafts.visible(session, account)]
    rows = await _db(request, read)
    key = request.query_params.get("said", "")
    return _pages(request).render(
        request, "studio_drafts.html", status, rows=rows, titles=_titles(live),
        said=said or (say(request, SAID[key]) if key in SAID else None), failed=status >= 400,
        refusals={row.id: why(request, row.refusal) for row in rows if row.refusal},
        reviewer=account.role is Role.reviewer, **await common(request, account, console_session))


@signed_in
@editors_only
async def drafts_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    live = await live_of(request)
    if live is None:
        return await not_started(request, account, console_session)
    return await _drafts_page(request, account, console_session, live)


async def _errors(request: Request, account: Account, live: Live, draft_id: int | None) -> int:
    """The errors `helpline check` finds in the file of a draft laid over the live version: an
    approved draft with errors would stop every publish, so it is not approved."""
    found = await _db(request, lambda s: drafts.get(s, account, draft_id) if draft_id is not None else None)
    if found is None:
        return 0
    live_text = await anyio.to_thread.run_sync(staging.file_text, live.repository, live.version, found.path)
    try:
        text = drafts.applied(live_text or "", found, None)
    except EditError:
        return 1
    checked = await anyio.to_thread.run_sync(staging.checked, live.repository, live.version, found.path, text,
                                             scratch(request))
    return checked.errors


def _act(name: str) -> Handler:
    """The route of approving or withdrawing one draft."""
    @signed_in
    @editors_only
    async def act(request: Request, account: Account, console_session: ConsoleSession) -> Response:
        live, draft_id = await live_of(request), _draft_id(request)
        if live is None:
            return await not_started(request, account, console_session)
        back = back_to((await request.form()).get("back"), DRAFTS)
        if name == "approve" and account.role is Role.reviewer and await _errors(request, account, live, draft_id):
            return await _drafts_page(request, account, console_session, live, status=409, said=say(request, C_(
                "This draft has errors (its page shows them at their fields): they are fixed first, then it "
                "can be approved.")))

        def change(session: Session) -> str | None:
            draft = drafts.get(session, account, draft_id) if draft_id is not None else None
            if draft is None:
                return "missing"
            try:
                if name == "approve":
                    drafts.approve(session, account, draft, live.library.default_language)
                else:
                    drafts.withdraw(session, account, draft)
            except Refused as refused:
                return refused.why
            return None
        refused = await _db(request, change)
        if refused == "missing":
            return Response("not found", status_code=404)
        if refused is not None:
            return await _drafts_page(request, account, console_session, live, status=403,
                                      said=why(request, refused))
        done = "approved" if name == "approve" else "withdrawn"
        return RedirectResponse(f"{back}{'&' if '?' in back else '?'}said={done}", status_code=303)
    return act


@signed_in
@editors_only
async def preview_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    live, draft_id = await live_of(request), _draft_id(request)
    if live is None:
        return await not_started(request, account, console_session)
    country = request.query_params.get("country") or None
    country = country if country in COUNTRIES else None

    def read(session: Session) -> tuple[DraftRow, ContentDraft] | str | None:
        draft = drafts.get(session, account, draft_id) if draft_id is not None else None
        if draft is None:
            return None
        if not may_preview(account, draft):
            return "language"
        return draft_row(session, account, draft, live.library.default_language), draft
    found = await _db(request, read)
    if found is None:
        return Response("not found", status_code=404)
    if isinstance(found, str):
        return Response(why(request, found), status_code=403)
    row, draft = found
    live_text = await anyio.to_thread.run_sync(staging.file_text, live.repository, live.version, draft.path)
    broken = shown = None
    try:
        text = drafts.applied(live_text or "", draft, None)
    except EditError as error:
        broken = str(error)
    else:
        settings = settings_of(request)
        shown = await anyio.to_thread.run_sync(lambda: draft_preview.shown(
            live.repository, live.version, draft.path, text, topic=draft.topic,
            language=draft.language or live.library.default_language, country=country,
            locales=settings.locales_dir, scratch=scratch(request)))
    return _pages(request).render(
        request, "studio_draft_preview.html", draft=row, country=country or "", countries=COUNTRIES, shown=shown,
        broken=broken, problems=rendered(request, shown.problems, shown.root) if shown else [],
        title=title_of(live.library, draft.topic) or draft.path,
        refusal=why(request, row.refusal) if row.refusal else None, **await common(request, account, console_session))


def routes() -> list[BaseRoute]:
    return [
        Route(DRAFTS, drafts_page),
        Route(DRAFTS + "/{draft_id:int}/approve", _act("approve"), methods=["POST"]),
        Route(DRAFTS + "/{draft_id:int}/withdraw", _act("withdraw"), methods=["POST"]),
        Route(DRAFTS + "/{draft_id:int}/preview", preview_page),
    ]
