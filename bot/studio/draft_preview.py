"""A draft as workers will see it, beside the live version (issue 17, item 3): its answer and
"more" as Telegram and the web chat show them (bot/workbench/preview.py) to a worker in Russia,
in Kazakhstan, or one who has not said yet, and the lines of the file it changes.

The draft's side is read from the live version with the draft laid over it (bot/studio/
staging.py); the live side from the version itself, read once per version. Plain functions that
read files and run git: callers on an event loop run them on a worker thread."""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from pathlib import Path

from bot.content.loader import read_library
from bot.content.problems import Problem
from bot.content_cache import replies_for
from bot.replies import Responder
from bot.studio import staging
from bot.workbench.preview import Preview, render

PARTS = ("answer", "more")
MAX_CHANGES = 100_000          # characters of the changed lines shown


@dataclass(frozen=True)
class Shown:
    live: dict[str, Preview] | None      # part -> how it shows; None: the topic is new, or no topic
    draft: dict[str, Preview] | None     # None: the staged content does not read (see problems)
    problems: tuple[Problem, ...]        # errors that keep the draft's content from being read
    root: Path                           # where the staged files were, for Problem.render
    changes: str                         # the file's changed lines, as a unified diff


@functools.lru_cache(maxsize=2)
def live_responder(repository: Path, version: str, locales: Path) -> Responder | None:
    library, problems = staging.version_library(repository, version)
    if library is None or any(not p.warning for p in problems):
        return None
    return replies_for(library, locales)


def changes(name: str, before: str | None, after: str) -> str:
    lines = difflib.unified_diff((before or "").splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"live/{name}", tofile=f"draft/{name}")
    return "".join(lines)[:MAX_CHANGES]


def _shown(responder: Responder | None, topic: str | None, language: str,
           country: str | None) -> dict[str, Preview] | None:
    if responder is None or topic is None or topic not in responder.library.topics:
        return None
    return {part: render(responder, topic, language, country, part) for part in PARTS}


def shown(repository: Path, version: str, name: str, text: str, *, topic: str | None, language: str,
          country: str | None, locales: Path, scratch: Path) -> Shown:
    """File `name` of `version` replaced by `text` (the draft laid over it), as it shows."""
    live = _shown(live_responder(repository, version, locales), topic, language, country)
    diff = changes(name, staging.file_text(repository, version, name), text)
    with staging.staged(repository, version, {name: text}, scratch) as folder:
        library, problems = read_library(folder)
        errors = tuple(p for p in problems if not p.warning)
        responder = replies_for(library, locales) if library is not None and not errors else None
        return Shown(live, _shown(responder, topic, language, country), errors, folder, diff)
