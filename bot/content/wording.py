"""What `helpline check` says to organisers, in English or Russian.

Texts are English msgids marked with `T_` for the `check` catalogue (scripts/translations
extracts them, see babel-check.cfg) and carry their values separately, so a text is translated
first and filled in after: `T_("{file} has no {key}", file=..., key=...)`. A text with a count
is marked with `TN_` (singular, plural, then the count, filled in as {count}) and translated
with ngettext. Literal braces are written twice, as str.format wants. The catalogue is
locales/ru/LC_MESSAGES/check.po; English needs none. It is compiled in memory when first used.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from babel.support import NullTranslations

from bot.catalogues import compiled

LANGUAGES = ("en", "ru")
LOCALES = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "check"


@dataclass(frozen=True)
class Text:
    """An untranslated text and its values (strings, or texts translated along with it)."""

    id: str
    values: tuple[tuple[str, str | Text], ...] = ()
    plural: str | None = None     # a text with a count: its English plural, and the count
    count: int = 0

    def translated(self, language: str = "en", locales: Path = LOCALES) -> str:
        translations = check_translations(language, locales)
        values = {key: value.translated(language, locales) if isinstance(value, Text) else value
                  for key, value in self.values}
        if self.plural is None:
            return translations.gettext(self.id).format(**values)
        return translations.ngettext(self.id, self.plural, self.count).format(**values)

    def __str__(self) -> str:
        return self.translated()


def T_(message: str, /, **values: object) -> Text:
    """Mark an organiser-facing text for the `check` catalogue, with its named values."""
    return Text(message, _values(values))


def TN_(singular: str, plural: str, /, count: int, **values: object) -> Text:
    """Mark a text with a count ({count} in it) for the `check` catalogue, with its other values."""
    return Text(singular, _values({**values, "count": count}), plural, count)


def _values(values: dict[str, object]) -> tuple[tuple[str, str | Text], ...]:
    return tuple((key, value if isinstance(value, Text) else str(value)) for key, value in sorted(values.items()))


@functools.cache
def check_translations(language: str, locales: Path = LOCALES) -> NullTranslations:
    """The `check` catalogue for `language` (en or ru); English is the msgids themselves."""
    if language not in LANGUAGES:
        raise ValueError(f"the check language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    po_file = locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not po_file.exists():
        return NullTranslations()
    return compiled(po_file)
