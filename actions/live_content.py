"""The action server follows the published content version (issue 17, item 4).

When HELPLINE_CONTENT_DIR is a published link (`<root>/live`, bot/studio/live.py), a task
looks every HELPLINE_CONTENT_WATCH_SECONDS whether it moved, and if so reloads the content
(`ActionContext.reload`, on a worker thread): the next turn answers from the new version.
A version that cannot be loaded is logged and the one in use stays, as at any reload.
"""

from __future__ import annotations

from actions.context import ActionContext
from bot.studio import live


def watch_for(context: ActionContext) -> live.LiveWatch | None:
    """A watch on the published link content_dir is, or None when it is a plain folder."""
    return live.watch_for(context.settings.content_dir, context.served.folder)


async def follow(context: ActionContext, watch: live.LiveWatch, every: float) -> None:
    """Reload the content each time the link moves; runs until cancelled."""
    await live.follow(watch, every, context.reload)
