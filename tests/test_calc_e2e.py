"""The compensation calculator through the real gateway, Rasa and action server: typed
amount and date (NLU sees them as low-confidence text; the waiting flow takes them)."""

from __future__ import annotations

import pytest

from bot import messages
from bot.replies import Responder
from bot.services import Stack
from tests.web_user import WebUser, gateway_url

pytestmark = pytest.mark.rasa


def test_compensation_calculator_over_the_web_api(stack: Stack, responder: Responder) -> None:
    _ = lambda message: responder.catalogues.gettext("tg", message)  # noqa: E731
    with WebUser(gateway_url(stack), "calculator01") as user:
        say = user.say
        say(payload='/choose_language{"language":"tg"}')
        assert say(payload="/wages_delay_compensation")[-1]["text"] == _(messages.CALC_ASK_AMOUNT)
        assert say(text="20 000 рубл")[-1]["text"] == _(messages.CALC_ASK_DUE)
        assert say(text="1.11.2026")[-1]["text"] == _(messages.CALC_ASK_PAID)
        result = str(say(payload='/calc{"paid":"none"}')[-1]["text"])
        assert "236" in result and "cbr.ru" in result and "150" in result
        after = say(text="корфармо маош намедиҳад")                    # questions are questions again
        assert "ТК РФ" in str(after[0]["text"])
