"""Content versions as git commits, and the version the processes serve (bot/studio/)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from bot.studio import live, versions
from bot.studio.versions import Author, Conflict, VersionError
from tests.studio_content import ORGANISER, TOPIC

REVIEWER = Author("Farrukh", "farrukh@union.example")


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def edited(repository: Path, base: str, old: str, new: str) -> bytes:
    return versions.read(repository, base, TOPIC).replace(old.encode(), new.encode(), 1)


def test_the_first_version_holds_every_file_of_the_seed(repository: Path, seed: Path, tmp_path: Path) -> None:
    [first] = versions.versions(repository)
    assert first.author == ORGANISER and first.summary == "Content as shipped"
    assert files_under(versions.export(repository, first.id, tmp_path / "out")) == files_under(seed)


def test_a_change_is_a_new_version_with_its_author_and_only_that_file_changed(repository: Path,
                                                                              tmp_path: Path) -> None:
    base = versions.head(repository)
    assert base is not None
    text = versions.read(repository, base, TOPIC).decode()
    assert "title:" in text
    new = text.replace("title:", "title:  ", 1).encode()
    made = versions.change(repository, base, {TOPIC: new}, author=REVIEWER,
                           message=f"wages_unpaid: title\n\n{TOPIC}")
    assert versions.head(repository) == made.id != base
    assert [v.id for v in versions.versions(repository)] == [made.id, base]
    assert made.author == REVIEWER and made.summary == "wages_unpaid: title"
    assert versions.read(repository, made.id, TOPIC) == new
    assert versions.changed_files(repository, base, made.id) == [TOPIC]
    assert f"+++ b/{TOPIC}" in versions.diff(repository, base, made.id)


def test_adding_and_removing_files(repository: Path) -> None:
    base = versions.head(repository)
    assert base is not None
    added = versions.change(repository, base, {"notes/new.txt": b"draft\n"}, author=ORGANISER, message="add")
    removed = versions.change(repository, added.id, {"notes/new.txt": None}, author=ORGANISER, message="remove")
    assert versions.changed_files(repository, base, added.id) == ["notes/new.txt"]
    assert versions.changed_files(repository, base, removed.id) == []
    with pytest.raises(VersionError):
        versions.read(repository, removed.id, "notes/new.txt")


def test_two_publishes_from_the_same_version_the_second_is_refused(repository: Path) -> None:
    base = versions.head(repository)
    assert base is not None
    first = versions.change(repository, base, {TOPIC: edited(repository, base, "title:", "title: ")},
                            author=ORGANISER, message="first")
    with pytest.raises(Conflict):
        versions.change(repository, base, {"topics/other.yml": b"x: 1\n"}, author=REVIEWER, message="second")
    assert versions.head(repository) == first.id
    assert len(versions.versions(repository)) == 2


def test_a_change_that_changes_nothing_is_refused(repository: Path) -> None:
    base = versions.head(repository)
    assert base is not None
    with pytest.raises(VersionError, match="nothing to change"):
        versions.change(repository, base, {TOPIC: versions.read(repository, base, TOPIC)}, author=ORGANISER,
                        message="same")
    with pytest.raises(VersionError, match="nothing to change"):
        versions.change(repository, base, {}, author=ORGANISER, message="empty")
    assert len(versions.versions(repository)) == 1


def test_restoring_an_old_version_adds_a_version_with_its_files(repository: Path, tmp_path: Path) -> None:
    old = versions.head(repository)
    assert old is not None
    newer = versions.change(repository, old, {TOPIC: edited(repository, old, "title:", "title: "),
                                              "extra.yml": b"a: 1\n"}, author=ORGANISER, message="edit")
    back = versions.restore(repository, old, author=REVIEWER)
    assert [v.id for v in versions.versions(repository)] == [back.id, newer.id, old]
    assert back.summary == "Restore version " + old[:10] + " (Content as shipped)"
    assert versions.changed_files(repository, old, back.id) == []
    assert files_under(versions.export(repository, back.id, tmp_path / "a")) == \
        files_under(versions.export(repository, old, tmp_path / "b"))


@pytest.mark.parametrize("name", ["../escape.yml", "/etc/passwd", ".git/config", "a//b.yml", "./a.yml", "",
                                  "topics\\x.yml", "topics/../../x", "a\nb.yml", "a\tb.yml"])
def test_paths_outside_content_are_refused_and_nothing_is_made(repository: Path, name: str) -> None:
    base = versions.head(repository)
    assert base is not None
    with pytest.raises(VersionError, match="not a path inside content/"):
        versions.change(repository, base, {name: b"x"}, author=ORGANISER, message="bad")
    assert versions.head(repository) == base


@pytest.mark.parametrize("given", ["HEAD", "main", "--all", "zz", "", "a" * 65, "abc"])
def test_only_hexadecimal_version_ids_are_read(repository: Path, given: str) -> None:
    with pytest.raises(VersionError):
        versions.read(repository, given, TOPIC)


def test_the_users_git_configuration_is_not_read(repository: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[commit]\n\tgpgSign = true\n[user]\n\tsigningKey = missing\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    base = versions.head(repository)
    assert base is not None
    made = versions.change(repository, base, {"a.yml": b"a: 1\n"}, author=ORGANISER, message="unsigned")
    assert made.author == ORGANISER


def test_the_history_is_a_git_repository_developers_can_clone(repository: Path, tmp_path: Path) -> None:
    base = versions.head(repository)
    assert base is not None
    versions.change(repository, base, {"a.yml": b"a: 1\n"}, author=ORGANISER, message="for developers")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(repository), str(clone)], check=True)
    log = subprocess.run(["git", "-C", str(clone), "log", "--format=%an|%s"], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert log == [f"{ORGANISER.name}|for developers", f"{ORGANISER.name}|Content as shipped"]


def test_the_readmes_command_brings_a_published_change_into_a_checkout(repository: Path, seed: Path,
                                                                      tmp_path: Path) -> None:
    """README, "For developers": `git --git-dir <repository> diff OLD NEW | git apply --directory=content`
    run in the project's checkout."""
    base = versions.head(repository)
    assert base is not None
    text = (seed / TOPIC).read_text(encoding="utf-8")
    changed = text.replace("  tg:\n", "  tg:\n    # checked by the union\n", 1)
    newer = versions.change(repository, base, {TOPIC: changed.encode()}, author=ORGANISER, message="tg")
    checkout = tmp_path / "project"
    shutil.copytree(seed, checkout / "content")
    diff = subprocess.run(["git", "--git-dir", str(repository), "diff", base, newer.id], capture_output=True,
                          check=True).stdout
    subprocess.run(["git", "apply", "--directory=content"], input=diff, cwd=checkout, check=True)
    assert (checkout / "content" / TOPIC).read_text(encoding="utf-8") == changed


