"""Publishing: approved changes become the content and the model every process serves, or
nothing changes (issue 17, item 4).

In order, each step refusing with its reason and leaving the live version as it was:
1. the changed files are laid over the version they were made from, in a staging folder,
   and checked as `helpline check` checks content/ (errors refuse; warnings do not);
2. a model is trained from that folder (the console shows its progress lines);
3. the files become a new version in the content repository, only if no one published since
   the change was prepared (`versions.Conflict`);
4. every Rasa replica loads the new model (`rollout.roll_out`; one failing puts the others
   back); the model is kept as `<root>/models/<version>.tar.gz` for later restores;
5. the link `<root>/live` moves to the new version, and the action servers and gateways that
   watch it read the new content.

A refusal at step 4 comes after the version was saved: it stays in the history, not live,
and the next publish builds on it.

A restore is the same with every file of an earlier version. The steps that need other
processes (training, the replicas) are passed in (`Steps`), so the order and the refusals are
tested without them and each step is tested against the real thing on its own.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.content_check import check_content
from bot.studio import live, versions
from bot.studio.rollout import RolloutError
from bot.studio.staging import lay_over, scratch_of
from bot.studio.versions import Author, Version, VersionError

MODELS = "models"


class Refused(RuntimeError):
    """Publishing stopped at `step`; `reason` is worded for the organiser. Live is unchanged."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


@dataclass
class Progress:
    """What the console shows while a publish runs."""

    step: str = "waiting"
    lines: list[str] = field(default_factory=list)
    echo: Callable[[str], None] | None = None         # each line also goes here as it comes

    def say(self, line: str) -> None:
        self.lines.append(line)
        if self.echo is not None:
            self.echo(line)

    def enter(self, step: str) -> None:
        self.step = step
        self.say(f"== {step}")


@dataclass(frozen=True)
class Steps:
    """The parts of a publish that need other processes."""

    check: Callable[[Path], list[str]]                         # a content folder's errors
    train: Callable[[Path, Path, Callable[[str], None]], Path]  # content, build folder, say -> model
    roll_out: Callable[[Path, Path | None], None]              # new model, the one served before


def model_of(root: Path, version_id: str) -> Path:
    return root / MODELS / f"{version_id}.tar.gz"


def publish(repository: Path, root: Path, base: str, files: Mapping[str, bytes | None], *,
            author: Author, message: str, steps: Steps, progress: Progress | None = None) -> Version:
    """Check, train, commit, roll out, put live: the new version, or Refused."""
    progress = progress or Progress()
    with tempfile.TemporaryDirectory(prefix="publish.", dir=scratch_of(root)) as scratch:
        staging = Path(scratch) / "content"
        progress.enter("check")
        try:
            versions.export(repository, base, staging)
            lay_over(staging, files)
        except VersionError as error:
            raise Refused("check", str(error)) from None
        _checked(staging, steps, progress)
        model = _trained(staging, Path(scratch) / "build", steps, progress)
        progress.enter("save")
        try:
            version = versions.change(repository, base, files, author=author, message=message)
        except VersionError as error:
            raise Refused("save", str(error)) from None
        return _go_live(repository, root, version, model, steps, progress)


def restore(repository: Path, root: Path, version_id: str, *, author: Author, steps: Steps,
            progress: Progress | None = None) -> Version:
    """An earlier version's files as a new version, with its model trained and rolled out."""
    progress = progress or Progress()
    with tempfile.TemporaryDirectory(prefix="restore.", dir=scratch_of(root)) as scratch:
        staging = Path(scratch) / "content"
        progress.enter("check")
        try:
            old = versions.version(repository, version_id)
            versions.export(repository, old.id, staging)
        except VersionError as error:
            raise Refused("check", str(error)) from None
        _checked(staging, steps, progress)
        kept = model_of(root, old.id)
        model = kept if kept.exists() else _trained(staging, Path(scratch) / "build", steps, progress)
        progress.enter("save")
        try:
            version = versions.restore(repository, old.id, author=author)
        except VersionError as error:
            raise Refused("save", str(error)) from None
        return _go_live(repository, root, version, model, steps, progress)


def _checked(staging: Path, steps: Steps, progress: Progress) -> None:
    errors = steps.check(staging)
    if errors:
        for error in errors:
            progress.say(error)
        raise Refused("check", f"{len(errors)} problem(s) in the content: " + "; ".join(errors[:5]))


def _trained(staging: Path, build: Path, steps: Steps, progress: Progress) -> Path:
    progress.enter("train")
    try:
        return steps.train(staging, build, progress.say)
    except Exception as error:             # any failure of training refuses; the reason is shown
        raise Refused("train", f"training failed: {type(error).__name__}: {str(error)[:300]}") from None


def _go_live(repository: Path, root: Path, version: Version, model: Path, steps: Steps,
             progress: Progress) -> Version:
    kept = model_of(root, version.id)
    kept.parent.mkdir(parents=True, exist_ok=True)
    if model != kept:
        shutil.copyfile(model, kept)
    served = live.served(root)
    previous = model_of(root, served) if served else None
    progress.enter("roll out")
    try:
        steps.roll_out(kept, previous if previous is not None and previous.exists() else None)
    except RolloutError as error:
        raise Refused("roll out", str(error)) from None
    progress.enter("live")
    live.put_live(repository, version.id, root)
    progress.say(f"version {version.short} is live")
    return version


def checked_errors(folder: Path) -> list[str]:
    """`helpline check`'s errors for a content folder, each with its file, line and fix."""
    return [problem.render(folder) for problem in check_content(folder) if not problem.warning]
