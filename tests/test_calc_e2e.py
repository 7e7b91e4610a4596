"""The compensation calculator through the real gateway, Rasa and action server: typed
amount and date (NLU sees them as low-confidence text; the waiting flow takes them)."""

from __future__ import annotations

import httpx
import pytest

from bot import messages
from bot.replies import Responder
from bot.services import Stack

pytestmark = pytest.mark.rasa


def test_compensation_calculator_over_the_web_api(stack: Stack, responder: Responder) -> None:
    settings = stack.settings
    url = f"http://{settings.gateway_host}:{settings.gateway_port}/api/chat"
    _ = lambda message: responder.catalogues.gettext("tg", message)  # noqa: E731
    with httpx.Client(timeout=30) as http:
        def say(**body: str) -> list[dict[str, object]]:
            response = http.post(url, json={"session_id": "calculator01", **body})
            response.raise_for_status()
            result: list[dict[str, object]] = response.json()["messages"]
            return result

        say(payload='/choose_language{"language":"tg"}')
        assert say(payload="/wages_delay_compensation")[-1]["text"] == _(messages.CALC_ASK_AMOUNT)
        assert say(text="20 000 рубл")[-1]["text"] == _(messages.CALC_ASK_DUE)
        assert say(text="1.11.2026")[-1]["text"] == _(messages.CALC_ASK_PAID)
        result = str(say(payload='/calc{"paid":"none"}')[-1]["text"])
        assert "236" in result and "cbr.ru" in result and "150" in result
        after = say(text="корфармо маош намедиҳад")                    # questions are questions again
        assert "ТК РФ" in str(after[0]["text"])
