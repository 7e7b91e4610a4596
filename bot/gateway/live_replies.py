"""The replies the gateway answers with, and how they follow the published content version
(issue 17, item 4).

Every part of the gateway that words a reply (the chat, casework, the relay, the console's
preview of what a worker sees) reads `LiveReplies.current`, one reference. When
HELPLINE_CONTENT_DIR is a published link (`<root>/live`, bot/studio/live.py), `follow` looks
every HELPLINE_CONTENT_WATCH_SECONDS whether it moved and, if so, reads the new version on a
worker thread and swaps the reference: the next reply uses it. A version that cannot be read
is logged and the one in use stays (`bot.studio.live.follow`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot import heap
from bot.content_cache import read_responder
from bot.replies import Responder
from bot.settings import Settings
from bot.studio import live
from bot.studio.live import LiveWatch


@dataclass
class LiveReplies:
    current: Responder
    folder: Path | None = None       # where `current` was read (a version's folder when published)


def watch_for(content_dir: Path, replies: LiveReplies) -> LiveWatch | None:
    """A watch on the published link content_dir is, or None when it is a plain folder."""
    return live.watch_for(content_dir, replies.folder or content_dir)


async def follow(replies: LiveReplies, settings: Settings, watch: LiveWatch) -> None:
    """Swap in each newly published version's replies; runs until cancelled."""

    def swap() -> None:
        folder = settings.content_dir.resolve()          # one version, even if the link moves again
        replies.current = read_responder(folder, settings.locales_dir, retention_days=settings.retention_days)
        replies.folder = folder
        heap.settle()

    await live.follow(watch, settings.content_watch_seconds, swap)
