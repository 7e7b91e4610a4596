"""Translators' tools: scripts/translations extracts the .pot files (the one place their pybabel
commands live), every catalogue compiles with the real `pybabel compile` and has a header Poedit
and Weblate accept (no fuzzy flag, no placeholders, Babel's Plural-Forms for its language), every
plural entry has all its forms, and texts with a count take the right form."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot import messages as m
from bot.content.wording import T_, TN_
from bot.devtools import translations
from bot.flows import deadline
from bot.replies import Responder
from bot.settings import ROOT

LOCALES = ROOT / "locales"
SCRIPT = ROOT / "scripts" / "translations"
DOMAINS = ("messages", "console", "check")
CATALOGUES = sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))
OLD_HEADER = """\
# Russian translations for PROJECT.
# Copyright (C) 2026 ORGANIZATION
# FIRST AUTHOR <EMAIL@ADDRESS>, 2026.
#
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: PROJECT VERSION\\n"
"Report-Msgid-Bugs-To: EMAIL@ADDRESS\\n"
"POT-Creation-Date: 2026-11-28 22:35+0000\\n"
"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\\n"
"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"
"Language: ru\\n"
"Language-Team: ru <LL@li.org>\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

# draft: not yet checked by a native speaker
#, python-brace-format
msgid "Only {days} days are left."
msgstr "Осталось всего {days} дн."
"""


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def run_script(*args: str, locales: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HELPLINE_LOCALES_DIR": str(locales)} if locales else None
    return subprocess.run([str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def name(path: Path) -> str:
    return str(path.relative_to(LOCALES))


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_pot_files_are_what_the_script_extracts(domain: str, tmp_path: Path) -> None:
    done = run_script("extract", domain, locales=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / f"{domain}.pot").read_text(encoding="utf-8") == \
        (LOCALES / f"{domain}.pot").read_text(encoding="utf-8"), f"run scripts/translations update {domain}"


@pytest.mark.parametrize("po_file", CATALOGUES, ids=name)
def test_every_catalogue_compiles_with_pybabel(po_file: Path, tmp_path: Path) -> None:
    copy, mo_file = tmp_path / po_file.name, tmp_path / "out.mo"
    shutil.copy(po_file, copy)
    done = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "--statistics",
                           "-i", str(copy), "-o", str(mo_file)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stderr
    assert mo_file.stat().st_size > 0                          # a fuzzy catalogue would be skipped


@pytest.mark.parametrize("po_file", CATALOGUES, ids=name)
def test_every_catalogue_has_a_clean_header(po_file: Path) -> None:
    catalog = read_catalog(po_file)
    assert list(translations.header_problems(po_file, catalog)) == []
    assert not catalog.fuzzy and catalog.project == "migrant-helpline"
    assert str(catalog.locale) == po_file.parent.parent.name
    assert catalog.plural_forms == Catalog(locale=po_file.parent.parent.name).plural_forms


@pytest.mark.parametrize("po_file", CATALOGUES, ids=name)
def test_every_plural_entry_has_all_its_forms(po_file: Path) -> None:
    catalog = read_catalog(po_file)
    plurals = [message for message in catalog if isinstance(message.id, tuple)]
    for message in plurals:
        assert isinstance(message.string, tuple) and len(message.string) == catalog.num_plurals, message.id
        assert all(message.string), message.id
    assert [problem for message in catalog if message.id
            for problem in translations.message_problems(message, catalog.num_plurals)] == []


def test_the_plural_forms_are_babels() -> None:
    assert translations.plural_forms("ru").startswith("nplurals=3;")
    assert {translations.plural_forms(code) for code in ("uz", "tg", "ky", "en")} == {"nplurals=2; plural=(n != 1);"}


def test_check_passes_on_the_catalogues() -> None:
    done = run_script("check")
    assert done.returncode == 0, done.stderr
    assert "translations ok" in done.stdout


NEAR = "Осталось всего {days} дня. Не ждите: подайте иск или поговорите с человеком сейчас."


@pytest.mark.parametrize(("good", "broken", "said"), [
    (NEAR, NEAR.replace("{days}", "{days"), "is not a valid format string"),       # a brace without its pair
    (NEAR, NEAR.replace("{days}", "{day}"), "the translation has ['day'], the English ['days']"),
    (f'msgstr[1] "{NEAR}"', 'msgstr[1] ""', "a plural form is empty"),
    (f'msgstr[1] "{NEAR}"\n', "", "a plural form is empty"),                       # pybabel compile lets it by
    ('msgstr[2] "Осталось всего {days} дней.', 'msgstr[3] "Осталось всего {days} дней.', "the file cannot be read"),
])
def test_check_fails_on_a_broken_catalogue(good: str, broken: str, said: str, tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    po_file = locales / "ru" / "LC_MESSAGES" / "messages.po"
    text = po_file.read_text(encoding="utf-8")
    assert text.count(good) == 1
    po_file.write_text(text.replace(good, broken), encoding="utf-8")
    done = run_script("check", "messages", locales=locales)
    assert done.returncode == 1
    assert "ru/LC_MESSAGES/messages.po" in done.stderr and said in done.stderr, done.stderr


def test_check_fails_on_a_stale_pot(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    (locales / "check.pot").write_text('msgid "gone"\nmsgstr ""\n', encoding="utf-8")
    done = run_script("check", "check", locales=locales)
    assert done.returncode == 1 and "check.pot is stale: run scripts/translations update check" in done.stderr


def test_update_tidies_the_header_and_does_not_guess(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    po_file = locales / "ru" / "LC_MESSAGES" / "messages.po"
    text = po_file.read_text(encoding="utf-8")
    old = text.replace('msgid ""\nmsgstr ""\n"Project-Id-Version: migrant-helpline 0.1.0\\n"',
                       '#, fuzzy\nmsgid ""\nmsgstr ""\n"Project-Id-Version: PROJECT VERSION\\n"', 1)
    old = old.replace('msgid "Menu"\n', 'msgid "Menu!"\n', 1)     # as if the code had changed "Menu!" to "Menu"
    assert old.count("PROJECT VERSION") == 1 and old.count('"Menu!"') == 1
    po_file.write_text(old, encoding="utf-8")
    done = run_script("update", "messages", locales=locales)
    assert done.returncode == 0, done.stderr
    catalog = read_catalog(po_file)
    assert not catalog.fuzzy and catalog.project == "migrant-helpline"
    menu = catalog.get("Menu")
    assert menu is not None and menu.string == "" and not menu.fuzzy          # empty, not a fuzzy guess
    assert catalog.get("Menu!") is None                                         # no obsolete entry kept
    assert po_file.read_text(encoding="utf-8") == text.replace('msgstr "Меню"\n', 'msgstr ""\n', 1)
    for other in ("uz", "tg", "ky", "en"):                                      # nothing else changes
        path = Path(other) / "LC_MESSAGES" / "messages.po"
        assert (locales / path).read_bytes() == (LOCALES / path).read_bytes(), other
    assert (locales / "messages.pot").read_bytes() == (LOCALES / "messages.pot").read_bytes()


def test_tidy_gives_a_real_header_and_keeps_the_translations(tmp_path: Path) -> None:
    po_file = tmp_path / "ru" / "LC_MESSAGES" / "messages.po"
    po_file.parent.mkdir(parents=True)
    po_file.write_text(OLD_HEADER, encoding="utf-8")
    assert len(list(translations.header_problems(po_file, read_catalog(po_file)))) >= 5
    assert translations.tidy(po_file, today=dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC))
    text = po_file.read_text(encoding="utf-8")
    assert list(translations.header_problems(po_file, read_catalog(po_file))) == []
    assert "#, fuzzy" not in text and '"Project-Id-Version: migrant-helpline ' in text
    assert '"PO-Revision-Date: 2026-12-07 12:00+0000\\n"' in text
    assert "# draft: not yet checked by a native speaker\n" in text
    assert 'msgstr "Осталось всего {days} дн."' in text
    assert not translations.tidy(po_file)                      # a second run changes nothing


@pytest.mark.parametrize(("days", "said"), [
    (1, "Остался всего 1 день."), (2, "Осталось всего 2 дня."), (5, "Осталось всего 5 дней."),
    (11, "Осталось всего 11 дней."), (21, "Остался всего 21 день."), (22, "Осталось всего 22 дня."),
])
def test_a_count_takes_its_russian_form(responder: Responder, days: int, said: str) -> None:
    assert responder.plural("ru", m.DEADLINE_NEAR, days).format(days=days).startswith(said)


def test_a_count_takes_its_english_form(responder: Responder) -> None:
    assert responder.plural("en", m.CALC_TOTAL, 1).format(total="RUB1", days=1) == "Total: RUB1 for 1 day of delay."
    assert responder.plural("en", m.CALC_TOTAL, 3).format(total="RUB1", days=3) == "Total: RUB1 for 3 days of delay."
    assert responder.plural("uz", m.DEADLINE_NEAR, 1).format(days=1) == \
        responder.plural("uz", m.DEADLINE_NEAR, 7).format(days=1)    # Uzbek counts without a plural


@pytest.mark.parametrize("message", [m.DEADLINE_NEAR, m.DEADLINE_PASSED, m.CALC_TOTAL, m.DEADLINE_TERM_MONTHS])
@pytest.mark.parametrize("days", [1, 5])
def test_uzbek_cyrillic_counts_are_transliterated(responder: Responder, message: m.Plural, days: int) -> None:
    shown = responder.plural("uz_Cyrl", message, days).format(days=days, count=days, total="1 ₽")
    assert shown != responder.plural("uz", message, days).format(days=days, count=days, total="1 ₽")
    assert not any("a" <= ch <= "z" for ch in shown.lower()), shown


@pytest.mark.parametrize(("language", "terms"), [
    ("ru", {"dismissal": "1 месяц", "wages": "1 год", "general": "3 месяца"}),
    ("en", {"dismissal": "1 month", "wages": "1 year", "general": "3 months"}),
    ("ky", {"dismissal": "1 ай", "wages": "1 жыл", "general": "3 ай"}),
])
def test_the_court_terms_are_counted(responder: Responder, language: str, terms: dict[str, str]) -> None:
    assert {kind: deadline.term(responder, language, kind) for kind in terms} == terms  # type: ignore[arg-type]


def test_the_check_summary_counts() -> None:
    def summary(errors: int, warnings: int, language: str) -> str:
        return T_("content check: {errors}, {warnings}", errors=TN_("{count} error", "{count} errors", errors),
                  warnings=TN_("{count} warning", "{count} warnings", warnings)).translated(language)

    assert summary(1, 0, "en") == "content check: 1 error, 0 warnings"
    assert summary(2, 1, "en") == "content check: 2 errors, 1 warning"
    assert summary(1, 5, "ru") == "проверка content/: ошибок — 1, предупреждений — 5"
