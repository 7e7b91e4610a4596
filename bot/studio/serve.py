"""What `helpline run` serves once the studio has versions (issue 17, item 4): the published link
`<data>/studio/live` instead of content/, and the live version's kept model instead of one
trained from content/, unless HELPLINE_CONTENT_DIR was set (then that folder, as before).

The children get HELPLINE_CONTENT_DIR=<the link> and follow it as publishes move it; a Rasa
restarted by the supervisor loads the model of the version live at that moment.
"""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from bot.studio import live
from bot.studio.publish import model_of


def studio_settings(settings: Settings) -> Settings | None:
    """The settings to start the processes with when they should serve the studio's live
    version; None when content_dir was set explicitly or the studio has no live version."""
    if "content_dir" in settings.model_fields_set or live.served(settings.studio_dir) is None:
        return None
    return settings.model_copy(update={"content_dir": live.live_path(settings.studio_dir)})


def live_model(settings: Settings) -> Path | None:
    """The kept model of the version live now, if there is one and it is on disk."""
    version = live.served(settings.studio_dir)
    kept = model_of(settings.studio_dir, version) if version is not None else None
    return kept if kept is not None and kept.is_file() else None
