"""Interface translations: gettext catalogues in locales/, loaded through Babel.

The .po files are the source; they are compiled in memory at load time, so nothing
generated is committed. A derived locale (uz_Cyrl) is made by transliterating its base
catalogue, as content is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.support import NullTranslations

from bot.catalogues import compiled
from bot.content.model import Language
from bot.content.translit import TRANSLITERATORS
from bot.messages import Plural


@dataclass
class Catalogues:
    """gettext per reply language; unknown languages get the English msgids."""

    translations: dict[str, NullTranslations] = field(default_factory=dict)

    def gettext(self, language: str, message: str) -> str:
        return self.translations.get(language, NullTranslations()).gettext(message)

    def ngettext(self, language: str, message: Plural, n: int) -> str:
        """The form of `message` for the count `n` in `language` (still to be filled in)."""
        return self.translations.get(language, NullTranslations()).ngettext(message.singular, message.plural, n)


def load_catalogues(locales: Path, languages: dict[str, Language]) -> Catalogues:
    result = Catalogues()
    for language in languages.values():
        source = language.base or language.code
        po_file = locales / source / "LC_MESSAGES" / "messages.po"
        if not po_file.exists():
            continue
        convert = TRANSLITERATORS[language.transliterate] if language.base and language.transliterate else None
        result.translations[language.code] = compiled(po_file, convert)
    return result
