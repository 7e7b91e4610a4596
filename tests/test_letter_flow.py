"""The complaint letter as a conversation: facts one by one, each skippable, then a PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from actions import flows
from bot import messages
from bot.content_bundle import Content, load_content
from bot.dialogue import Outcome
from bot.flows import Context
from bot.flows import letter as flow
from bot.notes import EmployerMention
from bot.replies import Responder
from bot.routing.places import Places
from bot.settings import Settings
from tests.builders import kept, make_turn, waits

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(Settings().content_dir)


@pytest.fixture(scope="module")
def templates(content: Content) -> flow.Templates:
    return content.templates


def test_a_whole_letter_in_tajik(responder: Responder, templates: flow.Templates) -> None:
    _ = lambda message: responder.catalogues.gettext("tg", message)  # noqa: E731
    begin = flow.start(responder, templates, make_turn(text="/complaint_letter", language="tg"))
    assert [b.payload for b in begin.replies[-1].buttons][:2] == [
        '/letter{"kind":"employer_claim"}', '/letter{"kind":"inspectorate_complaint"}']
    step = flow.start(responder, templates, make_turn(text='/letter{"kind":"employer_claim"}', language="tg",
                                           entities={"kind": "employer_claim"}))
    assert step.replies[0].text == _(messages.LETTER_PRIVACY)
    answers = {"employer": "ООО «Стройка»", "address": "Москва, ул. Ленина, 1", "job": "каменщик",
               "start_date": "01.02.2026", "end_date": None, "amount_owed": "90 000", "period": "март–апрель 2026",
               "what_happened": "Ду моҳ маош надоданд, ҷавоб намедиҳанд."}
    for field, typed in answers.items():
        assert waits(step) == field
        turn = make_turn(text=typed or '/letter{"skip":"yes"}', language="tg", flow=("letter", field, kept(step)),
                         entities={} if typed else {"skip": "yes"})
        found = flow.answered(responder, templates, turn, TODAY, strict=False)
        assert found is not None
        step = found
    ready, ask = step.replies
    assert ready.text == _(messages.LETTER_READY) and ready.document is not None
    assert ready.document.filename.endswith(".pdf") and ready.document.data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(ready.document.data)).pages)
    assert "Стройка" in text and "90 000,00" in text and "236" in text and "ҷавоб" in text
    # then one question: may the employer be counted? Until the answer only that much is kept
    assert ask.text == _(messages.SIGNAL_ASK).format(employer="ООО «Стройка»")
    assert [b.payload for b in ask.buttons] == ['/letter{"share":"yes"}', '/letter{"share":"no"}']
    assert kept(step) == {"kind": "employer_claim", "country": "RU", "employer": "ООО «Стройка»"}
    assert waits(step) == "share" and not step.notes
    turn = make_turn(text='/letter{"share":"no"}', language="tg", flow=("letter", "share", kept(step)),
                     entities={"share": "no"})
    no = flow.shared(responder, turn)
    assert [r.text for r in no.replies] == [_(messages.SIGNAL_NOT_COUNTED)] and no.notes == []
    assert no.slots["flow"] is None                                                 # nothing is kept


def test_an_unreadable_amount_is_asked_again_or_left_to_the_bot(
        responder: Responder, templates: flow.Templates) -> None:
    turn = make_turn(text="много", language="ru",
                     flow=("letter", "amount_owed", {"kind": "employer_claim", "employer": "ИП Иванов"}))
    again = flow.answered(responder, templates, turn, TODAY, strict=False)
    assert again is not None and waits(again) == "amount_owed"
    assert kept(again) == {"kind": "employer_claim", "employer": "ИП Иванов"}
    assert flow.answered(responder, templates, turn, TODAY, strict=True) is None


def test_kazakhstan_gets_the_kazakh_letter_in_tenge(responder: Responder, templates: flow.Templates) -> None:
    _ = lambda message: responder.catalogues.gettext("ky", message)  # noqa: E731
    begin = flow.start(responder, templates, make_turn(text="/complaint_letter", language="ky", country="KZ"))
    assert [b.payload for b in begin.replies[-1].buttons][:-1] == ['/letter{"kind":"employer_claim"}']
    step = flow.start(responder, templates, make_turn(text='/letter{"kind":"employer_claim"}', language="ky",
                                                      country="KZ", entities={"kind": "employer_claim"}))
    assert kept(step) == {"kind": "employer_claim", "country": "KZ"}
    typed = {"employer": "ТОО Курылыс", "amount_owed": "300 000"}
    while waits(step) != "share":                                 # the question after the letter
        field = waits(step)
        assert field is not None
        if field == "amount_owed":
            assert step.replies[-1].text == _(messages.LETTER_ASK_AMOUNT_KZ)
        text = typed.get(field, '/letter{"skip":"yes"}')
        turn = make_turn(text=text, language="ky", flow=("letter", field, kept(step)),
                         entities={"skip": "yes"} if text.startswith("/") else {})
        found = flow.answered(responder, templates, turn, TODAY, strict=False)
        assert found is not None
        step = found
    ready = step.replies[0]
    assert ready.document is not None
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(ready.document.data)).pages)
    assert "Курылыс" in text and "300 000,00" in text and "тенге" in text and "113" in text
    assert "ТК РФ" not in text and "руб" not in text


def test_without_templates_for_the_country_a_person_helps(responder: Responder, templates: flow.Templates) -> None:
    russian_only = {key: t for key, t in templates.items() if key[1] == "RU"}
    outcome = flow.start(responder, russian_only, make_turn(text="/complaint_letter", language="ru", country="KZ"))
    assert outcome.replies[0].text == responder.catalogues.gettext("ru", messages.LETTER_KZ)


@pytest.fixture(scope="module")
def places(content: Content) -> Places:
    assert content.places is not None
    return content.places


def letter(responder: Responder, templates: flow.Templates, typed: dict[str, str], *,
           kind: str = "inspectorate_complaint") -> Outcome:
    """A whole letter in Russian: `typed` answers, every other question skipped."""
    step = flow.start(responder, templates, make_turn(text=f'/letter{{"kind":"{kind}"}}', language="ru",
                                                      entities={"kind": kind}))
    while (field := waits(step) or "") in flow.QUESTIONS:
        text = typed.get(field, '/letter{"skip":"yes"}')
        turn = make_turn(text=text, language="ru", flow=("letter", field, kept(step)),
                         entities={"skip": "yes"} if text.startswith("/") else {})
        found = flow.answered(responder, templates, turn, TODAY, strict=False)
        assert found is not None
        step = found
    return step


def answer(responder: Responder, places: Places | None, step: Outcome, choice: str, *, closed: bool = False,
           city: str | None = None) -> Outcome:
    """The Yes or No button under the question after the letter (`closed`: the question no longer waits)."""
    waiting = waits(step)
    assert waiting is not None
    turn = make_turn(text=f'/letter{{"share":"{choice}"}}', language="ru", entities={"share": choice}, city=city,
                     flow=("letter", waiting, kept(step)) if not closed else None)
    return flow.shared(responder, turn, places)


def test_yes_counts_the_employer_with_the_topic_and_the_city(
        responder: Responder, templates: flow.Templates, places: Places) -> None:
    _ = lambda message: responder.catalogues.gettext("ru", message)  # noqa: E731
    step = letter(responder, templates, {"employer": "ООО «СтройМонтаж»", "city": "в Москве", "job": "каменщик",
                                         "what_happened": "Не платят два месяца"})
    assert kept(step) == {"kind": "inspectorate_complaint", "country": "RU",
                          "employer": "ООО «СтройМонтаж»", "city": "в Москве"}   # not the job, not the story
    assert step.notes == []                                           # nothing is counted before the answer
    yes = answer(responder, places, step, "yes")
    assert yes.notes == [EmployerMention("ООО «СтройМонтаж»", topic="inspectorate_complaint", country="RU",
                                         city="moskva")]
    assert [r.text for r in yes.replies] == [_(messages.SIGNAL_COUNTED)]
    assert yes.slots["flow"] is None


def test_no_counts_nothing(responder: Responder, templates: flow.Templates, places: Places) -> None:
    step = letter(responder, templates, {"employer": "ООО «СтройМонтаж»", "city": "Москва"})
    no = answer(responder, places, step, "no")
    assert no.notes == [] and no.slots["flow"] is None


def test_a_button_pressed_after_the_question_closed_counts_nothing(
        responder: Responder, templates: flow.Templates, places: Places) -> None:
    step = letter(responder, templates, {"employer": "ООО «СтройМонтаж»"})
    late = answer(responder, places, step, "yes", closed=True)         # the user went on to something else
    assert late.notes == [] and late.slots["flow"] is None
    assert late.replies == responder.main_menu("ru")


def test_the_union_search_city_is_used_when_the_letter_has_none(
        responder: Responder, templates: flow.Templates, places: Places) -> None:
    step = letter(responder, templates, {"employer": "ИП Рахимов"}, kind="employer_claim")   # no city question
    (mention,) = answer(responder, places, step, "yes", city="sankt_peterburg").notes
    assert mention == EmployerMention("ИП Рахимов", topic="employer_claim", country="RU", city="sankt_peterburg")
    (unknown,) = answer(responder, places, step, "yes", city="none").notes
    assert unknown.city is None and unknown.country == "RU"


@pytest.mark.parametrize("employer", [None, "не знаю", "-", "ООО"])
def test_no_question_when_no_employer_was_named(
        responder: Responder, templates: flow.Templates, employer: str | None) -> None:
    step = letter(responder, templates, {"employer": employer} if employer else {})
    (ready,) = step.replies
    assert ready.document is not None and step.notes == []
    assert step.slots["flow"] is None


def test_the_question_says_what_is_kept_and_how_to_delete_it_in_every_language(responder: Responder) -> None:
    for language in responder.library.languages:
        text = responder.catalogues.gettext(language, messages.SIGNAL_ASK)
        assert "/forget" in text and "{employer}" in text, language
        assert text.format(employer="X") != text, language


def test_the_action_server_passes_the_answer_to_the_flow(
        responder: Responder, templates: flow.Templates, content: Content) -> None:
    step = letter(responder, templates, {"employer": "Stroymontazh", "city": "Алматы"})
    turn = make_turn(text='/letter{"share":"yes"}', intent="letter", language="ru",
                     flow=("letter", "share", kept(step)), entities={"share": "yes"})
    context = Context(responder, content, dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    (mention,) = flows.flow_turn(context, turn).notes
    assert mention == EmployerMention("Stroymontazh", topic="inspectorate_complaint", country="KZ", city="almaty")
