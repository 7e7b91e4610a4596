"""The studio's job and console tests' helpers: training and Rasa replicas stood in for (the check
is the real `helpline check`; training writes a small file; a step can fail or wait on an Event),
a studio served through its live link, and waiting for a job to end."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import JobState, StudioJob
from bot.settings import Settings
from bot.studio import live, publish, versions
from bot.studio.cli import repository_of
from bot.studio.publish import Steps
from bot.studio.rollout import RolloutError
from tests.conftest import make_settings
from tests.studio_content import ORGANISER

SECRET_LINE = "Секретная строка содержимого"   # content text that must never reach the log


@dataclass
class FakeSteps:
    trained: int = 0
    rolled: list[Path] = field(default_factory=list)
    train_fails: bool = False
    roll_out_refuses: bool = False
    roll_out_breaks: bool = False           # an unexpected error, not a refusal
    hold: threading.Event | None = None     # training waits for it
    training: threading.Event = field(default_factory=threading.Event)   # set when training starts

    def train(self, content: Path, build: Path, say: Callable[[str], None]) -> Path:
        self.training.set()
        say("3/4 training (rasa train) ...")
        if self.hold is not None:
            assert self.hold.wait(30), "the test never let training finish"
        if self.train_fails:
            raise RuntimeError("rasa train exited with 1")
        self.trained += 1
        build.mkdir(parents=True, exist_ok=True)
        model = build / "helpline.tar.gz"
        model.write_bytes(b"a model")
        return model

    def roll_out(self, model: Path, previous: Path | None) -> None:
        if self.roll_out_refuses:
            raise RolloutError("http://127.0.0.1:1 refused the model: HTTP 400")
        if self.roll_out_breaks:
            raise KeyError(SECRET_LINE)
        self.rolled.append(model)

    def steps(self) -> Steps:
        return Steps(check=publish.checked_errors, train=self.train, roll_out=self.roll_out)

    def factory(self) -> AbstractContextManager[Steps]:
        return contextlib.nullcontext(self.steps())

    def for_settings(self, settings: Settings) -> Callable[[], AbstractContextManager[Steps]]:
        """As `app.state.studio_steps` takes it (bot/console/studio_pages.py)."""
        return self.factory


def served_studio(data: Path, seed: Path, **overrides: object) -> Settings:
    """Settings for a studio in `data` whose first version is `seed`, served through its live link."""
    plain = make_settings(data)
    repository = repository_of(plain)
    first = versions.create(repository, seed, author=ORGANISER, message="Content as shipped")
    live.put_live(repository, first.id, plain.studio_dir)
    return make_settings(data, content_dir=live.live_path(plain.studio_dir), **overrides)


def job_ended(sessions: sessionmaker[Session], job_id: int, timeout: float = 60) -> StudioJob:
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as session:
            row = session.get(StudioJob, job_id)
            assert row is not None
            if row.state is not JobState.running:
                return row
        assert time.monotonic() < deadline, f"job {job_id} still running at step {row.step}"
        time.sleep(0.05)
