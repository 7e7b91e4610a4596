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
