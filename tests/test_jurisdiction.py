"""Answers scoped to the country of work: the marking rule, the check that finds unmarked
lines, and what the bot shows before and after the user says where they work."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import dialogue
from bot import messages as m
from bot.content.jurisdiction import Citation, CountryLabel, citation_problems, countries_in, line_country, scope
from bot.content.loader import read_library
from bot.content_check import check_content
from bot.replies import Responder
from tests.builders import make_turn
from tests.conftest import ROOT

LABELS = {"RU": CountryLabel("Россия", (r"\bРФ\b", "ФЗ", r"\bМВД\b(?!\s+РК)")),
          "KZ": CountryLabel("Казахстан", (r"\bРК\b",))}
ARTICLES = (r"\bст\.\s*\d",)
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


def test_a_line_citing_one_countrys_law_must_carry_its_mark() -> None:
    text = ("За задержку — проценты (ст. 236 ТК РФ).\nКазахстан: пеня (ст. 113 ТК РК).\n"
            "• Трудовая инспекция. Россия: онлайнинспекция.рф. Казахстан: ст. 113 ТК РК.\n"
            "Россия, сроки (ст. 392 ТК РФ):\n• 1 месяц (ст. 392 ТК РФ)\n"
            "Казахстан: не так, как по ст. 236 ТК РФ.\nМВД может выслать без суда.\nМВД РК: не проверено.")
    assert citation_problems(text, LABELS, ARTICLES) == [
        Citation(0, "unmarked", "RU", "РФ"), Citation(2, "unmarked", "KZ", "РК"),
        Citation(5, "other", "RU", "РФ"), Citation(6, "unmarked", "RU", "МВД"), Citation(7, "unmarked", "KZ", "РК")]


def test_an_article_without_its_law_is_caught_in_every_clause() -> None:
    text = ("Россия: скажите о простое (ст. 157).\nПлатят за простой (ст. 157 ТК РФ; ст. 5).\n"
            "Россия: по ст. 81 ТК РФ.\nДоговор о ЕАЭС, ст. 97.")
    found = citation_problems(text, LABELS, ARTICLES, ("ЕАЭС",))
    assert [(c.index, c.kind, c.mark) for c in found] == [
        (0, "bare", "ст. 157"), (1, "unmarked", "РФ")]


def test_numbered_items_are_counted_again_after_scoping() -> None:
    text = ("Что сделать:\n1. Запишите долг.\n2. Россия: жалоба в инспекцию (ст. 356 ТК РФ).\n"
            "3. Казахстан: комиссия (ст. 159 ТК РК).\n4. Поговорите с человеком.\nЕщё:\n1. Сохраните чеки.")
    kz = scope(text, LABELS, "KZ").text.splitlines()
    assert kz == ["Что сделать:", "1. Запишите долг.", "2. Казахстан: комиссия (ст. 159 ТК РК).",
                  "3. Поговорите с человеком.", "Ещё:", "1. Сохраните чеки."]
    assert scope(text, LABELS, "RU").text.splitlines()[3] == "3. Поговорите с человеком."
    assert scope(text, LABELS, None).text == text


def test_the_bot_asks_the_country_first_with_one_tap(responder: Responder) -> None:
    asked = dialogue.answer_topic(responder, make_turn(text="не платят", intent="wages_unpaid", language="ru"))
    (reply,) = asked.replies
    assert responder.catalogues.gettext("ru", m.COUNTRY_ASK) in reply.text
    assert "ТК РФ" not in reply.text and "ТК РК" not in reply.text      # no rules before the country
    buttons = [b.payload for b in reply.buttons]
    assert buttons[:2] == ['/country{"country":"RU","topic":"wages_unpaid"}',
                           '/country{"country":"KZ","topic":"wages_unpaid"}']
    assert "/handoff_human" in buttons
    chosen = dialogue.choose_country(responder, make_turn(
        text='/country{"country":"KZ","topic":"wages_unpaid"}', language="ru",
        entities={"country": "KZ", "topic": "wages_unpaid"}))
    assert chosen.slots["country"] == "KZ"
    said, answer = chosen.replies
    assert said.text == responder.catalogues.gettext("ru", m.COUNTRY_SET_KZ)
    assert "Казахстан:" in answer.text and "Россия:" not in answer.text and "ТК РФ" not in answer.text
    assert not any(b.payload.startswith("/country") for b in answer.buttons)      # asked once
    assert "/deadline" not in [b.payload for b in answer.buttons]      # it counts TK RF Art. 392
    more = dialogue.more(responder, make_turn(text='/more{"topic":"wages_unpaid"}', language="ru",
                                              country="KZ", entities={"topic": "wages_unpaid"}))
    assert "ТК РК" in more.replies[0].text and "ТК РФ" not in more.replies[0].text


def test_an_urgent_answer_keeps_the_emergency_numbers_and_a_person_while_asking(responder: Responder) -> None:
    urgent = [t for t in responder.library.topics.values() if t.urgent
              and countries_in((t.answers["ru"].text or "") + (t.answers["ru"].more or ""),
                               responder.library.languages["ru"].countries)]
    assert urgent
    for topic in urgent:
        (reply,) = dialogue.answer_topic(responder, make_turn(text="x", intent=topic.id, language="ru")).replies
        assert "112" in reply.text and responder.catalogues.gettext("ru", m.COUNTRY_ASK) in reply.text
        assert reply.buttons[0].payload == "/handoff_human"
        assert [b.payload.split('"')[3] for b in reply.buttons[1:3]] == ["RU", "KZ"]


def test_where_nothing_is_checked_for_the_country_the_bot_says_so(responder: Responder) -> None:
    found = dialogue.answer_topic(responder, make_turn(text="x", intent="rights_complaint_how", language="tg",
                                                       country="KZ"))
    text = found.replies[0].text
    assert responder.catalogues.gettext("tg", m.NO_RULES_KZ) in text and "ФР" not in text


@pytest.mark.parametrize("language", ["ru", "uz", "uz_Cyrl", "tg", "ky", "en"])
def test_no_answer_shows_the_other_countrys_law(responder: Responder, language: str) -> None:
    """Across all content: once the country is known, no line cites the other one's law (uz_Cyrl
    through uz, line for line, since it is made from it)."""
    library = responder.library
    written = library.languages[language].base or language
    labels = library.languages[written].countries
    assert set(labels) == {"RU", "KZ"} and all(label.cites for label in labels.values())
    for topic in library.topics.values():
        answer, source = topic.answer(language), topic.answer(written)
        if answer is None or source is None or not answer.text:
            continue
        for country, other in (("RU", "KZ"), ("KZ", "RU")):
            for text, original in ((answer.text, source.text or ""), (answer.more or "", source.more or "")):
                shown = scope(text, library.languages[language].countries, country).text.splitlines()
                lines = scope(original, labels, country).text.splitlines()
                assert len(shown) == len(lines), (topic.id, country)
                for line in lines:
                    assert labels[other].cited(line) is None, (topic.id, country, line)


def test_country_payloads_fit_telegrams_64_bytes(responder: Responder) -> None:
    for topic_id in responder.library.topics:
        for button in responder.country_buttons("ru", topic_id):
            assert len(button.payload.encode()) <= 64, button.payload


PLANTED = {   # a line citing Russian law, unmarked, as an organiser might write it in each language
    "ru": "Работодатель платит за простой (ст. 157 ТК РФ).",
    "uz": "Ish beruvchi bekor turish uchun toʻlaydi (RF MK 157-modda).",
    "tg": "Корфармо барои бекорӣ пардохт мекунад (моддаи 157 КМ ФР).",
    "ky": "Иш берүүчү токтоп туруу үчүн төлөйт (РФ ЭК 157-беренеси).",
    "en": "The employer pays for downtime (TK RF Art. 157).",
}
BARE = {"ru": "(ст. 157)", "uz": "(157-modda)", "tg": "(моддаи 157)", "ky": "(157-берене)", "en": "(Art. 157)"}


def _plant(tmp_path: Path, language: str, line: str) -> tuple[Path, int]:
    """`line` added at the top of wages_unpaid's answer in `language`: (content, its line number)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    _plant_after(content, language, line)
    lines = (content / "topics" / "wages_unpaid.yml").read_text(encoding="utf-8").splitlines()
    return content, lines.index("      " + line) + 1


