"""Letters: the shipped templates, rendering with skipped answers, the PDF as a reader sees it."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps

from bot.content.problems import ContentError, Problem
from bot.letters.model import LetterFacts, LetterTemplate, RenderedLetter
from bot.letters.pdf import make_pdf
from bot.letters.templates import format_amount, load_templates, read_templates, render
from bot.settings import Settings

CONTENT = Settings().content_dir
ARTEFACTS = Path(__file__).parent / "artefacts"
TODAY = dt.date(2026, 4, 20)
KINDS = ("employer_claim", "inspectorate_complaint")
LANGUAGES = ("ru", "uz", "tg", "ky", "en")
EMPLOYER = "ООО «Стройка-Юг»"
STORY = "Прораб не платит с марта. Tajik: ҷ; Kyrgyz: ң; Uzbek: oʻ."
ARTICLES = {"employer_claim": ("136", "236", "142"), "inspectorate_complaint": ("136", "236", "358")}
# A letter of each copy's own alphabet, found outside the worker's story.
OWN_LETTERS = {"ru": "ы", "uz": "oʻ", "tg": "ҷ", "ky": "ң", "en": "the"}


def make_facts(*, kind: str = "employer_claim", **overrides: Any) -> LetterFacts:
    values: dict[str, Any] = {
        "employer": EMPLOYER, "address": "Москва, ул. Строителей, 5", "job": "каменщик",
        "start_date": dt.date(2025, 9, 1), "amount_owed": Decimal("50000"),
        "period": "март–апрель 2026", "what_happened": STORY, "city": "Москва"}
    return LetterFacts(kind=kind, **{**values, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def templates() -> dict[str, LetterTemplate]:
    return {kind: template for (kind, country), template in load_templates(CONTENT).items() if country == "RU"}


def flat(text: str) -> str:
    """Whitespace as a reader sees it: justified lines and line breaks become single spaces."""
    return " ".join(text.split())


def page_texts(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def split_parts(pages: list[str], letter: RenderedLetter) -> tuple[str, str, int]:
    """The Russian document's text, the copy's text, and the index of the copy's first page."""
    first = next(i for i, text in enumerate(pages) if flat(letter.copy_title) in text)
    return " ".join(pages[:first]), " ".join(pages[first:]), first


def has_article(text: str, number: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text) is not None


def save_png(data: bytes, page: int, name: str) -> Image.Image:
    ARTEFACTS.mkdir(exist_ok=True)
    document = pdfium.PdfDocument(data)
    try:
        image = document[page].render(scale=1.5).to_pil()
    finally:
        document.close()
    image.save(ARTEFACTS / name)
    return image


def assert_not_blank(image: Image.Image) -> None:
    gray = image.convert("L")
    dark = sum(gray.histogram()[:128])
    assert dark > gray.width * gray.height * 0.005, "the page is (almost) blank"
    box = ImageOps.invert(gray).getbbox()
    assert box is not None and box[3] - box[1] > gray.height / 3, "the text covers too little of the page"


def test_shipped_templates_have_no_problems() -> None:
    templates, problems = read_templates(CONTENT)
    assert [p.render(CONTENT) for p in problems] == []
    assert sorted(templates) == sorted([*((kind, "RU") for kind in KINDS), ("employer_claim", "KZ")])
    for template in templates.values():
        assert {"ru", "uz", "tg", "ky", "en", "uz_Cyrl"} <= template.copies.keys()
        assert all(copy.status == "draft" for copy in template.copies.values())


