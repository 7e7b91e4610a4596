"""The studio's data files in the console (issue 17, item 1): contacts.yml, places.yml,
key_rates.yml and emergency.yml edited whole, as text, and saved as the organisation's draft
(bot/studio/drafts.py), then checked with the rest of the live version as `helpline check`
checks it, each problem listed with its line (and that line's text).

An organiser (not a global admin) may not change another organisation's contacts, nor the list
of organisations: such an edit is not saved, and the page shows the typed text again with the
reason, so nothing typed is lost."""

from __future__ import annotations

import hashlib
from typing import Any

import anyio
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.pages import C_
from bot.console.studio_base import (
    DraftRow,
    Live,
    common,
    draft_row,
    editors_only,
    live_of,
    not_started,
    rendered,
    say,
    scratch,
    why,
)
from bot.console.views import _db, _pages, signed_in
from bot.content.problems import Problem
from bot.db.models import Account, ConsoleSession, Role
from bot.studio import drafts, staging
from bot.studio.staging import Checked

CONTACTS = "contacts.yml"
MAX_TEXT = 1024 * 1024          # a data file is a few KiB to a few hundred
SAID = {"saved": C_("Saved as a draft. A reviewer of the default language approves it; then an admin "
                    "publishes it."),
        "unchanged": C_("Nothing was changed, so nothing was saved.")}


def fingerprint(text: str) -> str:
    """The text the form started from, sent back with it: a save over a newer draft is refused."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _name(request: Request) -> str | None:
    name = str(request.path_params.get("name", ""))
    return name if name in drafts.DATA_FILES else None


def _listed(checked: Checked, request: Request) -> list[dict[str, Any]]:
    """Each problem with its line number and that line's text (the textarea has no numbers)."""
    lines = checked.text.split("\n")

    def line_of(problem: Problem) -> str:
        return lines[problem.line - 1] if problem.line and 0 < problem.line <= len(lines) else ""
    words = rendered(request, checked.problems, checked.root)
    return [{"line": p.line, "text": line_of(p), "said": said.text, "warning": p.warning}
            for p, said in zip(checked.problems, words, strict=True)]


async def _page(request: Request, account: Account, console_session: ConsoleSession, live: Live, name: str, *,
                typed: str | None = None, refused: str | None = None, status: int = 200) -> Response:
    def read(session: Session) -> DraftRow | None:
        mine = drafts.current(session, account.organisation_id, name, None)
        return draft_row(session, account, mine, live.library.default_language) if mine else None
    draft = await _db(request, read)
    live_text = await anyio.to_thread.run_sync(staging.file_text, live.repository, live.version, name) or ""
    saved = str(draft.body.get("text", "")) if draft else live_text
    text = typed if typed is not None else saved
    checked = None
    if draft is not None or typed is not None:
        checked = await anyio.to_thread.run_sync(staging.checked, live.repository, live.version, name, text,
                                                 scratch(request))
    moved = draft is not None and await anyio.to_thread.run_sync(_moved, live, name, draft.base_version)
    key = request.query_params.get("said", "")
    return _pages(request).render(
        request, "studio_file.html", 403 if refused and status == 200 else status, file=name,
        was=fingerprint(saved), text=text, draft=draft,
        problems=_listed(checked, request) if checked else [], checked=checked,
        elsewhere=rendered(request, checked.elsewhere, checked.root) if checked else [], refused=refused,
        said=say(request, SAID[key]) if key in SAID else None, reviewer=account.role is Role.reviewer,
        refusal=why(request, draft.refusal) if draft and draft.refusal else None,
        moved=moved,
        **await common(request, account, console_session))


def _moved(live: Live, name: str, base: str | None) -> bool:
    """The file changed in a version published since the draft was made: publishing leaves the
    draft out (its text would undo that change)."""
    if base is None or base == live.version:
        return False
    return staging.file_text(live.repository, base, name) != staging.file_text(live.repository, live.version, name)


@signed_in
@editors_only
async def file_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    live, name = await live_of(request), _name(request)
    if live is None:
        return await not_started(request, account, console_session)
    if name is None:
        return Response("not found", status_code=404)
    return await _page(request, account, console_session, live, name)


def _foreign(account: Account, name: str, before: str, after: str) -> list[str]:
    if name != CONTACTS:
        return []
    return drafts.foreign_contacts(before, after, None if account.role is Role.global_admin
                                   else account.organisation_id)


@signed_in
@editors_only
async def save_file(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    live, name = await live_of(request), _name(request)
    if live is None:
        return await not_started(request, account, console_session)
    if name is None:
        return Response("not found", status_code=404)
    form = await request.form()
    text = str(form.get("text", "")).replace("\r\n", "\n").replace("\r", "\n")[:MAX_TEXT]
    text = text if text.endswith("\n") or not text else text + "\n"
    live_text = await anyio.to_thread.run_sync(staging.file_text, live.repository, live.version, name) or ""
    foreign = _foreign(account, name, live_text, text)
    if foreign:
        reason = f"{why(request, 'contacts')}: {', '.join(foreign)}"
        return await _page(request, account, console_session, live, name, typed=text, refused=reason)
    started = str(form.get("was", ""))

    def save(session: Session) -> str:
        draft = drafts.current(session, account.organisation_id, name, None)
        now = str(draft.body.get("text", "")) if draft is not None else live_text
        if started and started != fingerprint(now):
            return "clash"          # someone saved the file meanwhile: theirs stays, this text is shown
        if text == now:
            return "unchanged"
        drafts.save(session, account, path=name, topic=None, language=None, body={"text": text},
                    base_version=live.version)
        return "saved"
    said = await _db(request, save)
    if said == "clash":
        clash = C_("someone else saved this file while you were editing it (open this page in another tab to "
                   "see theirs)")
        return await _page(request, account, console_session, live, name, typed=text, status=409,
                           refused=say(request, clash))
    return RedirectResponse(f"/console/studio/files/{name}?said={said}#checks", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/console/studio/files/{name}", file_page),
        Route("/console/studio/files/{name}", save_file, methods=["POST"]),
    ]
