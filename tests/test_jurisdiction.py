"""Answers scoped to the country of work: the marking rule, the check that finds unmarked
lines, and what the bot shows before and after the user says where they work."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import dialogue
from bot import messages as m
from bot.content.check import check_content
from bot.content.jurisdiction import CountryLabel, countries_in, line_country, scope, unmarked_citations
from bot.content.loader import read_library
from bot.replies import Responder
from tests.builders import make_turn
from tests.conftest import ROOT

LABELS = {"RU": CountryLabel("Россия", ("ТК РФ", "ФЗ")), "KZ": CountryLabel("Казахстан", ("ТК РК",))}
TEXT = """Россия: платят дважды в месяц (ст. 136 ТК РФ).
Казахстан: раз в месяц (ст. 113 ТК РК).
Что сделать:
• Запишите долг.
• Россия: жалоба на онлайнинспекция.рф.
Россия, сроки для суда (ст. 392 ТК РФ):
• увольнение — 1 месяц;
• зарплата — 1 год.
Казахстан (не проверено): сначала согласительная комиссия.
Россия и Казахстан ратифицировали конвенции МОТ.
Нажмите «Поговорить с человеком»."""


def test_a_line_is_for_the_country_it_starts_with() -> None:
    assert line_country("Россия: x", LABELS) == "RU"
    assert line_country("• Казахстан: x", LABELS) == "KZ"
    assert line_country("Россия, по нашим данным: x", LABELS) == "RU"
    assert line_country("Казахстан (не проверено): x", LABELS) == "KZ"
    assert line_country("Россия и Казахстан ратифицировали", LABELS) is None
    assert line_country("Граждане России: x", LABELS) is None
    assert countries_in(TEXT, LABELS) == {"RU", "KZ"}


def test_each_country_sees_its_lines_and_the_common_ones() -> None:
    kz = scope(TEXT, LABELS, "KZ")
    assert kz.text.splitlines() == [
        "Казахстан: раз в месяц (ст. 113 ТК РК).", "Что сделать:", "• Запишите долг.",
        "Казахстан (не проверено): сначала согласительная комиссия.",
        "Россия и Казахстан ратифицировали конвенции МОТ.", "Нажмите «Поговорить с человеком»."]
    assert kz.other_dropped and kz.own_found
    ru = scope(TEXT, LABELS, "RU").text
    assert "Казахстан:" not in ru and "Казахстан (не" not in ru
    assert "• увольнение — 1 месяц;" in ru and "• Россия: жалоба на онлайнинспекция.рф." in ru
    assert scope(TEXT, LABELS, None).text == TEXT                    # not said yet: everything


def test_a_heading_goes_when_all_its_bullets_go() -> None:
    text = "Что сделать:\n• Россия: жалоба в инспекцию.\nНажмите кнопку."
    assert scope(text, LABELS, "KZ").text == "Нажмите кнопку."
    only_ru = scope("Россия: правило (ст. 1 ТК РФ).\nНажмите кнопку.", LABELS, "KZ")
    assert not only_ru.own_found and only_ru.other_dropped


def test_unmarked_citations_are_found_and_mixed_lines_left_alone() -> None:
    text = ("За задержку — проценты (ст. 236 ТК РФ).\nКазахстан: пеня (ст. 113 ТК РК).\n"
            "• Трудовая инспекция. Россия: онлайнинспекция.рф. Казахстан: областное управление.\n"
            "Сравните ст. 136 ТК РФ и ст. 113 ТК РК.\nРоссия, сроки (ст. 392 ТК РФ):\n• 1 месяц (ст. 392 ТК РФ)")
    assert unmarked_citations(text, LABELS) == [(0, "RU", "ТК РФ")]


def test_the_bot_asks_once_and_then_answers_for_that_country(responder: Responder) -> None:
    both = dialogue.answer_topic(responder, make_turn(text="не платят", intent="wages_unpaid", language="ru"))
    reply = both.replies[0]
    assert "Россия:" in reply.text and "Казахстан:" in reply.text
    assert responder.catalogues.gettext("ru", m.COUNTRY_ASK) in reply.text
    buttons = [b.payload for b in reply.buttons]
    assert '/country{"country":"KZ","topic":"wages_unpaid"}' in buttons
    chosen = dialogue.choose_country(responder, make_turn(
        text='/country{"country":"KZ","topic":"wages_unpaid"}', language="ru",
        entities={"country": "KZ", "topic": "wages_unpaid"}))
    assert chosen.slots["country"] == "KZ"
    said, answer = chosen.replies
    assert said.text == responder.catalogues.gettext("ru", m.COUNTRY_SET_KZ)
    assert "Казахстан:" in answer.text and "Россия:" not in answer.text and "ТК РФ" not in answer.text
    assert not any(b.payload.startswith("/country") for b in answer.buttons)      # asked once
    more = dialogue.more(responder, make_turn(text='/more{"topic":"wages_unpaid"}', language="ru",
                                              country="KZ", entities={"topic": "wages_unpaid"}))
    assert "ТК РК" in more.replies[0].text and "ТК РФ" not in more.replies[0].text


def test_where_nothing_is_checked_for_the_country_the_bot_says_so(responder: Responder) -> None:
    found = dialogue.answer_topic(responder, make_turn(text="x", intent="rights_complaint_how", language="tg",
                                                       country="KZ"))
    text = found.replies[0].text
    assert responder.catalogues.gettext("tg", m.NO_RULES_KZ) in text and "ФР" not in text


@pytest.mark.parametrize("language", ["ru", "uz", "uz_Cyrl", "tg", "ky", "en"])
def test_no_answer_shows_the_other_countrys_law(responder: Responder, language: str) -> None:
    """Across all content: once the country is known, no line cites only the other one's law."""
    labels = responder.library.languages[language].countries
    assert set(labels) == {"RU", "KZ"}
    for topic in responder.library.topics.values():
        answer = topic.answer(language)
        if answer is None or not answer.text:
            continue
        for country, other in (("RU", "KZ"), ("KZ", "RU")):
            for text in (answer.text, answer.more or ""):
                for line in scope(text, labels, country).text.splitlines():
                    cites_other = [c for c in labels[other].cites if c in line]
                    cites_own = [c for c in labels[country].cites if c in line]
                    assert not cites_other or cites_own or labels[country].name in line, (topic.id, line)


