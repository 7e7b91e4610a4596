"""What the action server reads once: settings, content, replies, the organisers' recorder.

actions/serve.py builds one `ActionContext` and hands it to every action; an action reads
`context.served` once per turn, so a reload (new content) is one assignment of that reference
and a turn never mixes two versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bot.letters.pdf  # noqa: F401  (fpdf, 1.6 s to import: at start, not on the first letter's turn)
from bot import flows, heap
from bot.content_bundle import Content, load_content
from bot.content_cache import replies_for
from bot.db.base import utcnow
from bot.db.engine import make_engine, make_sessions
from bot.replies import Responder
from bot.settings import Settings
from bot.workbench.record import Recorder


@dataclass(frozen=True)
class Served:
    """One version of content/ with the replies made from it."""

    content: Content
    responder: Responder
    folder: Path            # where it was read (a published link resolved to its version's folder)

    def flow_context(self, *, development: bool) -> flows.Context:
        """What a flow needs for this turn (the time is read per turn)."""
        return flows.Context(self.responder, self.content, utcnow(), development=development)


def serve(settings: Settings) -> Served:
    """Read content/ and locales/ (raises ContentError listing what is wrong). A published link
    (bot/studio/live.py) is followed once, so every file comes from the same version even if
    the link moves meanwhile."""
    folder = settings.content_dir.resolve()
    content = load_content(folder)
    return Served(content, replies_for(content.library, settings.locales_dir, retention_days=settings.retention_days),
                  folder)


class ActionContext:
    """Built once per process and passed to every action."""

    def __init__(self, settings: Settings, served: Served, recorder: Recorder) -> None:
        self.settings = settings
        self.served = served
        self.recorder = recorder

    @classmethod
    def build(cls, settings: Settings) -> ActionContext:
        recorder = Recorder(make_sessions(make_engine(settings.database)), settings.usage_flush_seconds)
        return cls(settings, serve(settings), recorder)

    def reload(self) -> None:
        """Read content/ again and swap it in (the old version stays if the new one has errors)."""
        self.served = serve(self.settings)
        heap.settle()              # the old content's objects go now, the new ones are exempt
