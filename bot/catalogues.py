"""A gettext catalogue compiled in memory from its .po file: the .po files in locales/ are the
source, and nothing compiled is committed. Shared by the users' messages (bot/i18n.py), the
console (bot/console/pages.py) and `helpline check` (bot/content/wording.py)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations


def compiled(po_file: Path, convert: Callable[[str], str] | None = None) -> Translations:
    """The translations in `po_file`; `convert` rewrites every translation first (a derived
    script: Uzbek Cyrillic from Uzbek Latin)."""
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=None)
    if convert is not None:
        for message in catalog:
            if not message.id or not message.string:
                continue
            if isinstance(message.string, str):
                message.string = convert(message.string)
            else:                                           # a text with a count: every plural form
                message.string = tuple(convert(form) if form else form for form in message.string)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)
