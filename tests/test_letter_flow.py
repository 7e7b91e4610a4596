"""The complaint letter as a conversation: facts one by one, each skippable, then a PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from bot import messages
from bot.letters import flow
from bot.letters.templates import load_templates
from bot.replies import Responder
from bot.settings import ROOT
from tests.builders import make_turn

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def templates() -> flow.Templates:
    return {(str(kind), str(country)): t for (kind, country), t in load_templates(ROOT / "content").items()}


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
        assert step.slots["awaiting"] == f"letter:{field}"
        turn = make_turn(text=typed or '/letter{"skip":"yes"}', language="tg", awaiting=step.slots["awaiting"],
                         letter=step.slots["letter"], entities={} if typed else {"skip": "yes"})
        found = flow.answered(responder, templates, turn, TODAY, strict=False)
        assert found is not None
        step = found
    (ready,) = step.replies
    assert ready.text == _(messages.LETTER_READY) and ready.document is not None
    assert ready.document.filename.endswith(".pdf") and ready.document.data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(ready.document.data)).pages)
    assert "Стройка" in text and "90 000,00" in text and "236" in text and "ҷавоб" in text
    assert step.slots["letter"] is None and step.slots["awaiting"] is None       # nothing is kept


def test_an_unreadable_amount_is_asked_again_or_left_to_the_bot(
        responder: Responder, templates: flow.Templates) -> None:
    turn = make_turn(text="много", language="ru", awaiting="letter:amount_owed",
                     letter={"kind": "employer_claim", "employer": "ИП Иванов"})
    again = flow.answered(responder, templates, turn, TODAY, strict=False)
    assert again is not None and again.slots["awaiting"] == "letter:amount_owed"
    assert again.slots["letter"] == {"kind": "employer_claim", "employer": "ИП Иванов"}
    assert flow.answered(responder, templates, turn, TODAY, strict=True) is None


def test_kazakhstan_gets_the_kazakh_letter_in_tenge(responder: Responder, templates: flow.Templates) -> None:
    _ = lambda message: responder.catalogues.gettext("ky", message)  # noqa: E731
    begin = flow.start(responder, templates, make_turn(text="/complaint_letter", language="ky", country="KZ"))
    assert [b.payload for b in begin.replies[-1].buttons][:-1] == ['/letter{"kind":"employer_claim"}']
    step = flow.start(responder, templates, make_turn(text='/letter{"kind":"employer_claim"}', language="ky",
                                                      country="KZ", entities={"kind": "employer_claim"}))
    assert step.slots["letter"] == {"kind": "employer_claim", "country": "KZ"}
    typed = {"employer": "ТОО Курылыс", "amount_owed": "300 000"}
    while step.slots.get("awaiting"):
        field = str(step.slots["awaiting"]).removeprefix("letter:")
        if field == "amount_owed":
            assert step.replies[-1].text == _(messages.LETTER_ASK_AMOUNT_KZ)
        text = typed.get(field, '/letter{"skip":"yes"}')
        turn = make_turn(text=text, language="ky", awaiting=step.slots["awaiting"], letter=step.slots["letter"],
                         entities={"skip": "yes"} if text.startswith("/") else {})
        found = flow.answered(responder, templates, turn, TODAY, strict=False)
        assert found is not None
        step = found
    (ready,) = step.replies
    assert ready.document is not None
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(ready.document.data)).pages)
    assert "Курылыс" in text and "300 000,00" in text and "тенге" in text and "113" in text
    assert "ТК РФ" not in text and "руб" not in text


def test_without_templates_for_the_country_a_person_helps(responder: Responder, templates: flow.Templates) -> None:
    russian_only = {key: t for key, t in templates.items() if key[1] == "RU"}
    outcome = flow.start(responder, russian_only, make_turn(text="/complaint_letter", language="ru", country="KZ"))
    assert outcome.replies[0].text == responder.catalogues.gettext("ru", messages.LETTER_KZ)
