"""The compensation calculator through the real gateway, Rasa and action server: the country
first, then typed amount and dates (NLU sees them as low-confidence text; the waiting flow
takes them), with the real key-rate table in content/."""

from __future__ import annotations

import pytest

from bot import messages
from bot.processes import Stack
from bot.replies import Responder
from tests.web_user import WebUser, gateway_url

pytestmark = pytest.mark.rasa
NBSP = "\u00a0"


def test_compensation_calculator_over_the_web_api(stack: Stack, responder: Responder) -> None:
    _ = lambda message: responder.catalogues.gettext("tg", message)  # noqa: E731
    with WebUser(gateway_url(stack), "calculator01") as user:
        say = user.say
        say(payload='/choose_language{"language":"tg"}')
        asked = say(payload="/wages_delay_compensation")[-1]
        assert _(messages.COUNTRY_ASK) in str(asked["text"])                    # where do you work? one tap
        russia = say(payload='/wages_delay_compensation{"country":"RU"}')
        assert russia[-1]["text"] == _(messages.CALC_ASK_AMOUNT) and "КМ ҶҚ" not in str(russia[0]["text"])
        assert say(text="20 000 рубл")[-1]["text"] == _(messages.CALC_ASK_DUE)
        assert say(text="1.11.2026")[-1]["text"] == _(messages.CALC_ASK_PAID)
        result = str(say(payload='/calc{"paid":"none"}')[-1]["text"])
        assert "236" in result and "cbr.ru" in result and "150" in result
        after = say(text="корфармо маош намедиҳад")                    # questions are questions again
        assert "ТК РФ" in str(after[0]["text"])                         # and for Russia, as said


def test_a_delay_across_four_key_rates_is_counted_whole(stack: Stack, responder: Responder) -> None:
    """The review's case: 50 000 ₽ due 15.10.2025, paid 06.03.2026 — 11 days at 17 %, 56 at
    16.5 %, 56 at 16 %, 19 at 15.5 %: 7 671,67 ₽, the whole delay counted."""
    with WebUser(gateway_url(stack), "calculator02") as user:
        say = user.say
        say(payload='/choose_language{"language":"ru"}')
        say(payload="/wages_delay_compensation")
        say(payload='/wages_delay_compensation{"country":"RU"}')
        say(text="50 000")
        say(text="15.10.2025")
        result = str(say(text="06.03.2026")[-1]["text"])
    assert f"Итого: 7{NBSP}671,67{NBSP}₽ за 142 дня задержки." in result
    for rate in ("17%", "16,5%", "16%", "15,5%"):
        assert f"× {rate} ÷ 150" in result
    assert "не меньше 7" not in result and "не посчитан" not in result.lower()   # the whole delay, no "at least"
