"""Starting the studio: content/ becomes the first version, its model kept and put live (issue 17,
item 4), as `helpline studio init` does, but through `Steps` and `Progress` so the console can
run it as a job and tests can pass fake training.

The content is checked and trained before the repository is made, so a refusal leaves no
repository behind and the start can be tried again once the content is fixed. The processes
already running keep serving content/ itself; they serve the published link (and follow it)
once restarted (`helpline run` does that when `<data>/studio/live` exists).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.studio import live, versions
from bot.studio.publish import Progress, Refused, Steps, model_of
from bot.studio.versions import Author, Version, VersionError

MESSAGE = "Content as it was when the studio started"


def first_version(repository: Path, root: Path, seed: Path, build: Path, *, author: Author, steps: Steps,
                  progress: Progress | None = None) -> Version:
    """`seed` (content/) as the first version in `repository`, trained in `build`, put live
    under `root`; Refused if the studio has versions already, or the check or training fails."""
    progress = progress or Progress()
    progress.enter("check")
    if versions.head(repository) is not None:
        raise Refused("check", "the studio has versions already")
    seed = seed.resolve()
    if seed.parent.name == live.VERSIONS:
        raise Refused("check", "the content folder is a published version already: nothing to start from")
    errors = steps.check(seed)
    if errors:
        for error in errors:
            progress.say(error)
        raise Refused("check", f"{len(errors)} problem(s) in the content: " + "; ".join(errors[:5]))
    progress.enter("train")
    try:
        model = steps.train(seed, build, progress.say)
    except Exception as error:             # as publish.py: any failure of training refuses
        raise Refused("train", f"training failed: {type(error).__name__}: {str(error)[:300]}") from None
    progress.enter("save")
    try:
        first = versions.create(repository, seed, author=author, message=MESSAGE)
    except VersionError as error:
        raise Refused("save", str(error)) from None
    kept = model_of(root, first.id)
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, kept)
    progress.enter("live")
    live.put_live(repository, first.id, root)
    progress.say(f"version {first.short} is live in {live.live_path(root)}")
    return first
