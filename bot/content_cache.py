"""Process-wide content and translations, loaded once on first use (not at import)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot import flows
from bot.content.loader import load_library
from bot.content.model import Library
from bot.i18n import load_catalogues
from bot.replies import Responder


def replies_for(library: Library, locales_dir: Path, *, retention_days: int = 30) -> Responder:
    """The replies made from `library`: its languages' catalogues, the flows' offers."""
    return Responder(library, load_catalogues(locales_dir, library.languages), retention_days=retention_days,
                     offers=flows.offers())


def read_responder(content_dir: Path, locales_dir: Path, *, retention_days: int = 30) -> Responder:
    """The replies of the content in `content_dir`, read now (a newly published version)."""
    return replies_for(load_library(content_dir), locales_dir, retention_days=retention_days)


@cache
def responder(content_dir: Path, locales_dir: Path, *, retention_days: int = 30) -> Responder:
    """`read_responder`, once per process for each folder."""
    return read_responder(content_dir, locales_dir, retention_days=retention_days)