@pytest.mark.parametrize("language", sorted(PLANTED))
def test_check_fails_on_a_planted_unmarked_citation_in_every_language(tmp_path: Path, language: str) -> None:
    content, line = _plant(tmp_path, language, PLANTED[language])
    found = [p for p in check_content(content) if p.line == line and p.file.name == "wages_unpaid.yml"]
    name = read_library(content)[0].languages[language].countries["RU"].name  # type: ignore[union-attr]
    assert any(f"without '{name}:'" in p.what and not p.warning for p in found), [p.what for p in found]
    marked, at = _plant(tmp_path / "marked", language, f"{name}: {PLANTED[language]}")
    assert not [p for p in check_content(marked)
                if p.line == at and p.file.name == "wages_unpaid.yml" and "without" in p.what]


@pytest.mark.parametrize("language", sorted(BARE))
def test_check_fails_on_an_article_without_its_law(tmp_path: Path, language: str) -> None:
    name = read_library(ROOT / "content")[0].languages[language].countries["RU"].name  # type: ignore[union-attr]
    content, line = _plant(tmp_path, language, f"{name}: x {BARE[language]}.")
    found = [p for p in check_content(content) if p.line == line and p.file.name == "wages_unpaid.yml"]
    assert [p.warning for p in found if "without naming the law" in p.what] == [False]


def test_check_compares_each_translations_marks_with_russian(tmp_path: Path) -> None:
    content, _ = _plant(tmp_path, "en", "Russia: keep every payslip.")
    found = [p.what for p in check_content(content) if p.file.name == "wages_unpaid.yml" and not p.warning]
    assert "the en answer has" in " ".join(found) and "lines, the ru one has" in " ".join(found)
    marked, _ = _plant(tmp_path / "marked", "ru", "Казахстан: храните расчётные листки.")
    for language in ("uz", "tg", "ky", "en"):
        _plant_after(marked, language, "Keep every payslip.")
    found = [p.what for p in check_content(marked) if p.file.name == "wages_unpaid.yml" and not p.warning]
    for language in ("uz", "tg", "ky", "en"):
        assert f"line 1 of the {language} answer is for '—', the same line in ru for 'Казахстан'" in found


def _plant_after(content: Path, language: str, line: str) -> None:
    file = content / "topics" / "wages_unpaid.yml"
    lines = file.read_text(encoding="utf-8").splitlines()
    part = lines.index(f"  {language}:")
    lines.insert(next(i for i in range(part, len(lines)) if lines[i] == "    answer: |") + 1, "      " + line)
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_broken_countries_block_is_an_error_with_a_fix(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    file = content / "languages.yml"
    file.write_text(file.read_text(encoding="utf-8").replace("KZ: {name: Казахстан,", "XX: {name: Казахстан,", 1),
                    encoding="utf-8")
    _, problems = read_library(content)
    (problem,) = [p for p in problems if "unknown country" in p.what]
    assert problem.file == file and problem.line is not None and "RU or KZ" in problem.fix
