"""Every answer exactly as a worker sees it, kept under tests/golden/: one file per topic and
language, with what a worker in Russia, in Kazakhstan and one who has not said yet is shown
(after scoping, transliteration, the draft note and the buttons). A content change shows up in
review as a readable diff of these files. After changing content on purpose:

    uv run pytest tests/test_golden.py --update-golden

and read the diff before committing it. Also here: every number, date and article number is
the same in every language for the same country."""

from __future__ import annotations

import difflib
import re
from collections import Counter

import pytest

from bot.content.jurisdiction import scope
from bot.replies import Reply, Responder
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
COUNTRIES = (("RU", "Russia"), ("KZ", "Kazakhstan"), (None, "not said"))
WRITTEN = ("ru", "uz", "tg", "ky", "en")


def shown(responder: Responder, topic_id: str, language: str) -> str:
    """The worker's view of one topic in one language, for each country."""
    parts = []
    for country, name in COUNTRIES:
        parts.append(f"=== {name}: the answer")
        parts += [_reply(r) for r in responder.topic_answer(language, topic_id, country)]
        topic = responder.library.topics[topic_id]
        answer = topic.answer(language)
        if country and answer is not None and answer.more:
            parts.append(f"=== {name}: more")
            parts += [_reply(r) for r in responder.more(language, topic_id, country)]
    return "\n\n".join(parts) + "\n"


def _reply(reply: Reply) -> str:
    buttons = " ".join(f"[{b.title}]" for b in reply.buttons)
    return reply.text + (f"\n{buttons}" if buttons else "")


def _cases() -> list[tuple[str, str]]:
    from bot.content_cache import responder as load
    from bot.settings import Settings

    settings = Settings()
    library = load(settings.content_dir, settings.locales_dir).library
    return [(t, code) for t in sorted(library.topics) for code in library.languages]


CASES = _cases()


@pytest.mark.parametrize(("topic_id", "language"), CASES)
def test_what_a_worker_sees_matches_the_golden_file(
        responder: Responder, topic_id: str, language: str, request: pytest.FixtureRequest) -> None:
    file = GOLDEN / topic_id / f"{language}.txt"
    now = shown(responder, topic_id, language)
    if request.config.getoption("--update-golden"):
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(now, encoding="utf-8")
        return
    assert file.exists(), f"no golden file {file.relative_to(ROOT)}: run pytest tests/test_golden.py --update-golden"
    before = file.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(before.splitlines(True), now.splitlines(True), "golden", "content"))
    assert before == now, f"{file.relative_to(ROOT)} differs from what workers now see:\n{diff}"


def test_no_golden_file_is_left_for_a_topic_or_language_that_is_gone() -> None:
    expected = {GOLDEN / t / f"{code}.txt" for t, code in CASES}
    assert set(GOLDEN.glob("*/*.txt")) == expected


_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f,]\d{3}(?!\d))*(?:[.,:/–-]\d+)*")


def numbers(text: str) -> Counter[str]:
    """Every number as written, with thousands separators (a space, or a comma before three
    digits as in English "30,000") and decimal commas made one form."""
    found: Counter[str] = Counter()
    for match in _NUMBER.finditer(text):
        value = re.sub(r"[ \u00a0\u202f]|,(?=\d{3}(?!\d))", "", match.group(0)).replace(",", ".").replace("–", "-")
        found[value] += 1
    return found


@pytest.mark.parametrize("topic_id", sorted({t for t, _ in CASES}))
@pytest.mark.parametrize("country", ["RU", "KZ"])
def test_numbers_dates_and_articles_are_the_same_in_every_language(
        responder: Responder, topic_id: str, country: str) -> None:
    """For one country, each language shows the same numbers (amounts, dates, articles, days)."""
    topic = responder.library.topics[topic_id]
    seen = {}
    for language in WRITTEN:
        answer = topic.answer(language)
        if answer is None or not answer.text:
            continue
        labels = responder.library.languages[language].countries
        text = "\n".join(scope(part, labels, country).text for part in (answer.text, answer.more or ""))
        seen[language] = numbers(text)
    original = seen.get("ru", Counter())
    for language, found in seen.items():
        missing, extra = original - found, found - original
        assert not missing and not extra, (
            f"{topic_id} for {country}: {language} lacks {sorted(missing.elements())} "
            f"and adds {sorted(extra.elements())} against ru")


def test_numbers_are_read_as_people_write_them() -> None:
    assert numbers("50 000 руб. с 16.02.2026, 15,5% (ст. 127.1 ТК РФ), 1/150, 303–309") == Counter(
        ["50000", "16.02.2026", "15.5", "127.1", "1/150", "303-309"])
    assert numbers("2 ва 3") == Counter(["2", "3"])
    assert numbers("30,000 RUB; 30 000 руб.; ст. 392, 393") == Counter(["30000", "30000", "392", "393"])
