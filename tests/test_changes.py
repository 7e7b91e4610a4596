"""Dates on which quoted facts change (content/changes.yml), the claims to check before launch
(`verify:`), and the one-screen limit: what `helpline check` says about each."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from bot.content.changes import Change, load_changes
from bot.content_check import MAX_ANSWER_CHARS, check_content
from tests.conftest import ROOT


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return content


def _set(file: Path, key: str, value: str) -> None:
    text = file.read_text(encoding="utf-8")
    file.write_text(re.sub(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.MULTILINE), encoding="utf-8")


def test_the_next_change_is_the_nearest_known_date_or_yearly_day() -> None:
    mrot = Change("mrot", "MROT", ("wages_minimum",), every_year=(1, 1))
    assert mrot.next_after(dt.date(2026, 11, 28)) == dt.date(2027, 1, 1)
    assert mrot.next_after(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert mrot.next_after(dt.date(2027, 1, 1)) == dt.date(2028, 1, 1)
    rate = Change("key_rate", "key rate", (), dates=(dt.date(2026, 3, 20), dt.date(2026, 4, 24)))
    assert rate.next_after(dt.date(2026, 3, 20)) == dt.date(2026, 4, 24)
    assert rate.next_after(dt.date(2026, 5, 1)) is None


def test_review_by_after_a_known_change_is_a_warning_naming_it(tmp_path: Path) -> None:
    content = _content(tmp_path)
    topic = content / "topics" / "wages_minimum.yml"
    _set(topic, "reviewed", "2026-11-28")
    _set(topic, "review_by", "2027-02-28")
    found = [p for p in check_content(content, dt.date(2026, 12, 7))
             if p.file == topic and "review_by 2027-02-28 is after 2027-01-01" in p.what]
    assert len(found) == 1 and found[0].warning and "MROT" in found[0].what and "2027-01-01" in found[0].fix
    assert topic.read_text(encoding="utf-8").splitlines()[found[0].line - 1].startswith("review_by:")  # type: ignore[operator]
    _set(topic, "review_by", "2027-01-01")
    assert not [p for p in check_content(content, dt.date(2026, 12, 7)) if p.file == topic and "is after" in p.what]


def test_a_change_with_no_coming_date_is_reported(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (content / "changes.yml").write_text(
        "changes:\n  - id: key_rate\n    what: the key rate\n    dates: [2026-03-20]\n"
        "    topics: [wages_delay_compensation]\n",
        encoding="utf-8")
    found = [p for p in check_content(content, dt.date(2026, 12, 7)) if p.file.name == "changes.yml"]
    assert [p.what for p in found] == ["no coming date is known for the key rate"] and found[0].warning


def test_a_broken_changes_file_gets_the_line_and_a_fix(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (content / "changes.yml").write_text(
        "changes:\n  - id: mrot\n    what: MROT\n    every_year: 13-01\n    topics: [wages_minimum]\n"
        "  - what: no id\n  - id: x\n    what: y\n    dates: [soon]\n", encoding="utf-8")
    changes, problems = load_changes(content)
    assert [(p.line, p.what) for p in problems] == [
        (4, "every_year must be a month and day"), (6, "a change needs id, what and topics"),
        (9, "dates must be a list of dates")]
    assert [c.id for c in changes] == ["mrot", "x"]
    assert any(p.file.name == "changes.yml" and not p.warning for p in check_content(content))


def test_claims_to_check_before_launch_are_listed_with_their_line(tmp_path: Path) -> None:
    content = _content(tmp_path)
    topic = content / "topics" / "thanks.yml"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("\nlanguages:", "\nverify:\n- claim: A planted claim\n  why: a test\n"
                                  "- claim: no why\nlanguages:", 1), encoding="utf-8")
    found = [p for p in check_content(content) if p.file == topic]
    claim = [p for p in found if "A planted claim" in p.what]
    assert len(claim) == 1 and claim[0].warning and "(a test)" in claim[0].what
    lines = topic.read_text(encoding="utf-8").splitlines()
    assert lines[claim[0].line - 1] == "- claim: A planted claim"  # type: ignore[operator]
    assert any("needs 'claim:' and 'why:'" in p.what and not p.warning for p in found)


def test_an_answer_longer_than_one_screen_is_an_error_in_the_language_shown(tmp_path: Path) -> None:
    content = _content(tmp_path)
    topic = content / "topics" / "thanks.yml"
    text = topic.read_text(encoding="utf-8")
    long_line = "      " + "Rahmat, " * (MAX_ANSWER_CHARS // 8 + 1)
    lines = text.splitlines()
    at = lines.index("  uz:")
    at = next(i for i in range(at, len(lines)) if lines[i] == "    answer: |") + 1
    lines.insert(at, long_line)
    topic.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [p for p in check_content(content) if p.file == topic and "phone screen" in p.what]
    assert {p.what.split()[1] for p in found} == {"uz", "uz_Cyrl"}        # the Cyrillic one is made from it
    assert all(not p.warning and p.line == at for p in found)
