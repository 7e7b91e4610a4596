"""What the studio's editing pages share (issue 17, items 1-3; bot/console/studio_edit.py): who
may open them (organisers, admins, global admins and reviewers: drafts.EDITORS), the live
version they start from (the studio's latest version), the page that says the studio has not
started yet, and the words of drafts' refusals in the console's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from bot.console.organiser import Page
from bot.console.pages import C_, console_language
from bot.console.views import _db, _organisation_name, _pages, _state
from bot.content.model import Library
from bot.content.problems import Problem
from bot.db.models import Account, ConsoleSession, ContentDraft, Role
from bot.settings import Settings
from bot.studio import drafts, staging, versions
from bot.studio.cli import repository_of

WHY = {
    "role": C_("only a reviewer may approve"),
    "language": C_("you do not review this language"),
    "own": C_("you changed this draft yourself: another reviewer approves it"),
    "state": C_("this draft is not waiting for review"),
    "reach": C_("this draft belongs to another organisation"),
    "contacts": C_("contacts of another organisation, or the list of organisations, changed"),
}
STATES = {"reviewed": C_("reviewed"), "awaiting": C_("awaiting review"), "approved": C_("approved, to publish"),
          "draft": C_("draft"), "stale": C_("stale"), "missing": C_("missing"),
          "open": C_("awaiting review"), "published": C_("published"), "withdrawn": C_("withdrawn")}
MARKS = {"RU": C_("Russia"), "KZ": C_("Kazakhstan"), "": C_("both")}


@dataclass(frozen=True)
class Live:
    """The studio's latest version and its answers."""

    version: str
    library: Library
    repository: Path


@dataclass(frozen=True)
class DraftRow:
    """A draft as the pages list it, with what this account may do to it."""

    id: int
    path: str
    topic: str | None
    language: str | None
    state: str
    body: dict[str, Any]
    base_version: str | None
    organisation: str
    edited_by: str
    edited_at: dt.datetime
    reviewed_by: str | None
    reviewed_on: dt.datetime | None
    approvable: bool            # this account may approve it now
    refusal: str | None         # a reviewer who may not: why (a key of WHY)
    withdrawable: bool

    @property
    def edit_url(self) -> str:
        if self.topic is not None:
            return f"/console/studio/topics/{self.topic}?language={self.language}"
        return f"/console/studio/files/{self.path}"


def draft_row(session: Session, account: Account, draft: ContentDraft, default_language: str) -> DraftRow:
    def email(account_id: int | None) -> str:
        found = session.get(Account, account_id) if account_id is not None else None
        return found.email if found is not None else "—"
    refusal = drafts.approval_refused(account, draft, default_language) if account.role is Role.reviewer else None
    return DraftRow(draft.id, draft.path, draft.topic, draft.language, draft.state.value, dict(draft.body),
                    draft.base_version, draft.organisation_id, email(draft.updated_by), draft.updated_at,
                    email(draft.reviewed_by) if draft.reviewed_by is not None else None, draft.reviewed_on,
                    account.role is Role.reviewer and refusal is None, refusal,
                    drafts.may_edit(account, draft) and draft.state in drafts.PENDING)


def title_of(library: Library, topic: str | None) -> str:
    """A topic by its title in the default language (its id if it has none)."""
    found = library.topics.get(topic or "")
    if found is None:
        return topic or ""
    answer = found.answer(library.default_language) or next(iter(found.answers.values()), None)
    return answer.title if answer is not None else found.id


def may_preview(account: Account, draft: ContentDraft) -> bool:
    """A reviewer reads the drafts of its languages (and those it edited itself); an editor those
    drafts.get gives it."""
    if account.role is not Role.reviewer or draft.language is None:
        return True
    return draft.language in drafts.review_languages(account) or account.id in (draft.created_by, draft.updated_by)


def say(request: Request, message: str) -> str:
    return _pages(request).gettext(console_language(request), message)


def labels(request: Request, table: dict[str, str]) -> dict[str, str]:
    return {key: say(request, value) for key, value in table.items()}


def why(request: Request, key: str) -> str:
    return say(request, WHY.get(key, WHY["role"]))


def settings_of(request: Request) -> Settings:
    return _state(request).settings


def scratch(request: Request) -> Path:
    return staging.scratch_of(settings_of(request).studio_dir)


def editors_only(handler: Page) -> Page:
    async def wrapped(request: Request, account: Account, console_session: ConsoleSession) -> Response:
        if not drafts.may_edit(account):
            return Response(say(request, C_("For organisers and reviewers only.")), status_code=403)
        return await handler(request, account, console_session)
    return wrapped


def _live(repository: Path) -> Live | None:
    version = versions.head(repository)
    if version is None:
        return None
    library, _ = staging.version_library(repository, version)
    return Live(version, library, repository) if library is not None else None


async def live_of(request: Request) -> Live | None:
    """The latest version and its answers (git and YAML on a worker thread); None before the
    studio has started (or when its latest version cannot be read, which publishing prevents)."""
    return await anyio.to_thread.run_sync(_live, repository_of(settings_of(request)))


async def common(request: Request, account: Account, console_session: ConsoleSession) -> dict[str, Any]:
    name = await _db(request, lambda s: _organisation_name(s, account))
    return {"account": account, "organisation": name, "csrf": console_session.csrf_token,
            "marks": labels(request, MARKS), "states": labels(request, STATES)}


async def not_started(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    """Plainly: nothing can be edited before an admin starts the versions (a POST is refused)."""
    status = 409 if request.method == "POST" else 200
    return _pages(request).render(request, "studio_not_started.html", status,
                                  **await common(request, account, console_session))


@dataclass(frozen=True)
class Said:
    """A problem as the page shows it."""

    text: str
    warning: bool


def rendered(request: Request, problems: list[Problem] | tuple[Problem, ...], root: Path) -> list[Said]:
    """Problems as `helpline check` words them, in the console's language, files named inside content/."""
    language, locales = console_language(request), settings_of(request).locales_dir
    return [Said(p.render(root, language, locales=locales), p.warning) for p in problems]


def back_to(value: object, default: str) -> str:
    """A page of the studio to return to after a form (never another site)."""
    text = str(value or "")
    return text if text.startswith("/console/studio/") and "//" not in text and "\\" not in text else default
