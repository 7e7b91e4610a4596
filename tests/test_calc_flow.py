"""The compensation calculator as a conversation, on plain values and rate tables built here
(legal-facts.md section 15's 2025-2026 rows; see tests/test_calc.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot import messages
from bot.calc.key_rates import KeyRates
from bot.calc.parts import MOST
from bot.dialogue import Outcome, Turn
from bot.flows import calc as flow
from bot.replies import Responder
from tests.builders import flow_slot, kept, make_turn, waits
from tests.test_calc import SECTION_15, checked

TODAY = dt.date(2026, 11, 28)
NBSP = "\u00a0"
RATES = checked(TODAY)            # no rate change after 16.02.2026 assumed: a test value


def gettext(responder: Responder, language: str):  # type: ignore[no-untyped-def]
    return lambda message: responder.catalogues.gettext(language, message)


def paid_on(responder: Responder, text: str, *, amount: str = "50000.00", due: str, language: str = "ru",
            rates: KeyRates = RATES) -> str:
    turn = make_turn(text=text, language=language, flow=("calc", "paid", {"amount": amount, "due": due}))
    outcome = flow.typed(responder, rates, turn, TODAY, strict=False)
    assert outcome is not None and outcome.slots["flow"] is None             # nothing is kept
    assert outcome.replies[0].buttons[0].payload == "/handoff_human"         # a person first
    return outcome.replies[0].text


def test_the_whole_calculation_in_russian(responder: Responder) -> None:
    _ = gettext(responder, "ru")
    asked = flow.start(responder, make_turn(text="/wages_delay_compensation", language="ru"))
    (question,) = asked.replies                                              # where do you work? one tap
    assert _(messages.COUNTRY_ASK) in question.text and "236" not in question.text
    assert [b.payload for b in question.buttons][:2] == ['/wages_delay_compensation{"country":"RU"}',
                                                         '/wages_delay_compensation{"country":"KZ"}']
    assert asked.slots["flow"] is None
    start = flow.start(responder, make_turn(text='/wages_delay_compensation{"country":"RU"}', language="ru",
                                            entities={"country": "RU"}))
    assert start.replies[-1].text == _(messages.CALC_ASK_AMOUNT) and waits(start) == "amount"
    assert start.slots["country"] == "RU"
    assert "236" in start.replies[0].text and "ТК РК" not in start.replies[0].text    # Russia's rule only
    kazakhstan = flow.start(responder, make_turn(text='/wages_delay_compensation{"country":"KZ"}', language="ru",
                                                 entities={"country": "KZ"}))
    assert kazakhstan.slots["country"] == "KZ" and kazakhstan.replies[0].text == _(messages.CALC_KZ)

    amount = flow.typed(responder, RATES, make_turn(text="50 000 руб", language="ru", flow=("calc", "amount")),
                        TODAY, strict=False)
    assert amount is not None
    assert amount.slots == {"language": "ru", "flow": flow_slot("calc", "due", amount="50000.00")}

    due = flow.typed(responder, RATES, make_turn(text="должны были 15 марта", language="ru",
                                                 flow=("calc", "due", {"amount": "50000.00"})), TODAY, strict=False)
    assert due is not None and kept(due)["due"] == "2026-03-15"
    assert [b.payload for b in due.replies[0].buttons] == ['/calc{"paid":"none"}', '/calc{"paid":"parts"}', "/menu"]
    assert due.replies[0].text == _(messages.CALC_ASK_PAID)

    # Sunday 15.03.2026: due on Friday 13.03; 14.03-31.03 = 18 days × 50 000 × 15.5 % ÷ 150 = 930.00
    text = paid_on(responder, "31.03.2026", due="2026-03-15")
    assert f"14.03.2026 – 31.03.2026: 18 дней × 50{NBSP}000,00{NBSP}₽ × 15,5% ÷ 150 = 930,00{NBSP}₽" in text
    assert f"Итого: 930,00{NBSP}₽ за 18 дней задержки." in text and "не меньше 930" not in text
    assert _(messages.CALC_DUE_MOVED).format(agreed="15.03.2026", due="13.03.2026") in text
    assert "ч. 8 ст. 136" in text and "cbr.ru" in text and "28.11.2026" in text


def test_the_review_case_gives_the_whole_total(responder: Responder) -> None:
    text = paid_on(responder, "06.03.2026", due="2025-10-15", rates=SECTION_15)
    assert f"Итого: 7{NBSP}671,67{NBSP}₽ за 142 дня задержки." in text
    assert "не меньше" not in text.split("\n", 1)[1]                       # only the rule says "at least"


def test_days_after_the_check_are_named_not_counted(responder: Responder) -> None:
    # SECTION_15 was checked on 06.03.2026: the days after it have no known rate
    text = paid_on(responder, "31.03.2026", due="2025-10-15", rates=SECTION_15)
    assert f"Посчитано: 16.10.2025 – 06.03.2026, 142 дня: 7{NBSP}671,67{NBSP}₽." in text
    assert ("Не посчитано: 07.03.2026 – 31.03.2026, 25 дней. Ставки последний раз проверяли 06.03.2026, "
            "поэтому ставка для этих дней пока неизвестна.") in text
    assert gettext(responder, "ru")(messages.CALC_ONLY_COUNTED) in text
    assert "Итого" not in text and "не меньше" not in text.split("\n", 1)[1]


def test_a_delay_outside_the_table_gives_no_sum(responder: Responder) -> None:
    early = KeyRates(SECTION_15.rates[-1:], checked_on=dt.date(2026, 3, 6))        # from 16.02.2026 only
    text = paid_on(responder, "10.02.2026", due="2025-10-15", language="en", rates=early)
    assert ("Not counted: 16.10.2025 – 10.02.2026, 118 days. My rate table starts on 16.02.2026, so I have "
            "no rate for these days.") in text
    assert messages.CALC_NOTHING_COUNTED in text
    assert "RUB" not in text and "₽" not in text and "Total" not in text and "0.00" not in text


def test_a_pay_day_on_a_public_holiday_moves_back(responder: Responder) -> None:
    # Unity Day, Wednesday 04.11.2026 -> 03.11; 04.11-13.11 = 10 days × 51.6666… = 516.67
    text = paid_on(responder, "13.11.2026", due="2026-11-04", language="en")
    assert "The pay day, 04.11.2026, was a day off" in text and "03.11.2026" in text
    assert "Total: RUB516.67 for 10 days of delay." in text
    # 05.01.2026: 31.12.2025 and 1-11 January are days off -> Tuesday 30.12.2025;
    # 31.12.2025-30.01.2026 = 31 days × 50 000 × 16 % ÷ 150 = 1 653.33
    text = paid_on(responder, "30.01.2026", due="2026-01-05")
    assert "30.12.2025" in text and f"Итого: 1{NBSP}653,33{NBSP}₽ за 31 день задержки." in text


def test_not_paid_yet_counts_to_today(responder: Responder) -> None:
    turn = make_turn(text='/calc{"paid":"none"}', language="tg",
                     flow=("calc", "paid", {"amount": "10000.00", "due": "2026-11-18"}), entities={"paid": "none"})
    text = flow.pressed(responder, RATES, turn, TODAY).replies[0].text
    # 19.11-28.11 = 10 days × 10 000 × 15.5 % ÷ 150 = 103.33
    assert "103,33" in text and "10 рӯз" in text


def test_paid_on_time(responder: Responder) -> None:
    text = paid_on(responder, "13.03.2026", amount="10000.00", due="2026-03-13", language="en")
    assert messages.CALC_NO_DELAY in text and "Total" not in text


def test_text_that_is_no_answer(responder: Responder) -> None:
    turn = make_turn(text="а если меня уволили", language="ru", flow=("calc", "amount"))
    assert flow.typed(responder, RATES, turn, TODAY, strict=True) is None          # a question: the bot answers
    again = flow.typed(responder, RATES, turn, TODAY, strict=False)
    assert again is not None and waits(again) == "amount"
    future = make_turn(text="15.12.2026", language="uz", flow=("calc", "due", {"amount": "1.00"}))
    asked = flow.typed(responder, RATES, future, TODAY, strict=False)
    assert asked is not None and asked.replies[0].text == responder.catalogues.gettext("uz", messages.CALC_DATE_AGAIN)


def test_an_amount_in_another_currency_is_asked_again(responder: Responder) -> None:
    for text, language in (("500 000 сум", "uz"), ("20 миң сом", "ky"), ("3000 сомонӣ", "tg"), ("$300", "en"),
                           ("50 000 тенге", "ru")):
        turn = make_turn(text=text, language=language, flow=("calc", "amount"))
        outcome = flow.typed(responder, RATES, turn, TODAY, strict=True)          # an answer, even strict
        assert outcome is not None, text
        assert outcome.slots == {"language": language, "flow": flow_slot("calc", "amount")}, text
        assert outcome.replies[0].text == gettext(responder, language)(messages.CALC_CURRENCY)


def test_kazakhstan_gets_the_rule_and_a_person(responder: Responder) -> None:
    outcome = flow.start(responder, make_turn(text="/wages_delay_compensation", language="ky", country="KZ"))
    assert "113" in outcome.replies[0].text and outcome.replies[0].buttons[0].payload == "/handoff_human"
    assert outcome.slots["flow"] is None


# Paid in parts.

def parts_turn(text: str, *, awaiting: str = "parts", stored: str = "2026-03-02", language: str = "ru",
               amount: str = "50000.00") -> Turn:
    entities = {"paid": text.split('"')[3]} if text.startswith("/calc") else None
    return make_turn(text=text, language=language, flow=("calc", awaiting, {"amount": amount, "due": stored}),
                     entities=entities, country="RU")      # the calculator asked where they work first


def step(responder: Responder, turn: Turn) -> Outcome:
    found = flow.pressed(responder, RATES, turn, TODAY) if turn.is_button else \
        flow.typed(responder, RATES, turn, TODAY, strict=False)
    assert found is not None
    return found


def test_parts_one_per_message_until_the_debt_is_paid(responder: Responder) -> None:
    _ = gettext(responder, "ru")
    asked = step(responder, parts_turn('/calc{"paid":"parts"}', awaiting="paid"))
    assert asked.replies[0].text == _(messages.CALC_ASK_PARTS).format(most=MOST)
    assert waits(asked) == "parts" and [b.payload for b in asked.replies[0].buttons] == ["/menu"]
    first = step(responder, parts_turn("10.03.2026 20 000 руб"))
    assert kept(first)["due"] == "2026-03-02;2026-03-10=20000.00" and waits(first) == "parts"
    assert first.replies[0].text == _(messages.CALC_PARTS_NOTED).format(paid=f"20{NBSP}000,00{NBSP}₽",
                                                                        owed=f"50{NBSP}000,00{NBSP}₽")
    assert first.replies[0].buttons[0].payload == '/calc{"paid":"done"}'
    # the second part pays off the debt: the result at once
    done = step(responder, parts_turn("20 марта 30000", stored=kept(first)["due"]))
    text = done.replies[0].text
    assert f"03.03.2026 – 10.03.2026: 8 дней × 50{NBSP}000,00{NBSP}₽ × 15,5% ÷ 150 = 413,33{NBSP}₽" in text
    assert f"11.03.2026 – 20.03.2026: 10 дней × 30{NBSP}000,00{NBSP}₽ × 15,5% ÷ 150 = 310,00{NBSP}₽" in text
    assert f"Итого: 723,33{NBSP}₽ за 18 дней задержки." in text
    assert f"Выплачено по частям: 10.03.2026: 20{NBSP}000,00{NBSP}₽; 20.03.2026: 30{NBSP}000,00{NBSP}₽." in text
    assert done.slots["flow"] is None


def test_several_parts_in_one_message_then_done_counts_the_rest_to_today(responder: Responder) -> None:
    # typed straight after the payment-date question, without the button
    noted = step(responder, parts_turn("10.03.2026 - 20000\n20.03.2026 - 10000", awaiting="paid"))
    assert kept(noted)["due"] == "2026-03-02;2026-03-10=20000.00;2026-03-20=10000.00"
    done = step(responder, parts_turn('/calc{"paid":"done"}', stored=kept(noted)["due"]))
    text = done.replies[0].text
    # 413.33 + 10 days × 30 000 … = 310.00 + 21.03-28.11: 253 days × 20 000 × 15.5 % ÷ 150 = 5 228.67
    assert f"253 дня × 20{NBSP}000,00{NBSP}₽ × 15,5% ÷ 150 = 5{NBSP}228,67{NBSP}₽" in text
    assert f"Итого: 5{NBSP}952,00{NBSP}₽ за 271 день задержки." in text
    assert f"Ещё не выплачено: 20{NBSP}000,00{NBSP}₽. Эту сумму считаю по сегодняшний день, 28.11.2026." in text


def test_what_is_wrong_with_parts_is_said_and_they_are_not_noted(responder: Responder) -> None:
    _ = gettext(responder, "en")
    noted = "2026-03-02;2026-03-10=20000.00"
    early = step(responder, parts_turn("01.03.2026 1000", stored=noted, language="en"))
    assert early.replies[0].text == _(messages.CALC_PART_BEFORE_DUE).format(date="01.03.2026", due="02.03.2026")
    assert kept(early)["due"] == noted and waits(early) == "parts"
    over = step(responder, parts_turn("12.03.2026 40000", stored=noted, language="en"))
    assert "more than the debt" in over.replies[0].text and kept(over)["due"] == noted
    many = step(responder, parts_turn("\n".join(f"{day}.04.2026 100" for day in range(10, 16)), stored=noted,
                                      language="en"))
    assert many.replies[0].text == _(messages.CALC_PARTS_TOO_MANY).format(most=MOST)
    assert "/handoff_human" in [b.payload for b in many.replies[0].buttons] and kept(many)["due"] == noted
    foreign = step(responder, parts_turn("12.03.2026 100 000 so'm", stored=noted, language="en"))
    assert foreign.replies[0].text == messages.CALC_CURRENCY and kept(foreign)["due"] == noted
    unreadable = parts_turn("I do not remember", stored=noted, language="en")
    assert flow.typed(responder, RATES, unreadable, TODAY, strict=True) is None
    assert step(responder, unreadable).replies[0].text == messages.CALC_PARTS_AGAIN


def test_a_pay_day_off_moves_before_the_parts_are_checked(responder: Responder) -> None:
    # due Sunday 15.03.2026 -> 13.03: a part paid on Saturday 14.03 is one day late, not early
    noted = step(responder, parts_turn("14.03.2026 10000", stored="2026-03-15"))
    assert kept(noted)["due"] == "2026-03-15;2026-03-14=10000.00"


def test_the_fifth_part_gives_the_result_and_done_without_parts_asks_again(responder: Responder) -> None:
    four = ";".join(["2026-03-02", *(f"2026-04-{day:02d}=1000.00" for day in range(1, 5))])
    fifth = step(responder, parts_turn("05.04.2026 1000", stored=four))
    assert fifth.slots["flow"] is None and "Выплачено по частям" in fifth.replies[0].text
    again = step(responder, parts_turn('/calc{"paid":"done"}'))
    assert waits(again) == "parts"
    assert again.replies[0].text == gettext(responder, "ru")(messages.CALC_ASK_PARTS).format(most=MOST)


def test_a_button_out_of_turn_starts_again(responder: Responder) -> None:
    late = dataclasses.replace(parts_turn('/calc{"paid":"done"}'), flow=None)
    assert waits(step(responder, late)) == "amount"
    broken = parts_turn('/calc{"paid":"none"}', awaiting="paid", stored="yesterday")
    assert waits(step(responder, broken)) == "amount"
