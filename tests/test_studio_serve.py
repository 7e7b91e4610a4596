"""What `helpline run` serves once the studio has versions (bot/studio/serve.py, used by
bot/processes.py run_forever): the live link and the live version's kept model, unless
HELPLINE_CONTENT_DIR was set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.processes import settings_env
from bot.studio import live, publish, versions
from bot.studio.serve import live_model, studio_settings
from tests.conftest import make_settings


@pytest.fixture(autouse=True)
def no_content_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HELPLINE_CONTENT_DIR", raising=False)


def test_without_a_live_version_the_content_folder_is_served(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var")
    assert studio_settings(settings) is None and live_model(settings) is None


def test_with_a_live_version_the_processes_serve_its_link_and_its_kept_model(tmp_path: Path, repository: Path) -> None:
    settings = make_settings(tmp_path / "var")
    first = versions.head(repository)
    assert first is not None
    live.put_live(repository, first, settings.studio_dir)
    served = studio_settings(settings)
    assert served is not None and served.content_dir == live.live_path(settings.studio_dir)
    assert settings_env(served)["HELPLINE_CONTENT_DIR"] == str(live.live_path(settings.studio_dir))
    assert (served.rasa_port, served.data_dir) == (settings.rasa_port, settings.data_dir)
    assert live_model(served) is None                      # no model kept: run_forever trains from the link
    kept = publish.model_of(settings.studio_dir, first)
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"model")
    assert live_model(served) == kept


def test_a_content_folder_set_explicitly_is_served_as_before(tmp_path: Path, repository: Path, seed: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    first = versions.head(repository)
    assert first is not None
    live.put_live(repository, first, tmp_path / "var" / "studio")
    assert studio_settings(make_settings(tmp_path / "var", content_dir=seed)) is None
    monkeypatch.setenv("HELPLINE_CONTENT_DIR", str(seed))
    assert studio_settings(make_settings(tmp_path / "var")) is None
