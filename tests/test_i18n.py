"""Interface strings: every language is complete (tests/test_translations.py: the .pot is in sync
with the code, headers and plural forms)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from bot import messages
from bot.content.loader import load_library
from bot.i18n import load_catalogues
from bot.settings import Settings


def msgids(pot: Path) -> set[str]:
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_every_language_translates_every_string() -> None:
    settings = Settings()
    library = load_library(settings.content_dir)
    catalogues = load_catalogues(settings.locales_dir, library.languages)
    for code in library.languages:
        if code == "en":
            continue
        assert catalogues.gettext(code, messages.BTN_HUMAN) != messages.BTN_HUMAN, code
        po_file = settings.locales_dir / code.split("_")[0] / "LC_MESSAGES" / "messages.po"
        with po_file.open("rb") as handle:
            catalog = read_po(handle)
        translated = {m.id for m in catalog if m.id and m.string and all(m.string if isinstance(m.string, tuple)
                                                                         else [m.string])}
        assert msgids(settings.locales_dir / "messages.pot") - translated == set(), code


def test_uzbek_cyrillic_interface_is_transliterated() -> None:
    settings = Settings()
    library = load_library(settings.content_dir)
    catalogues = load_catalogues(settings.locales_dir, library.languages)
    latin = catalogues.gettext("uz", messages.BTN_MENU)
    assert catalogues.gettext("uz_Cyrl", messages.BTN_MENU) != latin
    assert all(not ("a" <= ch <= "z") for ch in catalogues.gettext("uz_Cyrl", messages.BTN_MENU).lower())
