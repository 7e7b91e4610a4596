"""Settings fail loudly at start-up, with a message a person can act on."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.settings import Settings


def test_defaults_are_valid() -> None:
    settings = Settings()
    assert settings.rasa_url == "http://127.0.0.1:5005"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("HELPLINE_RASA_PORT", "70000", "less than or equal to 65535"),
    ("HELPLINE_ACTION_PORT", "5005", "ports must differ"),
    ("HELPLINE_CONTENT_DIR", "/nonexistent", "does not exist"),
    ("HELPLINE_LOG_LEVEL", "chatty", "log level"),
])
def test_wrong_values_stop_the_start(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                     name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()
    assert main(["check"]) == 2
    assert "the settings are wrong" in capsys.readouterr().err


def test_token_never_prints() -> None:
    token = "s3cr3t-token-long-enough-for-rasa-0001"
    settings = Settings(rasa_token=token)
    assert token not in repr(settings) and token not in str(settings)


def test_child_processes_get_exactly_these_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.processes import settings_env

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "real-token-from-the-shell")
    settings = Settings(telegram_bot_token=None, rasa_port=5999)
    env = settings_env(settings)
    assert "TELEGRAM_BOT_TOKEN" not in env and "HELPLINE_TELEGRAM_BOT_TOKEN" not in env
    assert env["HELPLINE_RASA_PORT"] == "5999"


def test_a_rasa_token_starting_with_a_dash_reaches_rasa_as_a_value(tmp_path: Path) -> None:
    """secrets.token_urlsafe() starts with "-" once in 64 tokens; argparse must not take it for an option."""
    import argparse

    from pydantic import SecretStr

    from bot.processes import rasa_command

    token = "-abc" + "x" * 39
    settings = Settings(data_dir=tmp_path, rasa_token=SecretStr(token))
    command = rasa_command(settings, tmp_path / "model.tar.gz", tmp_path / "e.yml", tmp_path / "c.yml")
    parser = argparse.ArgumentParser()
    parser.add_argument("--auth-token")
    known, _ = parser.parse_known_args(command[2:])
    assert known.auth_token == token
