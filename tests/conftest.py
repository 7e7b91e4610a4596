"""Shared fixtures: real content, a real trained model (once per session, cached in build/),
and real Rasa and action servers on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.devtools.ports import free_port
from bot.replies import Responder
from bot.runtime import responder as load_responder
from bot.services import Stack, running_stack
from bot.settings import ROOT, Settings
from bot.training.train import train

SHARED = ROOT.parent / "shared"


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    defaults = {"rasa_port": free_port(), "action_port": free_port(), "gateway_port": free_port(),
                # never a real token from the developer's shell: tests stay offline
                "telegram_bot_token": None, "telegram_webhook_url": None}
    return Settings(data_dir=data_dir, **{**defaults, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def responder() -> Responder:
    settings = Settings()
    return load_responder(settings.content_dir, settings.locales_dir)


@pytest.fixture(scope="session")
def model() -> Path:
    settings = Settings()
    return train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir,
                 build_dir=settings.build_dir)


@pytest.fixture(scope="session")
def stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    settings = make_settings(tmp_path_factory.mktemp("var"))
    with running_stack(settings, model) as running:
        yield running
