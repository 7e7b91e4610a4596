"""The country of work inferred from what people write."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.routing.country import infer_country
from bot.routing.places import load_places
from bot.settings import ROOT

PLACES = load_places(ROOT / "content" / "places.yml")


@pytest.mark.parametrize(("text", "country"), [
    ("в Алматы не платят зарплату", "KZ"),
    ("Olmaotada ish haqi bermayapti", "KZ"),
    ("100 000 тенге должны", "KZ"),
    ("работаю в казахстане на стройке", "KZ"),
    ("Маскавда маош намедиҳанд", "RU"),
    ("в Питере уволили", "RU"),
    ("50 000 рублей не заплатили", "RU"),
    ("Rossiyada ishlayman", "RU"),
    ("мне не платят зарплату", None),
    ("был в Москве, теперь в Алматы", None),     # both: do not guess
])
def test_infer_country(text: str, country: str | None) -> None:
    assert infer_country(text, PLACES) == country


def test_without_a_gazetteer_names_still_count(tmp_path: Path) -> None:
    assert infer_country("Qozog'istonda ishlayman", None) == "KZ"
