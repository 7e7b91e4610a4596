"""content/ as organisers keep it, and `helpline check` on broken copies of it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content.loader import load_library
from bot.content_check import check_content
from bot.settings import Settings
from tests.conftest import SHARED

CONTENT = Settings().content_dir
REQUIRED_PREFIXES = ("wages_", "dismissal_", "organising_", "crisis_")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def errors(root: Path) -> list[str]:
    return [p.render(root) for p in check_content(root, dt.date(2026, 11, 28)) if not p.warning]


def test_shipped_content_has_no_errors() -> None:
    assert errors(CONTENT) == []


@pytest.mark.skipif(not (SHARED / "topics.yml").exists(), reason="no ../shared beside the repo")
def test_topic_ids_are_the_shared_contract_verbatim() -> None:
    shared = yaml.safe_load((SHARED / "topics.yml").read_text())["topics"]
    ours = yaml.safe_load((CONTENT / "topics.yml").read_text())["topics"]
    assert [t["id"] for t in ours] == [t["id"] for t in shared]
    assert sorted(p.stem for p in (CONTENT / "topics").glob("*.yml")) == sorted(
        t["id"] for t in shared)


def test_required_answers_exist_in_every_language() -> None:
    library = load_library(CONTENT)
    for topic in library.topics.values():
        langs = ["ru", "en"] + (["uz", "tg", "ky"] if topic.id.startswith(REQUIRED_PREFIXES) or
                                topic.kind == "meta" else [])
        for lang in langs:
            answer = topic.answer(lang)
            assert answer is not None and answer.text, f"{topic.id} has no {lang} answer"


def test_uzbek_cyrillic_is_derived_from_latin() -> None:
    topic = load_library(CONTENT).topics["wages_unpaid"]
    latin, cyrillic = topic.answer("uz"), topic.answer("uz_Cyrl")
    assert latin and cyrillic and cyrillic.text and latin.text
    assert "ish haqi" in latin.text.lower() and "иш ҳақи" in cyrillic.text.lower()
    assert len(cyrillic.examples) == len(latin.examples)


def test_no_invented_phone_numbers_in_answers() -> None:
    allowed = {"112", "102", "103"}
    import re
    for topic in load_library(CONTENT).topics.values():
        for answer in topic.answers.values():
            for number in re.findall(r"(?<![\d.,])\+?\d[\d\- ()]{5,}\d", answer.text or ""):
                digits = re.sub(r"\D", "", number)
                assert len(digits) < 7 or digits in allowed, (topic.id, number)


def test_broken_yaml_names_file_line_and_fix(content: Path) -> None:
    file = content / "topics" / "wages_unpaid.yml"
    lines = file.read_text().splitlines()
    lines[6] = "  - law: TK RF: Art. 136: broken"
    file.write_text("\n".join(lines) + "\n")
    (problem,) = [p for p in errors(content) if "wages_unpaid.yml" in p]
    assert "topics/wages_unpaid.yml:7: error: the YAML cannot be read" in problem
    assert "how to fix:" in problem and "quotes" in problem


def test_same_example_under_two_topics_is_an_error(content: Path) -> None:
    source = yaml.safe_load((content / "topics" / "wages_unpaid.yml").read_text())
    example = source["languages"]["ru"]["examples"][0]
    file = content / "topics" / "wages_minimum.yml"
    data = yaml.safe_load(file.read_text())
    data["languages"]["ru"]["examples"].append(example.upper())
    file.write_text(yaml.safe_dump(data, allow_unicode=True))
    found = [e for e in errors(content) if "also under" in e]
    assert any("wages_minimum.yml" in e and "wages_unpaid" in e for e in found)


def test_unknown_topic_missing_examples_and_bad_source(content: Path) -> None:
    (content / "topics" / "wages_bonus.yml").write_text("id: wages_bonus\nlanguages: {}\n")
    file = content / "topics" / "wages_minimum.yml"
    data = yaml.safe_load(file.read_text())
    data["languages"]["tg"]["examples"] = data["languages"]["tg"]["examples"][:3]
    data["sources"][0]["jurisdiction"] = "Moscow"
    file.write_text(yaml.safe_dump(data, allow_unicode=True))
    found = "\n".join(errors(content))
    assert "'wages_bonus' is not a topic in topics.yml" in found
    assert "tg has 3 example questions; at least 30 are needed" in found
    assert "jurisdiction 'Moscow' is not known" in found


def test_passed_review_date_is_a_warning(content: Path) -> None:
    problems = check_content(content, dt.date(2030, 1, 1))
    assert any(p.warning and "review date" in p.what for p in problems)
    assert not [p for p in problems if not p.warning]


def test_check_command_exit_codes(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    monkeypatch.setenv("HELPLINE_CONTENT_DIR", str(content))
    assert main(["check"]) == 0
    (content / "topics" / "greet.yml").write_text("id: greet\nlanguages: [\n")
    assert main(["check"]) == 1
