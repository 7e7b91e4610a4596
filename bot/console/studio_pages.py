"""The studio's versions in the console (issue 17, item 4): the versions newest first with the
live one marked and what each changed, and for admins the buttons that publish the approved
drafts, restore an earlier version or start the studio from the content folder. Each of those
starts a job (bot/studio/jobs.py) on a worker thread and answers at once with the job's page,
which shows its step and progress and reloads itself until the job ends.

Organisers, admins, global admins and reviewers see the versions and the jobs; only admins and
global admins start one (403 otherwise). Same login, session and CSRF rules as the rest of the
console (bot/console/views.py). git runs on worker threads, never on the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.accounts import ADMINS
from bot.console.organiser import Page
from bot.console.pages import C_, console_language
from bot.console.views import _db, _organisation_name, _pages, _state, signed_in
from bot.db.models import Account, ConsoleSession, JobState, Role, StudioJob
from bot.settings import Settings
from bot.studio import drafts, jobs, live, versions
from bot.studio.cli import repository_of
from bot.studio.jobs import Job, StepsFactory
from bot.studio.versions import Version, VersionError

VIEWERS = frozenset({Role.organiser, Role.admin, Role.global_admin, Role.reviewer})
MAX_DIFF = 200_000           # characters of a diff shown; a topic file is a few KiB
REFRESH_SECONDS = 3
KINDS = {"publish": C_("Publish"), "restore": C_("Restore"), "init": C_("Start of the versions")}
STATES = {JobState.running.value: C_("running"), JobState.done.value: C_("done"),
          JobState.refused.value: C_("refused: the live version is unchanged"), JobState.failed.value: C_("failed")}
STEPS = {"waiting": C_("waiting"), "check": C_("checking the content"), "train": C_("training the model"),
         "save": C_("saving the version"), "roll out": C_("rolling out to the bot"), "live": C_("going live"),
         "done": C_("recording the result")}
SAID = {"busy": (409, C_("Another publish or restore is running: wait until it ends, then try again.")),
        "nothing": (200, C_("Nothing is approved for publishing yet.")),
        "no_versions": (409, C_("The studio has no versions yet: start them from the current content first.")),
        "versions_exist": (409, C_("The studio has versions already."))}


def _say(request: Request, message: str) -> str:
    return _pages(request).gettext(console_language(request), message)


def _only(roles: frozenset[Role], refusal: str) -> Callable[[Page], Page]:
    def decorate(handler: Page) -> Page:
        async def wrapped(request: Request, account: Account, console_session: ConsoleSession) -> Response:
            if account.role not in roles:
                return Response(_say(request, refusal), status_code=403)
            return await handler(request, account, console_session)
        return wrapped
    return decorate


viewers_only = _only(VIEWERS, C_("For organisers, reviewers and admins only."))
admins_only = _only(ADMINS, C_("For admins only."))


def _steps(request: Request) -> StepsFactory:
    """The real training and replicas; a test's app may hold others in `app.state.studio_steps`."""
    settings = _state(request).settings
    made: Callable[[Settings], StepsFactory] | None = getattr(request.app.state, "studio_steps", None)
    return made(settings) if made is not None else (lambda: jobs.real_steps(settings))


def _runner(request: Request) -> jobs.Runner:
    return jobs.runner(_state(request).console.sessions)


async def _started(request: Request, job: Job) -> int | None:
    """`job` started on a worker thread (its first rows written there too); None when busy."""
    return await anyio.to_thread.run_sync(jobs.start_job, _runner(request), job, _steps(request))


def _listed(settings: Settings, changes: str | None) -> tuple[list[Version], str | None, str | None]:
    """The versions (newest first), the one served, and the diff of `changes` against the one
    before it ("" for the first version)."""
    repository = repository_of(settings)
    found = versions.versions(repository)
    diff = None
    ids = [v.id for v in found]
    if changes in ids:
        position = ids.index(changes)
        older = ids[position + 1] if position + 1 < len(ids) else None
        diff = versions.diff(repository, older, changes)[:MAX_DIFF] if older is not None else ""
    return found, live.served(settings.studio_dir), diff