@pytest.mark.parametrize("language", ["ru", "uz", "uz_Cyrl", "tg", "ky", "en"])
def test_the_kazakhstan_claim_cites_kazakh_law_and_tenge(language: str) -> None:
    template = load_templates(CONTENT)[("employer_claim", "KZ")]
    facts = LetterFacts(kind="employer_claim", country="KZ", employer="ТОО Пример",
                        amount_owed=Decimal("250000"), period="октябрь 2026", start_date=dt.date(2026, 3, 1))
    letter = render(template, facts, language)
    document = "\n".join(p.text for p in letter.paragraphs_ru).replace("\xa0", " ")
    assert "ТОО Пример" in document and "250 000,00 тенге" in document and "113" in document
    assert "Республики Казахстан" in document
    for russian_only in ("ТК РФ", "Российской Федерации", "руб", "1/150", "ключевой ставки"):
        assert russian_only not in document
    copy = "\n".join(p.text for p in letter.paragraphs_copy).replace("\xa0", " ")
    assert "250 000,00" in copy and "руб" not in copy.lower() and "rubl" not in copy.lower()
    with pytest.raises(ValueError):
        render(template, LetterFacts(kind="employer_claim"), language)       # Russian facts, Kazakh template


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_has_the_facts_in_the_document_and_the_copy(
        templates: dict[str, LetterTemplate], kind: str, language: str) -> None:
    letter = render(templates[kind], make_facts(kind=kind), language)
    data = make_pdf(letter, today=TODAY)
    pages = page_texts(data)
    document, copy, first_copy_page = split_parts(pages, letter)
    for part in (document, copy):
        assert EMPLOYER in part
        assert "50 000,00" in part
        assert all(has_article(part, number) for number in ARTICLES[kind]), part
        assert all(letter_ in part for letter_ in ("ҷ", "ң", "oʻ"))  # the story, as typed
    assert "Трудового кодекса Российской Федерации" in document
    assert OWN_LETTERS[language] in copy.replace(flat(STORY), "")
    assert flat(letter.copy_note)[:40] in copy
    assert "{" not in " ".join(pages)
    for index, name in ((0, "document"), (first_copy_page, f"copy_{language}")):
        assert_not_blank(save_png(data, index, f"letter_{kind}_{language}_{name}.png"))


@pytest.mark.parametrize("kind", KINDS)
def test_metadata_has_no_personal_data(templates: dict[str, LetterTemplate], kind: str) -> None:
    facts = make_facts(kind=kind)
    reader = pypdf.PdfReader(io.BytesIO(make_pdf(render(templates[kind], facts, "tg"), today=TODAY)))
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    assert templates[kind].title in metadata
    for value in (facts.employer, facts.address, facts.job, facts.city, "50", "Прораб"):
        assert value and value not in metadata


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_skipping_every_question_gives_a_form_to_fill_in(
        templates: dict[str, LetterTemplate], kind: str, language: str) -> None:
    letter = render(templates[kind], LetterFacts(kind=kind), language)  # type: ignore[arg-type]
    data = make_pdf(letter, today=TODAY)
    pages = page_texts(data)
    document, copy, _ = split_parts(pages, letter)
    assert "{" not in " ".join(pages)
    for blank in ("ФИО ____", "Подпись ____", "Дата ____", "Кому: ____" if kind == "employer_claim"
                  else "Регион, город: ____"):
        assert blank in document
    assert all(has_article(document, number) for number in ARTICLES[kind])
    assert "Я работа" not in document  # the sentence about the job needs the job or the start date
    assert "____" in copy


def test_employer_claim_without_answers_keeps_the_demand_with_blanks(
        templates: dict[str, LetterTemplate]) -> None:
    letter = render(templates["employer_claim"], LetterFacts(kind="employer_claim"), "en")
    text = "\n".join(p.text for p in letter.paragraphs_ru)
    assert "в размере ______________ руб." in text
    assert "Обстоятельства" not in text
    assert len(letter.paragraphs_ru) == len(letter.paragraphs_copy)


def test_a_paragraph_stays_when_one_of_its_fields_is_given(templates: dict[str, LetterTemplate]) -> None:
    facts = LetterFacts(kind="employer_claim", job="повар")
    text = "\n".join(p.text for p in render(templates["employer_claim"], facts, "ru").paragraphs_ru)
    assert "Я работаю у Вас в должности «повар» с ____.____.________." in text


def test_dismissal_brings_final_settlement_and_drops_the_right_to_stop_work(
        templates: dict[str, LetterTemplate]) -> None:
    facts = make_facts(end_date=dt.date(2026, 4, 15))
    letter = render(templates["employer_claim"], facts, "ky")
    document, copy, _ = split_parts(page_texts(make_pdf(letter, today=TODAY)), letter)
    assert "по 15.04.2026 (день увольнения)" in document and "статье 140" in document
    assert has_article(copy, "140") and "15.04.2026" in copy
    assert not has_article(document, "142") and "Я работаю" not in document


def test_inspectorate_complaint_asks_for_an_inspection_and_confidentiality(
        templates: dict[str, LetterTemplate]) -> None:
    letter = render(templates["inspectorate_complaint"], make_facts(kind="inspectorate_complaint"), "en")
    document, copy, _ = split_parts(page_texts(make_pdf(letter, today=TODAY)), letter)
    assert "В Государственную инспекцию труда" in document
    assert "Прошу провести проверку" in document
    assert "Прошу не сообщать работодателю" in document
    assert "онлайнинспекция.рф" in copy and "Сообщить о проблеме" in copy


