"""Every flow in every language, through the real gateway, Rasa and action server: the
country of work, the redundancy, deadline and compensation calculators, the letter, union
routing and an urgent topic. Each question must come in the language the user chose (the
catalogue's text for that language), and each result must carry the computed facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot import messages as m
from bot.calc.deadlines import add_months
from bot.processes import Stack
from bot.replies import Responder
from tests.web_user import WebUser, gateway_url

pytestmark = pytest.mark.rasa
LANGUAGES = ["ru", "uz", "uz_Cyrl", "tg", "ky", "en"]
Say = Callable[..., list[dict[str, object]]]


def texts(replies: list[dict[str, object]]) -> list[str]:
    return [str(r.get("text") or "") for r in replies]


def payloads(reply: dict[str, object]) -> list[str]:
    return [str(b["payload"]) for b in reply.get("buttons") or []]  # type: ignore[union-attr]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_flow_speaks_the_users_language(stack: Stack, responder: Responder, language: str) -> None:
    _ = lambda message: responder.catalogues.gettext(language, message)  # noqa: E731
    names = responder.library.languages[language].countries
    today = dt.date.today()
    day = lambda value: value.strftime("%d.%m.%Y")  # noqa: E731
    with WebUser(gateway_url(stack), f"flows-{language}-1") as user:
        def say(**body: str) -> list[dict[str, object]]:
            result = user.say(**body)
            assert result, body                 # every turn gets an answer
            return result

        say(payload=f'/choose_language{{"language":"{language}"}}')

        # the country of work: asked under an answer that differs, then the answer for it
        both = say(payload="/wages_unpaid")[-1]
        assert _(m.COUNTRY_ASK) in str(both["text"])
        assert '/country{"country":"KZ","topic":"wages_unpaid"}' in payloads(both)
        said, kz = say(payload='/country{"country":"KZ","topic":"wages_unpaid"}')
        assert said["text"] == _(m.COUNTRY_SET_KZ)
        assert f"{names['KZ'].name}:" in str(kz["text"]) and f"{names['RU'].name}:" not in str(kz["text"])
        said, ru = say(payload='/country{"country":"RU","topic":"wages_unpaid"}')
        assert said["text"] == _(m.COUNTRY_SET_RU)
        assert f"{names['RU'].name}:" in str(ru["text"]) and f"{names['KZ'].name}:" not in str(ru["text"])
        assert not any(p.startswith("/country") for p in payloads(ru))

        # redundancy: pay, not warned, a dismissal still to come
        assert "/severance" in payloads(say(payload="/dismissal_redundancy")[-1])
        assert texts(say(payload="/severance"))[-1] == _(m.SEVERANCE_ASK_PAY)
        assert texts(say(text="60000"))[-1] == _(m.SEVERANCE_ASK_NOTICE)
        assert texts(say(payload='/severance{"notice":"none"}'))[-1] == _(m.SEVERANCE_ASK_DISMISSAL)
        dismissal = today + dt.timedelta(days=20)
        owed = texts(say(text=day(dismissal)))[-1]
        assert _(m.SEVERANCE_NOT_WARNED) in owed and day(dismissal) in owed and "60" in owed
        assert day(add_months(dismissal, 2)) in owed

        # the deadline to go to court about wages: one year
        assert texts(say(payload='/deadline{"kind":"wages"}'))[-1] == _(m.DEADLINE_ASK_WAGES)
        due = today - dt.timedelta(days=40)
        assert day(add_months(due, 12)) in texts(say(text=day(due)))[-1]

        # late-wage compensation, not paid yet
        assert texts(say(payload="/wages_delay_compensation"))[-1] == _(m.CALC_ASK_AMOUNT)
        assert texts(say(text="10000"))[-1] == _(m.CALC_ASK_DUE)
        assert texts(say(text=day(due)))[-1] == _(m.CALC_ASK_PAID)
        counted = texts(say(payload='/calc{"paid":"none"}'))[-1]
        assert _(m.CALC_RESULT).split("\n")[0] in counted and "150" in counted

        # the letter: the employer typed, everything else skipped, a PDF at the end
        assert texts(say(payload="/complaint_letter"))[-1] == _(m.LETTER_ASK_KIND)
        assert texts(say(payload='/letter{"kind":"employer_claim"}')) == [_(m.LETTER_PRIVACY),
                                                                           _(m.LETTER_ASK_EMPLOYER)]
        replies = say(text="OOO Vostok")
        for _step in range(12):
            if any("document" in r for r in replies):
                break
            replies = say(payload='/letter{"skip":"yes"}')
        assert any("document" in r for r in replies) and _(m.LETTER_READY) in texts(replies)

        # union routing: a city button, a kind of work, then who can help
        assert texts(say(payload="/contact_union"))[-1] == _(m.ROUTE_ASK_PLACE)
        assert texts(say(payload='/route{"city":"moskva"}'))[-1] == _(m.ROUTE_ASK_SECTOR)
        assert _(m.ROUTE_RESULTS) in texts(say(payload='/route{"sector":"construction"}'))[-1]

        # an urgent topic: emergency numbers and a person first
        urgent = say(payload="/documents_confiscated")[-1]
        assert "112" in str(urgent["text"]) and _(m.URGENT_OFFER) in str(urgent["text"])
        assert payloads(urgent)[0] == "/handoff_human"
