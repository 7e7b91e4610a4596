"""content/ versions as commits of a git repository, so that every change organisers publish
is a diff a developer can read and pull (issue 17, item 4).

The repository is bare: nothing is edited in place. A new version is made from the current
one plus the changed files (blobs and a tree written through a temporary index) and becomes
the branch's head only if the head is still the one it was made from (`git update-ref` with
the old value), so two publishes at once cannot lose each other's changes: the second one is
refused with `Conflict`. Restoring a version is a new commit with that version's files, so the
history only grows. `export` writes a version's files into a folder the processes can serve.

Plain functions over the `git` command (2.32 or later); no network, no hooks, no user
configuration read (`GIT_CONFIG_GLOBAL`/`GIT_CONFIG_SYSTEM` point at nothing).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

BRANCH = "refs/heads/main"
MAX_FILE_BYTES = 2 * 1024 * 1024          # a topic file is a few KiB; anything this big is a mistake
_FIELD, _RECORD = "\x00", "\x1e"


class VersionError(RuntimeError):
    """A version could not be made or read; the message says why, without file contents."""


class Conflict(VersionError):
    """Someone else published first: the head moved since the change was prepared."""


@dataclass(frozen=True)
class Author:
    name: str
    email: str


@dataclass(frozen=True)
class Version:
    id: str                    # the commit's full hash
    at: dt.datetime            # when it was made (UTC)
    author: Author
    message: str               # first line: what changed, in a sentence; then one line a file

    @property
    def short(self) -> str:
        return self.id[:10]

    @property
    def summary(self) -> str:
        return self.message.split("\n", 1)[0]


def _environment(author: Author | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    if author is not None:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        for role in ("AUTHOR", "COMMITTER"):
            env[f"GIT_{role}_NAME"] = author.name
            env[f"GIT_{role}_EMAIL"] = author.email
            env[f"GIT_{role}_DATE"] = now
    return env


def _git(repository: Path, *args: str, data: bytes | None = None, author: Author | None = None,
         env: Mapping[str, str] | None = None) -> bytes:
    result = subprocess.run(["git", "--git-dir", str(repository), *args], input=data, capture_output=True,
                            env={**_environment(author), **(env or {})}, check=False, timeout=120)
    if result.returncode != 0:
        raise VersionError(f"git {args[0]} failed: {result.stderr.decode(errors='replace').strip()[:500]}")
    return result.stdout


def checked_path(name: str) -> str:
    """A file's path inside content/, refused if it could leave the folder or touch git's own."""
    path = PurePosixPath(name)
    if (not name or path.is_absolute() or "\\" in name or any(part in ("", ".", "..") for part in name.split("/"))
            or path.parts[0] == ".git" or any(ord(c) < 32 or c == "\x7f" for c in name)):
        raise VersionError(f"not a path inside content/: {name!r}")
    return str(path)


def create(repository: Path, seed: Path, *, author: Author, message: str) -> Version:
    """A new bare repository at `repository` whose first version holds every file under `seed`."""
    if repository.exists() and any(repository.iterdir()):
        raise VersionError(f"{repository} is not empty")
    repository.mkdir(parents=True, exist_ok=True)
    _git(repository, "init", "--quiet", "--bare", "--initial-branch=main")
    files = {str(p.relative_to(seed).as_posix()): p.read_bytes()
             for p in sorted(seed.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}
    return _commit(repository, None, files, author=author, message=message)


def head(repository: Path) -> str | None:
    """The id of the latest version, or None if there is none yet."""
    try:
        return _git(repository, "rev-parse", "--verify", "--quiet", BRANCH).decode().strip() or None
    except VersionError:
        return None


def versions(repository: Path, limit: int = 200) -> list[Version]:
    """The latest versions, newest first."""
    if head(repository) is None:
        return []
    return _log(repository, f"--max-count={limit}", BRANCH)


def version(repository: Path, version_id: str) -> Version:
    """One version by its id (or a unique start of it)."""
    return _log(repository, "--max-count=1", _commit_id(repository, version_id))[0]


def _log(repository: Path, *args: str) -> list[Version]:
    out = _git(repository, "log", "--format=%H%x00%an%x00%ae%x00%at%x00%B%x1e", *args).decode()
    found = []
    for record in out.split(_RECORD):
        if not record.strip():
            continue
        commit, name, email, at, message = record.lstrip("\n").split(_FIELD, 4)
        found.append(Version(commit, dt.datetime.fromtimestamp(int(at), dt.UTC), Author(name, email),
                             message.strip()))
    return found


def read(repository: Path, version_id: str, name: str) -> bytes:
    """One file as it was in version `version_id`."""
    return _git(repository, "show", f"{_commit_id(repository, version_id)}:{checked_path(name)}")


def changed_files(repository: Path, older: str, newer: str) -> list[str]:
    """The files that differ between two versions (added, changed or removed)."""
    out = _git(repository, "diff", "--name-only", "-z", _commit_id(repository, older), _commit_id(repository, newer))
    return [name for name in out.decode().split("\x00") if name]


def diff(repository: Path, older: str, newer: str) -> str:
    """What changed between two versions, as `git diff` prints it (for developers and review)."""
    return _git(repository, "diff", _commit_id(repository, older), _commit_id(repository, newer)).decode()


def change(repository: Path, base: str, files: Mapping[str, bytes | None], *, author: Author,
           message: str) -> Version:
    """A new version: `base` with `files` written (None removes one). Refused with `Conflict` if
    `base` is no longer the latest version, and with VersionError if nothing changes."""
    return _commit(repository, _commit_id(repository, base), files, author=author, message=message)


def restore(repository: Path, version_id: str, *, author: Author, message: str | None = None) -> Version:
    """A new latest version whose files are exactly those of `version_id` (history is kept)."""
    old = _commit_id(repository, version_id)
    current = head(repository)
    if current is None:
        raise VersionError("there is no version to restore onto")
    tree = _git(repository, "rev-parse", f"{old}^{{tree}}").decode().strip()
    text = message or f"Restore version {old[:10]} ({version(repository, old).summary})"
    return _advance(repository, current, tree, author=author, message=text)


def export(repository: Path, version_id: str, into: Path) -> Path:
    """Write version `version_id`'s files into the empty or missing folder `into`."""
    commit = _commit_id(repository, version_id)
    into.mkdir(parents=True, exist_ok=True)
    if any(into.iterdir()):
        raise VersionError(f"{into} is not empty")
    archive = _git(repository, "archive", "--format=tar", commit)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _commit_id(repository: Path, version_id: str) -> str:
    if not 4 <= len(version_id) <= 64 or not all(c in "0123456789abcdef" for c in version_id):
        raise VersionError(f"not a version id: {version_id!r}")
    try:
        return _git(repository, "rev-parse", "--verify", "--quiet", f"{version_id}^{{commit}}").decode().strip()
    except VersionError:
        raise VersionError(f"no version {version_id!r}") from None


