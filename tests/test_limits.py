"""The per-conversation message limit: a polite pause over the limit, in the user's language,
and never for messages to a caseworker."""

from __future__ import annotations

import pytest

from bot import messages as m
from bot.gateway.limits import MessageLimit
from bot.processes import Stack
from bot.replies import CASE_OPEN_PRIVATE, Responder
from tests.conftest import gateway_beside
from tests.web_user import WebUser, gateway_url


def test_the_window_slides_and_conversations_are_separate() -> None:
    limit = MessageLimit(per_minute=3, max_conversations=2)
    assert [limit.allow_at("a", t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limit.allow_at("b", 3)                       # another conversation has its own count
    assert not limit.allow_at("a", 59.9) and limit.allow_at("a", 60.0)   # the first left the window
    limit.allow_at("c", 61)
    assert list(limit.recent) == ["a", "c"]             # the least recent conversation was dropped


@pytest.mark.rasa
def test_over_the_limit_the_user_is_asked_to_slow_down(stack: Stack, responder: Responder,
                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    with (gateway_beside(stack, tmp_path_factory.mktemp("limit"), messages_per_minute=3) as own,
          WebUser(gateway_url(own), "limited-session-01") as user,
          WebUser(gateway_url(own), "another-session-02") as other):
        say = user.texts

        say(payload='/choose_language{"language":"ky"}')
        say(text="айлык бербей жатат")
        say(payload="/menu")
        assert say(text="дагы бир суроо") == [responder.catalogues.gettext("ky", m.SLOW_DOWN)]
        assert other.texts(text="салам")[0] != responder.catalogues.gettext("ky", m.SLOW_DOWN)
        say(payload=CASE_OPEN_PRIVATE)                      # a person now: not limited
        for line in ("биринчи", "экинчи", "үчүнчү"):
            assert say(text=line) == []                     # stored for the caseworker, no pause
