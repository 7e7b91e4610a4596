"""Adding a language is a data change: fixture content and locale, no code change."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from bot.processes import running_stack
from bot.rasa_client import RasaClient
from bot.settings import ROOT
from bot.training.train import train
from tests.conftest import make_settings

pytestmark = pytest.mark.rasa
FIXTURE = ROOT / "tests" / "fixtures" / "extra_language"


async def test_a_new_language_from_fixtures_is_understood_and_answered(tmp_path: Path) -> None:
    content = shutil.copytree(FIXTURE / "content", tmp_path / "content")
    locales = shutil.copytree(FIXTURE / "locales", tmp_path / "locales")
    settings = make_settings(tmp_path / "var", content_dir=content, locales_dir=locales,
                             build_dir=tmp_path / "build")
    model = train(content_dir=content, nlu_dir=settings.nlu_dir, build_dir=settings.build_dir)
    with running_stack(settings, model):
        async with httpx.AsyncClient(timeout=30) as http:
            client = RasaClient(http, settings.rasa_url, settings.rasa_token.get_secret_value())
            reply = await client.send("kk-user", "жұмыс беруші екі ай бойы жалақы төлемей жатыр")
            texts = "\n".join(m.get("text", "") for m in reply)
            titles = [b["title"] for m in reply for b in m.get("buttons", [])]
            tracker = await client.tracker("kk-user")
    assert "FIXTURE-KK-WAGES" in texts
    assert "Адаммен сөйлесу" in titles
    assert tracker["slots"]["language"] == "kk"
