"""A publish, a restore or the studio's start, run in the background for the console (issue 17,
item 4): a worker thread started from the request (the event loop that serves users never waits
for training), its step and progress lines written into its `StudioJob` row as they come, so
every gateway's console can show them.

One job at a time across processes: a job is refused while another is running. Its row is
written and committed first, then looked at again beside the others; if another is running by
then, the new row is dropped (in a close race both may step back; neither runs twice). A row
left `running` for longer than `STALE` belongs to a process that ended mid-job: it is marked
failed the next time anyone looks.

A job ends done (the version it made), refused (`Refused`: its step and reason; the live version
stays), or failed (any other error: logged with its traceback, never the content's text; the
row says what it was). Its start and its end are in the audit log, with ids only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, TypeVar

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cases.service import audit
from bot.db.base import utcnow
from bot.db.models import JobState, StudioJob
from bot.settings import Settings
from bot.studio import cli, live, publish, start
from bot.studio.publish import Progress, Refused, Steps
from bot.studio.versions import Author, Version

log = logging.getLogger(__name__)

T = TypeVar("T")
STALE = dt.timedelta(hours=2)       # a publish takes minutes; a row running this long lost its process
MAX_LINES = 60_000                  # characters of progress kept in a row (training says a few lines)
NOT_SERVING = ("the helpline serves the content folder itself, not the studio's published version: "
               "restart it (helpline run does that once the studio has versions), then try again")


class Runner(Protocol):
    """`work` in a transaction of its own, on the calling thread."""

    def __call__(self, work: Callable[[Session], T]) -> T: ...


def runner(sessions: sessionmaker[Session]) -> Runner:
    def run(work: Callable[[Session], T]) -> T:
        with sessions.begin() as session:
            return work(session)
    return run


StepsFactory = Callable[[], AbstractContextManager[Steps]]


@contextlib.contextmanager
def real_steps(settings: Settings) -> Iterator[Steps]:
    """`helpline check`, `rasa train` and every Rasa replica (bot/studio/cli.py `steps`)."""
    with httpx.Client() as client:
        yield cli.steps(settings, client)


@dataclass(frozen=True)
class Job:
    kind: str                                     # publish | restore | init
    account_id: int                               # who started it
    work: Callable[[Steps, Progress], Version]
    target: str | None = None                     # restore: the version restored
    after: Callable[[Session, Version], None] | None = None    # done: in the transaction that says so


def author_of(email: str) -> Author:
    """The author of a version made from the console: the account's e-mail and its local part."""
    return Author(name=email.split("@", 1)[0], email=email)


def serves_studio(settings: Settings) -> bool:
    """Whether this process serves the studio's published link (and so follows a publish)."""
    return (settings.content_dir.name == live.LIVE
            and settings.content_dir.parent.resolve() == settings.studio_dir.resolve())


def _serving(settings: Settings) -> None:
    if not serves_studio(settings):
        raise Refused("check", NOT_SERVING)


def publishing(settings: Settings, account_id: int, author: Author, *, base: str, files: Mapping[str, bytes | None],
               message: str, after: Callable[[Session, Version], None] | None = None,
               notes: Sequence[str] = ()) -> Job:
    """A publish of `files` over version `base`; `notes` are said first (drafts left out, and why)."""
    def work(steps: Steps, progress: Progress) -> Version:
        for note in notes:
            progress.say(note)
        _serving(settings)
        return publish.publish(cli.repository_of(settings), settings.studio_dir, base, files, author=author,
                               message=message, steps=steps, progress=progress)
    return Job("publish", account_id, work, after=after)


def restoring(settings: Settings, account_id: int, author: Author, version_id: str) -> Job:
    def work(steps: Steps, progress: Progress) -> Version:
        _serving(settings)
        return publish.restore(cli.repository_of(settings), settings.studio_dir, version_id, author=author,
                               steps=steps, progress=progress)
    return Job("restore", account_id, work, target=version_id)


def starting(settings: Settings, account_id: int, author: Author) -> Job:
    def work(steps: Steps, progress: Progress) -> Version:
        first = start.first_version(cli.repository_of(settings), settings.studio_dir, settings.content_dir,
                                    settings.build_dir, author=author, steps=steps, progress=progress)
        if not serves_studio(settings):
            progress.say("the helpline serves the content folder until it is restarted; from then on it "
                         "serves the published version and follows every publish")
        return first
    return Job("init", account_id, work)