def _commit(repository: Path, base: str | None, files: Mapping[str, bytes | None], *, author: Author,
            message: str) -> Version:
    if not files:
        raise VersionError("nothing to change")
    index = repository / f"index.{os.getpid()}.{id(files)}"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        if base is not None:
            _git(repository, "read-tree", base, env=env)
        entries = []
        for name, data in sorted(files.items()):
            path = checked_path(name)
            if data is None:                       # mode 0: the path leaves the index
                entries.append(f"0 {'0' * 40}\t{path}")
                continue
            if len(data) > MAX_FILE_BYTES:
                raise VersionError(f"{path} is larger than {MAX_FILE_BYTES // 1024} KiB")
            blob = _git(repository, "hash-object", "-w", "--stdin", data=data).decode().strip()
            entries.append(f"100644 {blob}\t{path}")
        _git(repository, "update-index", "--index-info", data="".join(f"{e}\n" for e in entries).encode(), env=env)
        tree = _git(repository, "write-tree", env=env).decode().strip()
    finally:
        index.unlink(missing_ok=True)
    if base is not None and tree == _git(repository, "rev-parse", f"{base}^{{tree}}").decode().strip():
        raise VersionError("nothing to change: the files are as they are in the latest version")
    return _advance(repository, base, tree, author=author, message=message)


def _advance(repository: Path, base: str | None, tree: str, *, author: Author, message: str) -> Version:
    """Commit `tree` on top of `base` and move the branch there, only if it still points at
    `base` (compare and swap)."""
    parents = ["-p", base] if base is not None else []
    commit = _git(repository, "commit-tree", tree, *parents, data=message.encode(), author=author).decode().strip()
    expected = base if base is not None else "0" * 40
    try:
        _git(repository, "update-ref", "-m", "publish", BRANCH, commit, expected)
    except VersionError:
        raise Conflict("another version was published meanwhile: reload and apply the change again") from None
    return version(repository, commit)