def test_country_payloads_fit_telegrams_64_bytes(responder: Responder) -> None:
    for topic_id in responder.library.topics:
        for button in responder.country_buttons("ru", topic_id):
            assert len(button.payload.encode()) <= 64, button.payload


def test_check_reports_an_unmarked_line_with_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    file = content / "topics" / "wages_unpaid.yml"
    text = file.read_text(encoding="utf-8")
    marked = "      Россия: если зарплату задержали больше чем на 15 дней"
    assert marked in text
    file.write_text(text.replace(marked, "      Если зарплату задержали больше чем на 15 дней", 1), encoding="utf-8")
    problems = [p for p in check_content(content) if "without 'Россия:'" in p.what]
    assert len(problems) == 1 and problems[0].file == file
    assert problems[0].line is not None
    assert file.read_text(encoding="utf-8").splitlines()[problems[0].line - 1].startswith(
        "      Если зарплату задержали")


def test_a_broken_countries_block_is_an_error_with_a_fix(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    file = content / "languages.yml"
    file.write_text(file.read_text(encoding="utf-8").replace("KZ: {name: Казахстан,", "XX: {name: Казахстан,", 1),
                    encoding="utf-8")
    _, problems = read_library(content)
    (problem,) = [p for p in problems if "unknown country" in p.what]
    assert problem.file == file and problem.line is not None and "RU or KZ" in problem.fix