def test_what_the_worker_typed_is_never_read_as_a_template(templates: dict[str, LetterTemplate]) -> None:
    facts = make_facts(what_happened="he wrote {employer} and { on the paper")
    letter = render(templates["employer_claim"], facts, "en")
    assert any("he wrote {employer} and { on the paper" in p.text for p in letter.paragraphs_ru)


def test_uzbek_cyrillic_copy_is_transliterated_but_the_facts_are_not(
        templates: dict[str, LetterTemplate]) -> None:
    facts = make_facts(employer="Stroy Yug LLC")
    letter = render(templates["employer_claim"], facts, "uz_Cyrl")
    copy = "\n".join(p.text for p in letter.paragraphs_copy)
    assert letter.language == "uz_Cyrl" and "ўзингизда" in letter.copy_note
    assert "Stroy Yug LLC" in copy and "136-моддаси" in copy


def test_a_language_without_a_copy_gets_the_russian_one(templates: dict[str, LetterTemplate]) -> None:
    letter = render(templates["employer_claim"], make_facts(), "fr")
    assert letter.language == "ru"


def test_long_answers_flow_over_several_pages(templates: dict[str, LetterTemplate]) -> None:
    story = ("Корфармо маошро напардохт, ҳар рӯз ваъда медиҳад. " * 40)[:1495] + " охир"
    facts = make_facts(what_happened=story, employer="Б" * 200, address="ул. " * 50)
    letter = render(templates["employer_claim"], facts, "tg")
    pages = page_texts(make_pdf(letter, today=TODAY))
    document, copy, first_copy_page = split_parts(pages, letter)
    assert first_copy_page >= 2
    assert flat(story) in document
    assert "Сана ____" in copy


def test_amounts_are_written_the_russian_way() -> None:
    assert format_amount(Decimal("50000")) == "50\u00a0000,00"
    assert format_amount(Decimal("1234567.895")) == "1\u00a0234\u00a0567,90"
    assert format_amount(Decimal("0")) == "0,00"


def test_facts_are_checked_and_never_shown_in_a_log_line() -> None:
    facts = make_facts()
    assert EMPLOYER not in repr(facts) and "Прораб" not in repr(facts)
    assert "employer" in repr(facts)
    with pytest.raises(ValueError, match="1500"):
        make_facts(what_happened="x" * 1501)
    with pytest.raises(ValueError):
        make_facts(amount_owed=Decimal("-1"))
    with pytest.raises(ValueError):
        make_facts(start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 4, 1))
    with pytest.raises(ValueError):
        render(load_templates(CONTENT)[("inspectorate_complaint", "RU")], facts, "ru")


# Broken copies of content/: every mistake is reported with its file and line.

@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    copy.mkdir()
    shutil.copy(CONTENT / "languages.yml", copy / "languages.yml")
    shutil.copytree(CONTENT / "letters", copy / "letters")
    return copy


def edit(file: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; the 1-based line where it was."""
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def only_error(root: Path) -> Problem:
    errors = [p for p in read_templates(root)[1] if not p.warning]
    assert len(errors) == 1, [p.render(root) for p in errors]
    return errors[0]


def test_a_yaml_syntax_error_is_reported_with_its_line(content: Path) -> None:
    file = content / "letters" / "employer_claim.yml"
    line = edit(file, "title: Претензия о выплате заработной платы",
                "title: Претензия: о выплате: заработной платы")
    problem = only_error(content)
    assert (problem.file, problem.line) == (file, line)
    assert "double quotes" in problem.fix
    with pytest.raises(ContentError):
        load_templates(content)


def test_a_misspelt_placeholder_is_reported_with_its_line_and_the_right_name(content: Path) -> None:
    file = content / "letters" / "employer_claim.yml"
    line = edit(file, "Задолженность составляет {amount_owed} руб.", "Задолженность составляет {amount_owe} руб.")
    problem = only_error(content)
    assert problem.file == file and problem.line is not None and line - 3 <= problem.line <= line
    assert "{amount_owe}" in problem.what and "{amount_owed}" in problem.fix


def test_a_missing_translation_is_reported(content: Path) -> None:
    file = content / "letters" / "inspectorate_complaint.yml"
    edit(file, "      reply: >\n        Жоопту жогоруда көрсөтүлгөн дарекке жөнөтүүңүздү суранам.\n", "")
    problem = only_error(content)
    assert problem.file == file and problem.line is not None
    assert "'reply' is not translated" in problem.what


def test_an_unknown_country_names_the_two_there_are(content: Path) -> None:
    file = content / "letters" / "inspectorate_complaint.yml"
    line = edit(file, "country: RU", "country: UA")
    problem = only_error(content)
    assert problem.line == line and "KZ (Kazakhstan)" in problem.fix
