"""Process-wide content and translations, loaded once on first use (not at import)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot import flows
from bot.content.loader import load_library
from bot.i18n import load_catalogues
from bot.replies import Responder


@cache
def responder(content_dir: Path, locales_dir: Path, *, retention_days: int = 30) -> Responder:
    library = load_library(content_dir)
    return Responder(library, load_catalogues(locales_dir, library.languages), retention_days=retention_days,
                     offers=flows.offers())
