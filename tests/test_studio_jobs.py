"""Studio jobs (bot/studio/jobs.py, bot/studio/start.py): a publish, a restore or the studio's
start on a worker thread, one at a time, its row following along and ending done, refused or
failed; audited with ids. Real databases (SQLite and PostgreSQL), the real content check, fake
training and replicas (tests/studio_steps.py)."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account, AuditEvent, JobState, Role, StudioJob
from bot.settings import Settings
from bot.studio import jobs, live, publish, versions
from bot.studio.cli import repository_of
from bot.studio.jobs import Job, Runner
from tests.conftest import make_settings
from tests.console_client import add_caseworker
from tests.studio_content import ORGANISER, TOPIC
from tests.studio_steps import SECRET_LINE, FakeSteps, job_ended, served_studio

ADMIN = "admin@union-a.example"


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    add_caseworker(database_url, ADMIN, organisation="union_a", role=Role.admin)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture
def run(sessions: sessionmaker[Session]) -> Runner:
    return jobs.runner(sessions)


@pytest.fixture
def admin(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalars(select(Account.id).where(Account.email == ADMIN)).one()


@pytest.fixture
def studio(tmp_path: Path, seed: Path) -> Settings:
    return served_studio(tmp_path / "var", seed)


def head(settings: Settings) -> str:
    found = versions.head(repository_of(settings))
    assert found is not None
    return found


def retitled(settings: Settings, base: str, title: str) -> dict[str, bytes | None]:
    text = versions.read(repository_of(settings), base, TOPIC).decode()
    line = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    return {TOPIC: text.replace(line, line.split("title:")[0] + f"title: {title}", 1).encode()}


def publishing(settings: Settings, admin: int, title: str = "Зарплату не платят", **extra: object) -> Job:
    base = head(settings)
    return jobs.publishing(settings, admin, jobs.author_of(ADMIN), base=base, files=retitled(settings, base, title),
                           message=f"{TOPIC}: title", **extra)  # type: ignore[arg-type]


def audited(sessions: sessionmaker[Session], prefix: str = "studio.") -> list[tuple[int | None, str, str]]:
    with sessions() as session:
        return [(e.account_id, e.action, e.detail) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id))]


def test_a_publish_job_runs_on_a_thread_to_done_and_its_row_says_so(
        studio: Settings, run: Runner, sessions: sessionmaker[Session], admin: int) -> None:
    fakes, seen = FakeSteps(), []
    job = publishing(studio, admin, after=lambda session, version: seen.append(version.id))
    job_id = jobs.start_job(run, job, fakes.factory)
    assert job_id is not None
    row = job_ended(sessions, job_id)
    made = head(studio)
    assert (row.state, row.step, row.version, row.reason, row.kind) == (JobState.done, "live", made, None, "publish")
    assert row.finished_at is not None and row.started_by == admin
    assert [line for line in row.lines.splitlines() if line.startswith("== ")] == \
        ["== check", "== train", "== save", "== roll out", "== live"]
    assert "3/4 training (rasa train) ..." in row.lines
    assert seen == [made] and live.served(studio.studio_dir) == made
    author = versions.version(repository_of(studio), made).author
    assert (author.name, author.email) == ("admin", ADMIN)
    assert audited(sessions) == [(admin, "studio.publish", f"job={job_id}"),
                                 (admin, "studio.publish.done", f"job={job_id}; version={made}")]


def test_a_failed_training_is_refused_with_its_reason_and_live_stays(
        studio: Settings, run: Runner, sessions: sessionmaker[Session], admin: int) -> None:
    before = live.served(studio.studio_dir)
    job_id = jobs.start_job(run, publishing(studio, admin), FakeSteps(train_fails=True).factory)
    assert job_id is not None
    row = job_ended(sessions, job_id)
    assert (row.state, row.step, row.version) == (JobState.refused, "train", None)
    assert row.reason is not None and "rasa train exited with 1" in row.reason
    assert live.served(studio.studio_dir) == before == head(studio)
    assert audited(sessions)[-1] == (admin, "studio.publish.refused", f"job={job_id}; step=train")


def test_a_refused_roll_out_leaves_the_live_version(studio: Settings, run: Runner, sessions: sessionmaker[Session],
                                                   admin: int) -> None:
    before = live.served(studio.studio_dir)
    job_id = jobs.begin(run, publishing(studio, admin), dt.datetime.now(dt.UTC))
    assert job_id is not None
    assert jobs.execute(run, job_id, publishing(studio, admin), FakeSteps(roll_out_refuses=True).factory) \
        is JobState.refused
    row = job_ended(sessions, job_id)
    assert row.step == "roll out" and row.reason is not None and "refused the model" in row.reason
    assert live.served(studio.studio_dir) == before != head(studio)     # saved, not live


def test_an_unexpected_error_fails_the_job_and_is_logged_without_content(
        studio: Settings, run: Runner, sessions: sessionmaker[Session], admin: int,
        caplog: pytest.LogCaptureFixture) -> None:
    before = live.served(studio.studio_dir)
    job = publishing(studio, admin)
    job_id = jobs.begin(run, job, dt.datetime.now(dt.UTC))
    assert job_id is not None
    with caplog.at_level(logging.ERROR, logger="bot.studio.jobs"):
        assert jobs.execute(run, job_id, job, FakeSteps(roll_out_breaks=True).factory) is JobState.failed
    row = job_ended(sessions, job_id)
    assert (row.state, row.step) == (JobState.failed, "roll out")
    assert row.reason is not None and row.reason.startswith("KeyError")
    [record] = [r for r in caplog.records if r.name == "bot.studio.jobs"]
    assert record.levelno == logging.ERROR and f"studio job {job_id} (publish) failed" in record.getMessage()
    assert 'jobs.py", line' in record.getMessage()                      # the traceback's frames
    assert SECRET_LINE not in caplog.text and "Зарплату" not in caplog.text
    assert live.served(studio.studio_dir) == before
    assert audited(sessions)[-1] == (admin, "studio.publish.failed", f"job={job_id}; step=roll out")


def test_a_second_job_is_refused_while_one_runs(studio: Settings, run: Runner, sessions: sessionmaker[Session],
                                               admin: int) -> None:
    hold = threading.Event()
    fakes = FakeSteps(hold=hold)
    first = jobs.start_job(run, publishing(studio, admin), fakes.factory)
    assert first is not None and fakes.training.wait(30)
    with sessions() as session:
        row = session.get(StudioJob, first)
        assert row is not None and (row.state, row.step) == (JobState.running, "train")
    assert jobs.start_job(run, publishing(studio, admin, "Другое"), FakeSteps().factory) is None
    assert jobs.start_job(run, jobs.restoring(studio, admin, jobs.author_of(ADMIN), head(studio)),
                          FakeSteps().factory) is None
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(StudioJob)) == 1
    hold.set()
    assert job_ended(sessions, first).state is JobState.done
    again = jobs.start_job(run, publishing(studio, admin, "Третье"), FakeSteps().factory)
    assert again is not None and job_ended(sessions, again).state is JobState.done


def test_a_job_left_running_by_a_dead_process_is_failed_after_two_hours(
        studio: Settings, run: Runner, sessions: sessionmaker[Session], admin: int) -> None:
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        recent = StudioJob(kind="restore", started_by=admin, started_at=now - dt.timedelta(hours=1))
        session.add(recent)
        session.flush()
        recent_id = recent.id
    assert jobs.begin(run, publishing(studio, admin), now) is None           # an hour: still running
    with sessions.begin() as session:
        row = session.get(StudioJob, recent_id)
        assert row is not None
        row.started_at = now - dt.timedelta(hours=2, minutes=1)
    job_id = jobs.begin(run, publishing(studio, admin), now)
    assert job_id is not None
    with sessions() as session:
        old = session.get(StudioJob, recent_id)
        assert old is not None and old.state is JobState.failed and old.finished_at is not None
        assert old.reason is not None and "process running it ended" in old.reason
    assert (admin, "studio.restore.failed", f"job={recent_id}; stale") in audited(sessions)


def test_a_restore_job_makes_the_old_files_the_newest_version(
        studio: Settings, run: Runner, sessions: sessionmaker[Session], admin: int) -> None:
    repository, root, first = repository_of(studio), studio.studio_dir, head(studio)
    base = first
    publish.publish(repository, root, base, retitled(studio, base, "Новое"), author=ORGANISER, message="new",
                    steps=FakeSteps().steps())
    job_id = jobs.start_job(run, jobs.restoring(studio, admin, jobs.author_of(ADMIN), first), FakeSteps().factory)
    assert job_id is not None
    row = job_ended(sessions, job_id)
    assert (row.state, row.kind, row.target, row.version) == (JobState.done, "restore", first, head(studio))
    assert versions.changed_files(repository, first, head(studio)) == []
    assert live.served(root) == head(studio)
    assert audited(sessions, "studio.restore") == [
        (admin, "studio.restore", f"job={job_id}; version={first}"),
        (admin, "studio.restore.done", f"job={job_id}; version={head(studio)}")]


def test_the_studio_starts_from_the_content_folder(tmp_path: Path, seed: Path, run: Runner,
                                                   sessions: sessionmaker[Session], admin: int) -> None:
    content = tmp_path / "content"
    shutil.copytree(seed, content)
    settings = make_settings(tmp_path / "var", content_dir=content)
    fakes = FakeSteps()
    job_id = jobs.start_job(run, jobs.starting(settings, admin, jobs.author_of(ADMIN)), fakes.factory)
    assert job_id is not None
    row = job_ended(sessions, job_id)
    first = head(settings)
    assert (row.state, row.kind, row.version) == (JobState.done, "init", first)
    assert live.served(settings.studio_dir) == first and fakes.trained == 1
    assert publish.model_of(settings.studio_dir, first).read_bytes() == b"a model"
    assert "serves the content folder until it is restarted" in row.lines
    assert versions.changed_files(repository_of(settings), first, first) == []
    again = jobs.start_job(run, jobs.starting(settings, admin, jobs.author_of(ADMIN)), fakes.factory)
    assert again is not None
    row = job_ended(sessions, again)
    assert (row.state, row.step, row.reason) == (JobState.refused, "check", "the studio has versions already")


def test_a_start_refused_by_the_check_leaves_no_repository(tmp_path: Path, seed: Path, run: Runner,
                                                           sessions: sessionmaker[Session], admin: int) -> None:
    content = tmp_path / "content"
    shutil.copytree(seed, content)
    (content / TOPIC).write_text("id: wages_unpaid\nanswers: [\n", encoding="utf-8")
    settings = make_settings(tmp_path / "var", content_dir=content)
    job_id = jobs.start_job(run, jobs.starting(settings, admin, jobs.author_of(ADMIN)), FakeSteps().factory)
    assert job_id is not None
    row = job_ended(sessions, job_id)
    assert (row.state, row.step) == (JobState.refused, "check") and "wages_unpaid.yml" in row.lines
    assert not repository_of(settings).exists() and live.served(settings.studio_dir) is None


def test_a_publish_is_refused_while_the_helpline_serves_the_content_folder(
        tmp_path: Path, seed: Path, run: Runner, sessions: sessionmaker[Session], admin: int) -> None:
    studio = served_studio(tmp_path / "var", seed)
    plain = make_settings(tmp_path / "var", content_dir=seed)
    fakes = FakeSteps()
    job_id = jobs.start_job(run, publishing(plain, admin), fakes.factory)
    assert job_id is not None
    row = job_ended(sessions, job_id)
    assert (row.state, row.reason) == (JobState.refused, jobs.NOT_SERVING) and fakes.trained == 0
    assert jobs.serves_studio(studio) and not jobs.serves_studio(plain)