def test_putting_a_version_live_moves_the_link_and_the_watch_sees_it(repository: Path, tmp_path: Path) -> None:
    root = tmp_path / "served"
    old = versions.head(repository)
    assert old is not None
    watch = live.LiveWatch(root)
    live.put_live(repository, old, root)
    assert live.served(root) == old
    assert watch.moved() == old and watch.moved() is None
    new = versions.change(repository, old, {TOPIC: edited(repository, old, "title:", "title: ")},
                          author=ORGANISER, message="edit")
    live.put_live(repository, new.id, root)
    assert live.served(root) == new.id and watch.moved() == new.id
    assert (live.live_path(root) / TOPIC).read_bytes() == versions.read(repository, new.id, TOPIC)
    live.put_live(repository, old[:12], root)                  # a rollback: the old folder is reused
    assert live.served(root) == old and watch.moved() == old
    assert live.prune(root, keep=[]) == [new.id]
    assert sorted(p.name for p in (root / live.VERSIONS).iterdir()) == [old]


def test_readers_through_the_link_never_see_half_a_version(repository: Path, tmp_path: Path) -> None:
    root = tmp_path / "served"
    old = versions.head(repository)
    assert old is not None
    new = versions.change(repository, old, {TOPIC: b"new: 1\n", "only-new.yml": b"x: 1\n"},
                          author=ORGANISER, message="edit")
    live.put_live(repository, old, root)
    wanted = {versions.read(repository, old, TOPIC), b"new: 1\n"}
    seen: list[bytes] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append((live.live_path(root) / TOPIC).read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for index in range(40):
            live.put_live(repository, (new.id, old)[index % 2], root)
    finally:
        done.set()
        reader.join()
    assert seen and set(seen) <= wanted