def running(session: Session, now: dt.datetime, besides: int | None = None) -> StudioJob | None:
    """The job running now (other than `besides`); one running longer than STALE is marked failed."""
    found = None
    for job in session.scalars(select(StudioJob).where(StudioJob.state == JobState.running).order_by(StudioJob.id)):
        if job.id == besides:
            continue
        if now - job.started_at > STALE:
            job.state, job.finished_at = JobState.failed, now
            job.reason = "it stopped without finishing: the process running it ended"
            audit(session, job.started_by, None, f"studio.{job.kind}.failed", f"job={job.id}; stale")
        elif found is None:
            found = job
    return found


def begin(run: Runner, job: Job, now: dt.datetime) -> int | None:
    """The new job's row (running), or None when another job is running."""
    if run(lambda session: running(session, now)) is not None:
        return None

    def insert(session: Session) -> int:
        row = StudioJob(kind=job.kind, target=job.target, started_by=job.account_id, started_at=now)
        session.add(row)
        session.flush()
        return row.id
    job_id = run(insert)

    def confirm(session: Session) -> bool:
        if running(session, now, besides=job_id) is not None:
            row = session.get(StudioJob, job_id)
            if row is not None:
                session.delete(row)
            return False
        target = f"; version={job.target}" if job.target else ""
        audit(session, job.account_id, None, f"studio.{job.kind}", f"job={job_id}{target}")
        return True
    return job_id if run(confirm) else None


def start_job(run: Runner, job: Job, steps: StepsFactory) -> int | None:
    """Start `job` on a worker thread; its id, or None when another job is running."""
    job_id = begin(run, job, utcnow())
    if job_id is not None:
        threading.Thread(target=execute, args=(run, job_id, job, steps), name=f"studio-job-{job_id}",
                         daemon=True).start()
    return job_id


def execute(run: Runner, job_id: int, job: Job, steps: StepsFactory) -> JobState:
    """Run `job` here and now, its row following along; the state it ended in."""
    progress = Progress()
    progress.echo = lambda line: run(lambda session: _said(session, job_id, progress.step, line))
    try:
        with steps() as parts:
            version = job.work(parts, progress)
    except Refused as refused:
        step, reason = refused.step, refused.reason
        run(lambda session: _finish(session, job_id, JobState.refused, step=step, reason=reason))
        return JobState.refused
    except Exception as error:                 # whatever it was, the row must not stay running
        _failed(run, job_id, job, progress.step, error)
        return JobState.failed

    def done(session: Session) -> None:
        _finish(session, job_id, JobState.done, version=version.id)
        if job.after is not None:
            job.after(session, version)
    try:
        run(done)
    except Exception as error:
        _failed(run, job_id, job, "done", error, made=version.id)
        return JobState.failed
    return JobState.done


def _said(session: Session, job_id: int, step: str, line: str) -> None:
    row = session.get(StudioJob, job_id)
    if row is None:
        return
    row.step = step[:20]
    if len(row.lines) < MAX_LINES:
        row.lines += line[:2000] + "\n"


def _finish(session: Session, job_id: int, state: JobState, *, step: str | None = None, version: str | None = None,
            reason: str | None = None) -> None:
    row = session.get(StudioJob, job_id)
    if row is None:
        return
    row.state, row.finished_at = state, utcnow()
    row.step = (step or row.step)[:20]
    row.version, row.reason = version, reason
    detail = f"job={job_id}" + (f"; version={version}" if version else "") + (f"; step={step}" if step else "")
    audit(session, row.started_by, None, f"studio.{row.kind}.{state.value}", detail)


def _failed(run: Runner, job_id: int, job: Job, step: str, error: Exception, made: str | None = None) -> None:
    """Logged with its traceback (the frames, not the message: it may quote content), and the row
    says what happened."""
    log.error("studio job %d (%s) failed at step %s: %s\n%s", job_id, job.kind, step, type(error).__name__,
              "".join(traceback.format_tb(error.__traceback__)).rstrip())
    reason = f"{type(error).__name__}: {str(error)[:300]}"
    if made is not None:
        reason = f"version {made[:10]} was made, but the job could not be recorded as done ({reason})"
    try:
        run(lambda session: _finish(session, job_id, JobState.failed, step=step, version=made, reason=reason))
    except Exception as unrecorded:        # the row stays running until it is STALE
        log.error("studio job %d: its failure could not be recorded: %s", job_id, type(unrecorded).__name__)


def latest(session: Session, limit: int = 5) -> list[StudioJob]:
    return list(session.scalars(select(StudioJob).order_by(StudioJob.id.desc()).limit(limit)))
