"""The content version the processes serve: `<root>/live`, a symbolic link to
`<root>/versions/<id>`, replaced in one step (issue 17, item 4).

A process started with HELPLINE_CONTENT_DIR=<root>/live reads whichever version the link
points at when it (re)loads content; `follow` reloads it each time the link moves (the action
server and the gateway run it as a task). The
folder of a version is written completely under a temporary name and renamed into place
before the link moves, so a reader never sees half a version; old versions stay on disk
(a rollback needs them, and a process may still be reading one) until `prune`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.content.problems import ContentError
from bot.studio import versions

log = logging.getLogger(__name__)

LIVE = "live"
VERSIONS = "versions"


def live_path(root: Path) -> Path:
    return root / LIVE


def served(root: Path) -> str | None:
    """The id of the version `<root>/live` points at, or None when it is not a published link."""
    try:
        target = os.readlink(live_path(root))
    except OSError:
        return None
    name = Path(target).name
    return name if Path(target).parent.name == VERSIONS else None


def folder(root: Path, version_id: str) -> Path:
    return root / VERSIONS / version_id


def put_live(repository: Path, version_id: str, root: Path) -> Path:
    """Make `version_id` the served version: its files written (once) under
    `<root>/versions/<id>`, then the link replaced. Returns the version's folder."""
    commit = versions.version(repository, version_id).id
    target = folder(root, commit)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{commit[:10]}.", dir=target.parent))
        try:
            versions.export(repository, commit, staging)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    link = live_path(root)
    temporary = root / f".{LIVE}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(Path(VERSIONS) / commit, target_is_directory=True)
    os.replace(temporary, link)          # atomic: readers see the old link or the new one
    return target


def prune(root: Path, keep: Iterable[str]) -> list[str]:
    """Remove the folders of versions that are neither served nor in `keep`; returns their ids."""
    wanted = {*keep, served(root)}
    removed = []
    base = root / VERSIONS
    for path in sorted(base.iterdir()) if base.exists() else []:
        if path.name.startswith(".") or path.name in wanted:
            continue
        shutil.rmtree(path)
        removed.append(path.name)
    return removed


class LiveWatch:
    """Tells a process whether the served version changed since it last looked."""

    def __init__(self, root: Path, seen: str | None = None) -> None:
        """`seen`: the version the process has loaded (default: the one served now)."""
        self.root = root
        self.seen = seen if seen is not None else served(root)

    def moved(self) -> str | None:
        """The newly served version id if the link moved since the last call, else None."""
        now = served(self.root)
        if now is None or now == self.seen:
            return None
        self.seen = now
        return now


def watch_for(content_dir: Path, loaded: Path) -> LiveWatch | None:
    """A watch when `content_dir` is a published link (`loaded`: the folder the process read
    at start), or None when it is a plain folder."""
    if content_dir.name != LIVE or served(content_dir.parent) is None:
        return None
    return LiveWatch(content_dir.parent, seen=loaded.name)


async def follow(watch: LiveWatch, every: float, reload: Callable[[], None]) -> None:
    """Every `every` seconds, if the link moved, `reload()` on a worker thread; a version that
    cannot be loaded is logged (its id and how many problems, never its text) and the one in
    use stays. Runs until cancelled."""
    while True:
        await asyncio.sleep(every)
        version = watch.moved()
        if version is None:
            continue
        try:
            await asyncio.to_thread(reload)
        except ContentError as error:
            log.warning("content version %s not loaded: %d problem(s); the previous one stays",
                        version[:10], len(error.problems))
            continue
        log.info("content version %s loaded", version[:10])
