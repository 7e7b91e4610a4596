"""Routing through the real gateway, Rasa and action server: a typed city in another script,
a button for the kind of work, then contacts (verified only: not development mode)."""

from __future__ import annotations

import pytest

from bot import messages
from bot.processes import Stack
from bot.replies import Responder
from tests.web_user import WebUser, gateway_url

pytestmark = pytest.mark.rasa


def test_union_routing_with_a_typed_city(stack: Stack, responder: Responder) -> None:
    with WebUser(gateway_url(stack), "routing0001") as user:
        say = user.say
        say(payload='/choose_language{"language":"tg"}')
        asked = say(text="рақами профсоюзро диҳед лутфан")
        assert asked[-1]["text"] == responder.catalogues.gettext("tg", messages.ROUTE_ASK_PLACE)
        sector = say(text="дар шаҳри Маскав")
        assert sector[-1]["text"] == responder.catalogues.gettext("tg", messages.ROUTE_ASK_SECTOR)
        found = say(payload='/route{"sector":"construction"}')
        text = str(found[-1]["text"])
        assert responder.catalogues.gettext("tg", messages.ROUTE_RESULTS) in text
        assert "онлайнинспекция.рф" in text and "example.org" not in text
        after = say(text="корфармо маош намедиҳад")       # the next question is a question again
        assert "ТК РФ" in str(after[0]["text"])
