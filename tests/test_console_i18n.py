"""The caseworkers' console in Russian and English: locales/console.pot is in sync with the
console's code and templates, Russian is complete, and the browser's language picks one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from starlette.requests import Request

from bot.console.pages import Pages
from bot.settings import ROOT

LOCALES = ROOT / "locales"
POT = LOCALES / "console.pot"
RUSSIAN = LOCALES / "ru" / "LC_MESSAGES" / "console.po"


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def msgids(path: Path) -> set[str]:
    return {str(m.id) for m in read_catalog(path) if m.id}


def make_request(*, accept_language: str) -> Request:
    headers = [(b"accept-language", accept_language.encode())]
    return Request({"type": "http", "method": "GET", "path": "/console/login", "query_string": b"",
                    "headers": headers})


def test_console_pot_is_in_sync_with_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "console.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel-console.cfg",
                    "-k", "C_", "--no-location", "--omit-header", "--sort-output", "-o", str(fresh), "."],
                   cwd=ROOT, check=True, capture_output=True)
    found = msgids(fresh)
    assert {"Claim", "Reply to the user", "Wrong e-mail or password.", "With a caseworker"} <= found
    assert found == msgids(POT)


def test_russian_translates_every_console_string() -> None:
    catalog = read_catalog(RUSSIAN)
    entries = {str(m.id): m for m in catalog if m.id}
    assert set(entries) == msgids(POT)
    assert [key for key, m in entries.items() if not m.string or m.fuzzy] == []
    assert not catalog.fuzzy


@pytest.mark.parametrize(("accept_language", "lang", "shown", "hidden"), [
    ("ru", "ru", ["Войти", "Пароль", "Консоль горячей линии"], ["Log in", "Password"]),
    ("ru-RU,ru;q=0.9,en;q=0.8", "ru", ["Войти"], ["Log in"]),
    ("en", "en", ["Log in", "Password", "Helpline console"], ["Войти", "Пароль"]),
    ("en-US,en;q=0.9", "en", ["Log in"], ["Войти"]),
    ("de", "ru", ["Войти"], ["Log in"]),                      # neither: Russian by default
])
def test_login_page_speaks_the_browser_language(accept_language: str, lang: str, shown: list[str],
                                                hidden: list[str]) -> None:
    pages = Pages.create(LOCALES)
    response = pages.render(make_request(accept_language=accept_language), "login.html", csrf="t", account=None)
    html = bytes(response.body).decode()
    assert f'<html lang="{lang}">' in html
    assert all(text in html for text in shown), shown
    assert not any(text in html for text in hidden), hidden


def test_error_messages_are_translated() -> None:
    pages = Pages.create(LOCALES)
    assert pages.gettext("ru", "Wrong e-mail or password.") == "Неверный адрес эл. почты или пароль."
    assert pages.gettext("en", "Wrong e-mail or password.") == "Wrong e-mail or password."
