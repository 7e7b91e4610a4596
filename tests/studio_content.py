"""Fixtures for the studio's tests: a copy of the shipped content, and a content repository
whose first version is that copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.studio import versions
from bot.studio.versions import Author

ORGANISER = Author("Дилноза Рахимова", "dilnoza@union.example")
TOPIC = "topics/wages_unpaid.yml"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seed") / "content"
    shutil.copytree(Settings().content_dir, folder)
    return folder


@pytest.fixture
def repository(tmp_path: Path, seed: Path) -> Path:
    path = tmp_path / "content.git"
    versions.create(path, seed, author=ORGANISER, message="Content as shipped")
    return path


def first_answer_line(topic_file: str) -> str:
    """The first line of the Russian answer in a topic file's text (enough to replace it)."""
    block = topic_file[topic_file.index("\n  ru:"):]
    lines = block.splitlines()
    line = next(line for line in lines if line.strip().startswith("answer:"))
    rest = line.split("answer:", 1)[1].strip()
    if rest in ("|", ">", "|-", ">-"):
        return lines[lines.index(line) + 1].strip()
    return rest.strip("'\"")
