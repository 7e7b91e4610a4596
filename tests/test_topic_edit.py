"""Editing one language's part, or a topic's own lines, of a topic file as the console does
(bot/studio/topic_edit.py): every other line stays as it was, and the result reads back as the
content loader reads it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.content.loader import read_library
from bot.settings import Settings
from bot.studio.topic_edit import EditError, Review, field_at, field_lines, with_language, with_topic_fields

SMALL = """# a comment that must stay
id: x
review_by: 2027-01-01
languages:
  ru:
    status: draft
    title: Заголовок
    answer: |
      строка один
      строка два
    examples:
    - первый
    - второй
  # the Tajik part below
  tg:
    title: Сарлавҳа
    answer: як
"""


def shipped(topic: str) -> str:
    return (Settings().content_dir / "topics" / f"{topic}.yml").read_text(encoding="utf-8")


def test_one_language_changes_and_every_other_line_stays() -> None:
    after = with_language(SMALL, "ru", {"title": "Новый  заголовок ", "answer": "один  \r\nдва\n\n",
                                        "examples": [" a ", "b", "a", ""]}, None)
    assert after.splitlines()[:4] == SMALL.splitlines()[:4]
    assert after.split("  # the Tajik part below", 1)[1] == SMALL.split("  # the Tajik part below", 1)[1]
    part = yaml.safe_load(after)["languages"]["ru"]
    assert part == {"status": "draft", "title": "Новый заголовок", "answer": "один\nдва\n", "examples": ["a", "b"]}


def test_an_approval_writes_who_and_when_and_an_edit_takes_them_away() -> None:
    approved = with_language(SMALL, "tg", {}, Review("reviewer@union.example", dt.date(2026, 12, 8)))
    part = yaml.safe_load(approved)["languages"]["tg"]
    assert part == {"status": "reviewed", "reviewed_by": "reviewer@union.example",
                    "reviewed_on": dt.date(2026, 12, 8), "title": "Сарлавҳа", "answer": "як"}
    edited = yaml.safe_load(with_language(approved, "tg", {"answer": "ду"}, None))["languages"]["tg"]
    assert edited == {"status": "draft", "title": "Сарлавҳа", "answer": "ду"}


def test_a_missing_language_is_added_at_the_end_and_an_empty_field_goes() -> None:
    after = with_language(SMALL, "ky", {"title": "Аталыш", "answer": "бир", "more": ""}, None)
    assert after.startswith(SMALL.rstrip("\n"))
    assert yaml.safe_load(after)["languages"]["ky"] == {"status": "draft", "title": "Аталыш", "answer": "бир"}
    removed = with_language(SMALL, "ru", {"examples": []}, None)
    assert yaml.safe_load(removed)["languages"]["ru"]["examples"] == []


def test_topic_lines_are_replaced_in_place() -> None:
    after = with_topic_fields(SMALL, {"review_by": dt.date(2027, 3, 1),
                                      "sources": [{"law": "TK RF Art. 136", "jurisdiction": "RU"}]})
    data = yaml.safe_load(after)
    assert data["review_by"] == dt.date(2027, 3, 1) and data["sources"][0]["law"] == "TK RF Art. 136"
    assert after.index("sources:") < after.index("languages:")
    assert with_topic_fields(after, {"sources": None}).count("sources") == 0
    with pytest.raises(EditError):
        with_topic_fields(SMALL, {"id": "y"})


def test_unreadable_files_are_refused_plainly() -> None:
    with pytest.raises(EditError, match="does not parse"):
        with_language("a: [", "ru", {"title": "x"}, None)
    with pytest.raises(EditError, match="languages"):
        with_language("id: x\n", "ru", {"title": "x"}, None)


def test_lines_name_the_field_a_problem_is_on() -> None:
    spans = field_lines(SMALL, "ru")
    assert field_at(spans, 7) == "title"
    assert field_at(spans, 9) == "answer" and field_at(spans, 10) == "answer"
    assert field_at(spans, 13) == "examples"
    assert field_at(spans, 3) == "review_by"
    assert field_at(spans, 1) is None and field_at(spans, None) is None


@pytest.mark.parametrize("topic", ["wages_unpaid", "documents_confiscated", "greet"])
def test_shipped_topics_edited_read_back_with_only_that_part_changed(tmp_path: Path, topic: str) -> None:
    text = shipped(topic)
    after = with_language(text, "tg", {"title": "Нав", "answer": "Матни нав\nсатри дуюм"},
                          Review("r@union.example", dt.date(2026, 12, 8)))
    before, now = yaml.safe_load(text), yaml.safe_load(after)
    assert {k: v for k, v in now.items() if k != "languages"} == {k: v for k, v in before.items()
                                                                   if k != "languages"}
    assert {k: v for k, v in now["languages"].items() if k != "tg"} == \
        {k: v for k, v in before["languages"].items() if k != "tg"}
    content = tmp_path / "content"
    import shutil
    shutil.copytree(Settings().content_dir, content)
    (content / "topics" / f"{topic}.yml").write_text(after, encoding="utf-8")
    library, problems = read_library(content)
    assert library is not None and not [p for p in problems if not p.warning]
    answer = library.topics[topic].answer("tg")
    assert answer is not None and answer.text == "Матни нав\nсатри дуюм"
    assert (answer.status, answer.reviewed_by, answer.reviewed_on) == ("reviewed", "r@union.example",
                                                                       dt.date(2026, 12, 8))
