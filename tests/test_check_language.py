"""`helpline check` in Russian or English: locales/check.pot is in sync with the code, Russian
translates every text with the same placeholders, and the report on broken content speaks the
language chosen by HELPLINE_CHECK_LANGUAGE or `--language`."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from pydantic import ValidationError

from bot.cli import main
from bot.content.problems import Problem
from bot.content.wording import T_
from bot.settings import ROOT, Settings

POT = ROOT / "locales" / "check.pot"
RUSSIAN = ROOT / "locales" / "ru" / "LC_MESSAGES" / "check.po"


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def msgids(path: Path) -> set[str]:
    return {str(m.id) for m in read_catalog(path) if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def english_fragments() -> set[str]:
    """The wording of every English text between its placeholders (long enough to be words)."""
    found = set()
    for msgid in msgids(POT):
        for literal, *_ in string.Formatter().parse(msgid):
            found |= {part.strip() for part in re.split(r"['\"()]", literal) if len(part.strip()) >= 12}
    return found


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of content/ with a YAML syntax error, a missing key and an unknown topic."""
    content = tmp_path / "content"
    shutil.copytree(Settings().content_dir, content)
    unpaid = content / "topics" / "wages_unpaid.yml"
    lines = unpaid.read_text(encoding="utf-8").splitlines()
    lines[6] = "  - law: TK RF: Art. 136: broken"
    unpaid.write_text("\n".join(lines) + "\n", encoding="utf-8")
    minimum = content / "topics" / "wages_minimum.yml"
    text = minimum.read_text(encoding="utf-8")
    title = re.search(r"^(\s+)title: .*\n", text, flags=re.MULTILINE)
    assert title is not None
    minimum.write_text(text.replace(title[0], f"{title[1]}titel: {title[0].split(': ', 1)[1]}", 1),
                       encoding="utf-8")
    (content / "topics" / "wages_bonus.yml").write_text("id: wages_bonus\nlanguages: {}\n", encoding="utf-8")
    monkeypatch.setenv("HELPLINE_CONTENT_DIR", str(content))
    monkeypatch.delenv("HELPLINE_CHECK_LANGUAGE", raising=False)
    return content


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def test_check_pot_has_the_check_texts() -> None:
    """check.pot is what scripts/translations extracts (tests/test_translations.py): T_ and TN_ texts
    only, not the N_ interface strings."""
    found = msgids(POT)
    assert {"error", "warning", "how to fix", "the YAML cannot be read ({reason})",
            "content check: {errors}, {warnings}", str(("{count} error", "{count} errors"))} <= found
    assert "Talk to a person" not in found


def test_russian_translates_every_check_text_with_the_same_placeholders() -> None:
    catalog = read_catalog(RUSSIAN)
    entries = {str(m.id): m for m in catalog if m.id}
    assert set(entries) == msgids(POT)
    assert [key for key, m in entries.items() if not m.string or m.fuzzy] == []
    assert not catalog.fuzzy
    for msgid, message in entries.items():
        english = message.id[-1] if isinstance(message.id, tuple) else msgid
        for form in message.string if isinstance(message.string, tuple) else (message.string,):
            assert isinstance(form, str) and form
            assert placeholders(form) == placeholders(english), msgid
            form.format(**dict.fromkeys(placeholders(english), "x"))   # no stray single braces


def test_problem_renders_in_the_chosen_language(tmp_path: Path) -> None:
    problem = Problem(tmp_path / "content" / "topics.yml", 3, T_("the YAML cannot be read ({reason})",
                                                                 reason=T_("a tab character")),
                      T_("replace the tab character with spaces"))
    assert problem.render(tmp_path) == ("content/topics.yml:3: error: the YAML cannot be read (a tab character)\n"
                                        "    how to fix: replace the tab character with spaces")
    assert problem.render(tmp_path, "ru") == ("content/topics.yml:3: ошибка: файл YAML не читается "
                                              "(символ табуляции)\n    как исправить: замените табуляцию пробелами")
    assert problem.what == "the YAML cannot be read (a tab character)"
    with pytest.raises(ValueError, match="en, ru"):
        problem.render(tmp_path, "de")


def test_broken_content_is_reported_in_russian(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(capsys, "--language", "ru")
    assert code == 1
    assert "content/topics/wages_unpaid.yml:7: ошибка: файл YAML не читается (двоеточие внутри текста)" in out
    assert re.search(r"content/topics/wages_minimum\.yml:\d+: ошибка: в части на языке \w+ нет title", out)
    assert "content/topics/wages_bonus.yml:1: ошибка: темы «wages_bonus» нет в topics.yml" in out
    assert "как исправить: в строке внутри текста стоит двоеточие" in out
    assert re.search(r"^проверка content/: ошибок — [1-9]\d*, предупреждений — \d+$", out, flags=re.MULTILINE)
    assert out.count("как исправить: ") == out.count(": ошибка: ") + out.count(": предупреждение: ")
    ours = "\n".join(line for line in out.splitlines()       # claims under 'verify:' are the organisers' words
                      if ": проверить до запуска: " not in line)
    english = [fragment for fragment in english_fragments() if fragment in ours]
    assert english == []
    assert not any(word in ours for word in ("error", "warning", "how to fix", "cannot be read"))


def test_broken_content_is_reported_in_english(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(capsys, "--language", "en")
    assert code == 1
    assert "content/topics/wages_unpaid.yml:7: error: the YAML cannot be read (a ':' inside a text)" in out
    assert re.search(r"content/topics/wages_minimum\.yml:\d+: error: the \w+ part has no title", out)
    assert "content/topics/wages_bonus.yml:1: error: 'wages_bonus' is not a topic in topics.yml" in out
    assert "    how to fix: a line has a ':' inside the text" in out
    assert re.search(r"^content check: (1 error|[2-9]\d* errors|1\d+ errors), (1 warning|\d+ warnings)$", out,
                     flags=re.MULTILINE)
    assert not any(word in out for word in ("ошибка", "предупреждение", "как исправить", "проверка content/"))


def test_the_setting_picks_the_language_and_the_option_overrides_it(
        broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_CHECK_LANGUAGE", "ru")
    assert Settings().check_language == "ru"
    assert ": ошибка: " in run_check(capsys)[1]
    assert ": error: " in run_check(capsys, "--language", "en")[1]
    monkeypatch.delenv("HELPLINE_CHECK_LANGUAGE")
    assert Settings().check_language == "en"
    assert ": error: " in run_check(capsys)[1]


@pytest.mark.parametrize("value", ["de", "russian", ""])
def test_an_unknown_check_language_fails_at_start_up(value: str, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HELPLINE_CHECK_LANGUAGE", value)
    with pytest.raises(ValidationError, match="HELPLINE_CHECK_LANGUAGE must be en or ru"):
        Settings()
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "the settings are wrong" in err and "HELPLINE_CHECK_LANGUAGE must be en or ru" in err
    assert f"not {value!r}" in err


def test_the_option_accepts_only_en_or_ru(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--language", "de"])
    assert exit_.value.code == 2
    assert "invalid choice: 'de'" in capsys.readouterr().err
