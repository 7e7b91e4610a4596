"""A version's files with drafts laid over them, in a temporary folder, and the checks of one
file there (issue 17, item 1): what `helpline check` will say about an edit before anyone
approves or publishes it.

The folder is exported from the content repository (`versions.export`), the drafts' texts are
written over it, and `check_content` runs on it (about 1.5 s for the shipped content: callers on
an event loop run these on a worker thread). The folder is removed when the work is done; the
problems keep their paths in it, which `Checked.root` turns back into paths inside content/.

A version's own content (its library, for titles and the live answers) is read once per version
id: a version never changes.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.content.loader import read_library
from bot.content.model import Library
from bot.content.problems import Problem
from bot.content_check import check_content
from bot.studio import versions

SCRATCH = "scratch"


@dataclass(frozen=True)
class Checked:
    """What the checks say about one file of a staged folder."""

    name: str                        # the file's path inside content/
    text: str                        # the file as staged (the draft laid over the version)
    root: Path                       # the staged folder (gone now): Problem.render(root) names the file
    problems: tuple[Problem, ...]    # that file's errors and warnings, errors first
    elsewhere: tuple[Problem, ...]   # errors in other files: publishing refuses while any is left

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if not p.warning)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.warning)


def scratch_of(studio_dir: Path) -> Path:
    path = studio_dir / SCRATCH
    path.mkdir(parents=True, exist_ok=True)
    return path


def lay_over(folder: Path, overlays: Mapping[str, str | bytes | None]) -> None:
    """Write each overlay (path inside content/ -> its text or bytes) into `folder`; None
    removes the file."""
    for name, data in overlays.items():
        path = folder / versions.checked_path(name)
        if data is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


@contextlib.contextmanager
def staged(repository: Path, version: str, overlays: Mapping[str, str], scratch: Path) -> Iterator[Path]:
    """A folder holding `version`'s files with `overlays` written over them, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="stage.", dir=scratch) as parent:
        folder = versions.export(repository, version, Path(parent) / "content")
        lay_over(folder, overlays)
        yield folder


def check_file(folder: Path, name: str) -> Checked:
    """The problems `helpline check` finds in file `name` of `folder`, and the errors elsewhere."""
    path = folder / versions.checked_path(name)
    found = check_content(folder)
    mine = tuple(p for p in found if p.file == path)
    others = tuple(p for p in found if p.file != path and not p.warning)
    return Checked(name, path.read_text(encoding="utf-8") if path.exists() else "", folder, mine, others)


def checked(repository: Path, version: str, name: str, text: str, scratch: Path) -> Checked:
    """File `name` of `version` replaced by `text`, checked with every other file of the version."""
    with staged(repository, version, {name: text}, scratch) as folder:
        return check_file(folder, name)


def file_text(repository: Path, version: str, name: str) -> str | None:
    """One file of a version as text (None when the version has no such file)."""
    try:
        return versions.read(repository, version, name).decode("utf-8")
    except (versions.VersionError, UnicodeDecodeError):
        return None


@functools.lru_cache(maxsize=4)
def version_library(repository: Path, version: str) -> tuple[Library | None, tuple[Problem, ...]]:
    """A version's answers as the bot reads them, read once per version."""
    with tempfile.TemporaryDirectory(prefix="version.") as parent:
        library, problems = read_library(versions.export(repository, version, Path(parent) / "content"))
    return library, tuple(problems)
