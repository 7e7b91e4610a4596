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

import shutil
from collections.abc import Callable
from pathlib import Path

import httpx

from bot.settings import Settings
from bot.studio import live, publish, rollout, versions
from bot.studio.publish import Progress, Steps
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
    """content/ as the first version, its model trained (or reused) and kept, put live."""
    repository, root = repository_of(settings), settings.studio_dir
    if versions.head(repository) is not None:
        raise VersionError(f"the studio already has versions in {repository}")
    seed = settings.content_dir.resolve()
    if seed.parent.name == live.VERSIONS:
        raise VersionError("HELPLINE_CONTENT_DIR is already a published version: nothing to start from")
    errors = publish.checked_errors(seed)
    if errors:
        raise VersionError(f"{len(errors)} problem(s) in the content: " + "; ".join(errors[:5]))
    first = versions.create(repository, seed, author=author, message="Content as it was when the studio started")
    model = train(content_dir=seed, nlu_dir=settings.nlu_dir, build_dir=settings.build_dir, say=say)
    kept = publish.model_of(root, first.id)
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, kept)
    live.put_live(repository, first.id, root)
    say(f"version {first.short} is live in {live.live_path(root)}; start the helpline with "
        f"HELPLINE_CONTENT_DIR={live.live_path(root)} to serve it")
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
