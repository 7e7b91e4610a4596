"""The redundancy calculator as a conversation (TK RF Arts. 178, 180), through the plain
functions the Rasa actions call."""

from __future__ import annotations

import datetime as dt

from bot import messages
from bot.calc.dates import parse_date
from bot.dialogue import Outcome
from bot.flows import severance as flow
from bot.replies import Responder
from tests.builders import flow_slot, kept, make_turn, waits

TODAY = dt.date(2026, 11, 28)


def answer(responder: Responder, text: str, step: str, language: str = "ru",
           severance: dict[str, str] | None = None, country: str | None = None) -> Outcome:
    button = text.startswith("/")
    turn = make_turn(text=text, language=language, flow=("severance", step, severance or {}),
                     entities={"notice": "none"} if button else None, country=country)
    found = flow.step(responder, turn, TODAY, strict=False)
    assert found is not None
    return found


def test_pay_notice_dismissal_then_what_is_owed(responder: Responder) -> None:
    started = flow.start(responder, make_turn(text="/severance", language="ru"))
    assert waits(started) == "pay"
    pay = answer(responder, "60 000 руб", "pay")
    assert kept(pay) == {"pay": "60000.00"} and waits(pay) == "notice"
    assert '/severance{"notice":"none"}' in [b.payload for b in pay.replies[0].buttons]
    notice = answer(responder, "01.10.2026", "notice", severance=kept(pay))
    assert kept(notice) == {"pay": "60000.00", "notice": "2026-10-01"} and waits(notice) == "dismissal"
    done = answer(responder, "1 декабря", "dismissal", severance=kept(notice))  # still to come
    text = done.replies[0].text
    assert "60\xa0000,00" in text and "01.12.2026" in text                         # severance on the day
    assert "01.10.2026" in text and "01.12.2026" in text                        # notice 1.10 -> 1.12: in time
    early = responder.plural("ru", messages.SEVERANCE_EARLY, 5).split("{")[0]
    assert early not in text
    assert "01.02.2027" in text                                                  # the second month ends
    assert "15.12.2026" in text                                                  # register by: 14 days
    assert responder.catalogues.gettext("ru", messages.SEVERANCE_FOREIGN) in text   # legal facts 15, item 10
    assert "ст. 178" in text and "ст. 180" in text
    assert responder.catalogues.gettext("ru", messages.SEVERANCE_SCOPE) in text     # the country is not known
    assert done.slots["flow"] is None                                           # nothing kept
    assert '/deadline{"kind":"dismissal"}' in [b.payload for b in done.replies[0].buttons]


def test_a_short_notice_and_no_notice_are_called_out(responder: Responder) -> None:
    short = answer(responder, "20.11.2026", "dismissal", language="en",
                   severance={"pay": "45000.50", "notice": "2026-11-01"})
    text = short.replies[0].text
    assert "before 01.01.2027" in text and "for the 42 days left" in text      # 20.11 -> 1.1: 42 days early
    assert "RUB" in text or "₽" in text
    none = answer(responder, "/severance", "notice", language="tg", severance={"pay": "50000"})
    assert kept(none) == {"pay": "50000", "notice": "none"}
    done = answer(responder, "10.11.2026", "dismissal", language="tg", severance=kept(none))
    warned = responder.catalogues.gettext("tg", messages.SEVERANCE_NOT_WARNED)
    assert warned in done.replies[0].text


def test_what_is_not_an_answer_is_asked_again_or_left_to_the_bot(responder: Responder) -> None:
    again = answer(responder, "не знаю", "pay", language="uz")
    assert waits(again) == "pay"
    assert again.replies[0].text == responder.catalogues.gettext("uz", messages.CALC_AMOUNT_AGAIN)
    strict = flow.step(responder, make_turn(text="меня уволили без предупреждения", language="ru",
                                            flow=("severance", "pay")), TODAY, strict=True)
    assert strict is None                                                       # a question, not an answer
    far = answer(responder, "01.12.2028", "dismissal", severance={"pay": "1000", "notice": "none"})
    assert waits(far) == "dismissal"                                            # too far ahead to be real


def test_a_dismissal_before_the_warning_is_asked_again(responder: Responder) -> None:
    _ = lambda message: responder.catalogues.gettext("en", message)  # noqa: E731
    answers = {"pay": "60000.00", "notice": "2026-10-01"}
    wrong = answer(responder, "15.09.2026", "dismissal", language="en", severance=answers)
    assert wrong.replies[0].text == _(messages.SEVERANCE_ORDER).format(dismissal="15.09.2026", notice="01.10.2026")
    assert wrong.slots == {"language": "en", "flow": flow_slot("severance", "dismissal", **answers)}
    same_day = answer(responder, "01.10.2026", "dismissal", language="en", severance=answers, country="RU")
    assert same_day.slots["flow"] is None                                       # early, but in order
    assert _(messages.SEVERANCE_SCOPE) not in same_day.replies[0].text          # work in Russia: no scoping


def test_pay_in_another_currency_is_asked_again(responder: Responder) -> None:
    again = answer(responder, "15 000 сомони", "pay", language="tg")
    assert again.replies[0].text == responder.catalogues.gettext("tg", messages.CALC_CURRENCY)
    assert waits(again) == "pay" and kept(again) == {}


def test_kazakhstan_gets_a_person_not_russian_sums(responder: Responder) -> None:
    kz = flow.start(responder, make_turn(text="/severance", language="ky", country="KZ"))
    assert kz.replies[0].text == responder.catalogues.gettext("ky", messages.SEVERANCE_KZ)
    assert kz.slots["flow"] is None


def test_a_coming_date_is_read_only_when_asked_for() -> None:
    assert parse_date("15 января", today=TODAY) == dt.date(2026, 1, 15)
    assert parse_date("15 января", today=TODAY, ahead=flow.AHEAD_DAYS) == dt.date(2027, 1, 15)
    assert parse_date("15 марта", today=TODAY, ahead=60) == dt.date(2026, 3, 15)
    assert parse_date("31.01.2027", today=TODAY) is None
    assert parse_date("31.01.2027", today=TODAY, ahead=90) == dt.date(2027, 1, 31)
