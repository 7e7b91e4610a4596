"""The one Cyrillic-to-Latin folding (bot/folding.py) and its copy in the NLU environment."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from bot.folding import CYRILLIC_TO_LATIN, LATIN_LETTERS, skeleton

NLU_COPY = Path(__file__).resolve().parent.parent / "nlu" / "helpline_nlu" / "folding.py"
# The lower-case letters of every Cyrillic alphabet the helpline reads.
ALPHABETS = {
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "uz_Cyrl": "абвгдеёжзийклмнопрстуфхцчшъэюяўқғҳ",
    "tg": "абвгдеёжзийклмнопрстуфхчшъэюяғӣқӯҳҷ",
    "ky": "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
}


def load_nlu_copy() -> ModuleType:
    """nlu/helpline_nlu/folding.py loaded from its path: neither Rasa nor the NLU package."""
    spec = importlib.util.spec_from_file_location("nlu_folding_copy", NLU_COPY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_nlu_environment_folds_exactly_as_the_bot_does() -> None:
    copy = load_nlu_copy()
    assert list(copy.LATIN_LETTERS.items()) == list(LATIN_LETTERS.items()), (
        "nlu/helpline_nlu/folding.py and bot/folding.py must hold the same table: change both")
    assert copy.CYRILLIC_TO_LATIN == CYRILLIC_TO_LATIN


@pytest.mark.parametrize("language", sorted(ALPHABETS))
def test_every_letter_of_every_alphabet_has_a_latin_spelling(language: str) -> None:
    missing = [letter for letter in ALPHABETS[language] if letter not in LATIN_LETTERS]
    assert missing == []
    folded = "".join(ALPHABETS[language]).translate(CYRILLIC_TO_LATIN)
    assert folded.isascii() and folded.isalpha()


@pytest.mark.parametrize(("cyrillic", "latin"), [
    ("ўзбек", "o'zbek"), ("ўн", "o'n"), ("тўрт", "to'rt"), ("ёрдам", "yordam"), ("ғалла", "g'alla"),
    ("иш ҳақи", "ish haqi"), ("ҷавоб", "javob"), ("жамият", "jamiyat"), ("хабар", "xabar"),
])
def test_uzbek_and_tajik_cyrillic_meet_their_latin_spelling(cyrillic: str, latin: str) -> None:
    def key(text: str) -> str:
        return " ".join(skeleton(word) for word in text.replace("'", "").translate(CYRILLIC_TO_LATIN).split())

    assert key(cyrillic) == key(latin)


@pytest.mark.parametrize("spellings", [
    ("орёл", "орел", "oryol", "orel"), ("королёв", "королев", "korolyov", "korolev"),
    ("алмаата", "алмата", "almaata", "almata"), ("хабаровск", "khabarovsk", "xabarovsk"),
])
def test_skeleton_forgets_what_people_do_not_write_apart(spellings: tuple[str, ...]) -> None:
    keys = {skeleton(word.translate(CYRILLIC_TO_LATIN)) for word in spellings}
    assert len(keys) == 1, keys


def test_the_folding_keeps_sounds_apart_that_matchers_may_merge() -> None:
    assert "ёж".translate(CYRILLIC_TO_LATIN) == "yoj"
    assert "щука шуба чай".translate(CYRILLIC_TO_LATIN) == "shuka shuba chay"
