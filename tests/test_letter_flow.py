"""The complaint letter as a conversation: facts one by one, each skippable, then a PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from bot import messages
from bot.letters import flow
from bot.letters.model import LetterTemplate
from bot.letters.templates import load_templates
from bot.replies import Responder
from bot.settings import ROOT
from tests.builders import make_turn

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def templates() -> dict[str, LetterTemplate]:
    return {str(k): v for k, v in load_templates(ROOT / "content").items()}


def test_a_whole_letter_in_tajik(responder: Responder, templates: dict[str, LetterTemplate]) -> None:
    _ = lambda message: responder.catalogues.gettext("tg", message)  # noqa: E731
    begin = flow.start(responder, make_turn(text="/complaint_letter", language="tg"))
    assert [b.payload for b in begin.replies[-1].buttons][:2] == [
        '/letter{"kind":"employer_claim"}', '/letter{"kind":"inspectorate_complaint"}']
    step = flow.start(responder, make_turn(text='/letter{"kind":"employer_claim"}', language="tg",
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
        responder: Responder, templates: dict[str, LetterTemplate]) -> None:
    turn = make_turn(text="много", language="ru", awaiting="letter:amount_owed",
                     letter={"kind": "employer_claim", "employer": "ИП Иванов"})
    again = flow.answered(responder, templates, turn, TODAY, strict=False)
    assert again is not None and again.slots["awaiting"] == "letter:amount_owed"
    assert again.slots["letter"] == {"kind": "employer_claim", "employer": "ИП Иванов"}
    assert flow.answered(responder, templates, turn, TODAY, strict=True) is None


def test_kazakhstan_is_told_plainly(responder: Responder) -> None:
    outcome = flow.start(responder, make_turn(text="/complaint_letter", language="ru", country="KZ"))
    assert outcome.replies[0].text == responder.catalogues.gettext("ru", messages.LETTER_KZ)