async def _versions_page(request: Request, account: Account, console_session: ConsoleSession,
                         status: int = 200, said: str | None = None) -> Response:
    settings = _state(request).settings
    changes = request.query_params.get("changes")
    found, served, diff = await anyio.to_thread.run_sync(_listed, settings, changes)

    def read(session: Session) -> tuple[str, list[StudioJob]]:
        return _organisation_name(session, account), jobs.latest(session)
    organisation, recent = await _db(request, read)
    return _pages(request).render(
        request, "studio_versions.html", status, account=account, organisation=organisation,
        csrf=console_session.csrf_token, versions=found, served=served, changes=changes if diff is not None else None,
        diff=diff, truncated=diff is not None and len(diff) >= MAX_DIFF, admin=account.role in ADMINS,
        serving=jobs.serves_studio(settings), jobs=recent, kinds=_labels(request, KINDS),
        states=_labels(request, STATES), said=said, status_error=status >= 400)


def _labels(request: Request, table: dict[str, str]) -> dict[str, str]:
    return {key: _say(request, value) for key, value in table.items()}


async def _refused(request: Request, account: Account, console_session: ConsoleSession, why: str) -> Response:
    status, message = SAID[why]
    return await _versions_page(request, account, console_session, status, _say(request, message))


@signed_in
@viewers_only
async def versions_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    return await _versions_page(request, account, console_session)


def _to_job(job_id: int | None) -> Response | None:
    return RedirectResponse(f"/console/studio/jobs/{job_id}", status_code=303) if job_id is not None else None


@signed_in
@admins_only
async def publish_approved(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    """The approved drafts (bot/studio/drafts.py) over the latest version, as a publish job; the
    drafts are marked published in the transaction that records it done."""
    settings = _state(request).settings
    repository = repository_of(settings)
    base = await anyio.to_thread.run_sync(versions.head, repository)
    if base is None:
        return await _refused(request, account, console_session, "no_versions")
    change = await _db(request, lambda session: drafts.publishable(session, repository, base))
    if change is None:
        return await _refused(request, account, console_session, "nothing")
    def published(session: Session, version: Version) -> None:
        drafts.mark_published(session, change, version.id)
    notes = [f"draft {draft_id} left out: {why}" for draft_id, why in change.skipped]
    job = jobs.publishing(settings, account.id, jobs.author_of(account.email), base=base, files=change.files,
                          message=change.message, after=published, notes=notes)
    return _to_job(await _started(request, job)) or await _refused(request, account, console_session, "busy")


@signed_in
@admins_only
async def restore(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    settings = _state(request).settings
    wanted = str(request.path_params.get("version_id", ""))

    def known() -> str | None:
        try:
            return versions.version(repository_of(settings), wanted).id
        except VersionError:
            return None
    version_id = await anyio.to_thread.run_sync(known)
    if version_id is None:
        return Response("not found", status_code=404)
    job = jobs.restoring(settings, account.id, jobs.author_of(account.email), version_id)
    return _to_job(await _started(request, job)) or await _refused(request, account, console_session, "busy")


@signed_in
@admins_only
async def start_versions(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    settings = _state(request).settings
    if await anyio.to_thread.run_sync(versions.head, repository_of(settings)) is not None:
        return await _refused(request, account, console_session, "versions_exist")
    job = jobs.starting(settings, account.id, jobs.author_of(account.email))
    return _to_job(await _started(request, job)) or await _refused(request, account, console_session, "busy")


def _job_id(request: Request) -> int | None:
    try:
        return int(request.path_params["job_id"])
    except (KeyError, ValueError):
        return None


@signed_in
@viewers_only
async def job_page(request: Request, account: Account, console_session: ConsoleSession) -> Response:
    job_id = _job_id(request)

    def read(session: Session) -> tuple[str, dict[str, Any]] | None:
        row = session.get(StudioJob, job_id) if job_id is not None else None
        if row is None:
            return None
        shown = {"id": row.id, "kind": row.kind, "state": row.state.value, "step": row.step,
                 "lines": row.lines, "target": row.target, "version": row.version, "reason": row.reason,
                 "started_at": row.started_at, "finished_at": row.finished_at}
        return _organisation_name(session, account), shown
    found = await _db(request, read)
    if found is None:
        return Response("not found", status_code=404)
    organisation, job = found
    return _pages(request).render(
        request, "studio_job.html", account=account, organisation=organisation, csrf=console_session.csrf_token,
        job=job, refresh=REFRESH_SECONDS if job["state"] == JobState.running.value else None,
        kinds=_labels(request, KINDS), states=_labels(request, STATES), steps=_labels(request, STEPS))


def studio_routes() -> list[BaseRoute]:
    return [
        Route("/console/studio/versions", versions_page),
        Route("/console/studio/publish", publish_approved, methods=["POST"]),
        Route("/console/studio/versions/{version_id}/restore", restore, methods=["POST"]),
        Route("/console/studio/init", start_versions, methods=["POST"]),
        Route("/console/studio/jobs/{job_id}", job_page),
    ]
