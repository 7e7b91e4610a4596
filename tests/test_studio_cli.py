"""`helpline studio`: its answers on the command line (bot/cli.py, bot/studio/cli.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    content = tmp_path / "content"
    shutil.copytree(Settings().content_dir, content)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("HELPLINE_CONTENT_DIR", str(content))
    return tmp_path / "var"


def test_without_versions_the_list_says_how_to_start(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["studio", "versions"]) == 0
    assert "no versions yet: helpline studio init" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["studio", "init"], ["studio", "restore", "abc123", "--name", "A"]])
def test_init_and_restore_say_who_did_it(data: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "--name and --email say who did it" in capsys.readouterr().err
    assert not (data / "studio").exists()


def test_restore_needs_a_version(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["studio", "restore", "--name", "A", "--email", "a@union.example"]) == 2
    assert "which version?" in capsys.readouterr().err


@pytest.mark.rasa
def test_init_once_then_the_live_version_is_listed_and_a_second_init_is_refused(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    who = ["--name", "Organiser", "--email", "organiser@union.example"]
    assert main(["studio", "init", *who]) == 0
    assert f"HELPLINE_CONTENT_DIR={data / 'studio' / 'live'}" in capsys.readouterr().out
    assert main(["studio", "versions"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("* ") and line.endswith("Organiser  Content as it was when the studio started")
    assert main(["studio", "init", *who]) == 1
    assert "has versions already" in capsys.readouterr().err
    assert main(["studio", "restore", "0123456789", *who]) == 1
    assert "no version '0123456789'; the live version is unchanged" in capsys.readouterr().err
