"""The compensation calculator as a conversation, on plain values and the real rate table."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import messages
from bot.calc import flow
from bot.calc.key_rates import KeyRates, load_key_rates
from bot.replies import Responder
from bot.settings import ROOT
from tests.builders import make_turn

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def rates() -> KeyRates:
    found, problems = load_key_rates(ROOT / "content")
    assert found is not None, problems
    return found


def test_the_whole_calculation_in_russian(responder: Responder, rates: KeyRates) -> None:
    _ = lambda message: responder.catalogues.gettext("ru", message)  # noqa: E731
    start = flow.start(responder, make_turn(text="/wages_delay_compensation", language="ru"))
    assert start.replies[-1].text == _(messages.CALC_ASK_AMOUNT) and start.slots["awaiting"] == "amount"
    assert "236" in start.replies[0].text                                   # the rule, from content/

    amount = flow.typed(responder, rates, make_turn(text="45 000 руб", language="ru", awaiting="amount"),
                        TODAY, strict=False)
    assert amount is not None and amount.slots == {"language": "ru", "awaiting": "due", "calc_amount": "45000.00"}

    due = flow.typed(responder, rates, make_turn(text="должны были 15 марта", language="ru", awaiting="due",
                                                 calc_amount="45000.00"), TODAY, strict=False)
    assert due is not None and due.slots["calc_due"] == "2026-03-15"
    assert due.replies[0].buttons[0].payload == '/calc{"paid":"none"}'

    paid = flow.typed(responder, rates, make_turn(text="31.03.2026", language="ru", awaiting="paid",
                                                  calc_amount="45000.00", calc_due="2026-03-15"), TODAY, strict=False)
    assert paid is not None
    text = paid.replies[0].text
    # 16.03–31.03 = 16 days × 45 000 × 15.5 % ÷ 150 = 744.00
    assert "16.03.2026 – 31.03.2026: 16 дн. × 45\u00a0000,00\u00a0₽ × 15,5% ÷ 150 = 744,00\u00a0₽" in text
    assert "не меньше 744,00\u00a0₽ за 16 дн." in text
    assert "cbr.ru" in text and "06.03.2026" in text
    assert "16 дн. приходятся на время после 06.03.2026" in text             # rates not checked since
    assert paid.slots["calc_amount"] is None and paid.slots["awaiting"] is None   # nothing is kept


def test_not_paid_yet_counts_to_today(responder: Responder, rates: KeyRates) -> None:
    turn = make_turn(text='/calc{"paid":"none"}', language="tg", awaiting="paid", calc_amount="10000.00",
                     calc_due="2026-11-18", entities={"paid": "none"})
    text = flow.not_paid(responder, rates, turn, TODAY).replies[0].text
    # 19.11–28.11 = 10 days × 10 000 × 15.5 % ÷ 150 = 103.33
    assert "103,33" in text and "10 рӯз" in text


def test_paid_on_time(responder: Responder, rates: KeyRates) -> None:
    turn = make_turn(text="15.03.2026", language="en", awaiting="paid", calc_amount="10000.00", calc_due="2026-03-15")
    outcome = flow.typed(responder, rates, turn, TODAY, strict=False)
    assert outcome is not None and messages.CALC_NO_DELAY in outcome.replies[0].text


def test_text_that_is_no_answer(responder: Responder, rates: KeyRates) -> None:
    turn = make_turn(text="а если меня уволили", language="ru", awaiting="amount")
    assert flow.typed(responder, rates, turn, TODAY, strict=True) is None          # a question: the bot answers
    again = flow.typed(responder, rates, turn, TODAY, strict=False)
    assert again is not None and again.slots["awaiting"] == "amount"
    future = make_turn(text="15.12.2026", language="uz", awaiting="due", calc_amount="1.00")
    asked = flow.typed(responder, rates, future, TODAY, strict=False)
    assert asked is not None and asked.replies[0].text == responder.catalogues.gettext("uz", messages.CALC_DATE_AGAIN)


def test_kazakhstan_gets_the_rule_and_a_person(responder: Responder) -> None:
    outcome = flow.start(responder, make_turn(text="/wages_delay_compensation", language="ky", country="KZ"))
    assert "113" in outcome.replies[0].text and outcome.replies[0].buttons[0].payload == "/handoff_human"
    assert outcome.slots["awaiting"] is None
