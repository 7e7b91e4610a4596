"""Rendering console pages: Jinja2 with autoescaping and gettext from locales/<lang>/console.po
(Russian and English; the caseworker's browser language picks one)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.catalogues import compiled

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("ru", "en")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def C_(message: str) -> str:
    """Mark a console string for extraction (`pybabel extract -F babel-console.cfg -k C_`);
    it is translated later, in the caseworker's language, through `Pages.gettext`."""
    return message


def load_console_translations(locales: Path) -> dict[str, NullTranslations]:
    result: dict[str, NullTranslations] = {"en": NullTranslations()}
    for language in LANGUAGES:
        po_file = locales / language / "LC_MESSAGES" / "console.po"
        if language == "en" or not po_file.exists():
            continue
        result[language] = compiled(po_file)
    return result


def console_language(request: Request) -> str:
    header = request.headers.get("accept-language", "").lower()
    for part in header.split(","):
        code = part.split(";")[0].strip().split("-")[0]
        if code in LANGUAGES:
            return code
    return "ru"


@dataclass
class Pages:
    environment: Environment
    translations: dict[str, NullTranslations]

    @classmethod
    def create(cls, locales: Path) -> Pages:
        environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                                  extensions=["jinja2.ext.i18n"])
        return cls(environment, load_console_translations(locales))

    def gettext(self, language: str, message: str) -> str:
        return self.translations.get(language, NullTranslations()).gettext(message)

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        language = console_language(request)
        translations = self.translations.get(language, NullTranslations())
        template = self.environment.get_template(name)
        html = template.render(lang=language, _=translations.gettext, **context)
        return HTMLResponse(html, status_code=status, headers=HEADERS)
