"""`helpline studio`: the studio's versions from the command line, until the console has its
pages (issue 17, item 4).

    helpline studio init --name N --email E      content/ becomes the first version, put live
    helpline studio versions                      the versions, newest first, the live one marked
    helpline studio restore ID --name N --email E an earlier version, trained and rolled out

The repository, the published folders and their models live under `<data>/studio`
(`Settings.studio_dir`). After `init`, the processes serve the published link when started with
HELPLINE_CONTENT_DIR=<data>/studio/live, and follow it as it moves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from bot.settings import Settings
from bot.studio import live, publish, rollout, start, versions
from bot.studio.publish import Progress, Refused, Steps
from bot.studio.versions import Author, Version, VersionError
from bot.training.train import train

REPOSITORY = "content.git"


def repository_of(settings: Settings) -> Path:
    return settings.studio_dir / REPOSITORY


def steps(settings: Settings, client: httpx.Client) -> Steps:
    """The real parts: `helpline check`, `rasa train` in the Rasa environment, every replica."""
    token = settings.rasa_token.get_secret_value()

    def trained(content: Path, build: Path, say: Callable[[str], None]) -> Path:
        return train(content_dir=content, nlu_dir=settings.nlu_dir, build_dir=build, say=say)

    def rolled_out(model: Path, previous: Path | None) -> None:
        rollout.roll_out(client, settings.rasa_urls, token, model, previous)

    return Steps(check=publish.checked_errors, train=trained, roll_out=rolled_out)


def init(settings: Settings, author: Author, say: Callable[[str], None] = print) -> Version:
    """content/ as the first version, its model trained and kept, put live (bot/studio/start.py)."""
    progress = Progress(echo=say)
    with httpx.Client() as client:
        try:
            first = start.first_version(repository_of(settings), settings.studio_dir, settings.content_dir,
                                        settings.build_dir, author=author, steps=steps(settings, client),
                                        progress=progress)
        except Refused as refused:
            raise VersionError(refused.reason) from None
    say(f"start the helpline with HELPLINE_CONTENT_DIR={live.live_path(settings.studio_dir)} to serve it "
        "(helpline run does, once the studio has a live version)")
    return first


def listed(settings: Settings) -> list[str]:
    """One line a version: id, date, author, summary; the live one marked."""
    served = live.served(settings.studio_dir)
    return [f"{'*' if v.id == served else ' '} {v.short}  {v.at:%Y-%m-%d %H:%M}  {v.author.name}  {v.summary}"
            for v in versions.versions(repository_of(settings))]


def restore(settings: Settings, version_id: str, author: Author, say: Callable[[str], None] = print) -> Version:
    progress = Progress(echo=say)
    with httpx.Client() as client:
        return publish.restore(repository_of(settings), settings.studio_dir, version_id, author=author,
                               steps=steps(settings, client), progress=progress)
