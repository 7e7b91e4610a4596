"""The action server follows the published content version (issue 17, item 4).

When HELPLINE_CONTENT_DIR is a published link (`<root>/live`, bot/studio/live.py), a task
looks every HELPLINE_CONTENT_WATCH_SECONDS whether it moved, and if so reloads the content
(`ActionContext.reload`, on a worker thread): the next turn answers from the new version.
A version that cannot be loaded is logged (the kind of error, not the content) and the one in
use stays, as at any reload.
"""

from __future__ import annotations

import asyncio
import logging

from actions.context import ActionContext
from bot.content.problems import ContentError
from bot.studio.live import LiveWatch, served

log = logging.getLogger(__name__)


def watch_for(context: ActionContext) -> LiveWatch | None:
    """A watch on the published link content_dir is, or None when it is a plain folder."""
    link = context.settings.content_dir
    if link.name != "live" or served(link.parent) is None:
        return None
    return LiveWatch(link.parent, seen=context.served.folder.name)


async def follow(context: ActionContext, watch: LiveWatch, every: float) -> None:
    """Reload the content each time the link moves; runs until cancelled."""
    while True:
        await asyncio.sleep(every)
        version = watch.moved()
        if version is None:
            continue
        try:
            await asyncio.to_thread(context.reload)
        except ContentError as error:
            log.warning("content version %s not loaded: %d problem(s); the previous one stays",
                        version[:10], len(error.problems))
            continue
        log.info("content version %s loaded", version[:10])
