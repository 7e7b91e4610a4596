"""The deadline to go to court as a conversation (TK RF Art. 392; Art. 14 part 4 for a last
day off), scoped to Russia, and not counted for work in Kazakhstan."""

from __future__ import annotations

import datetime as dt

from bot import messages
from bot.flows import deadline as deadline_flow
from bot.replies import Responder
from tests.builders import flow_slot, make_turn

TODAY = dt.date(2026, 11, 28)


def test_kind_then_date_then_the_last_day(responder: Responder) -> None:
    asked = deadline_flow.start(responder, make_turn(text="/deadline", language="ky"))
    payloads = [b.payload for b in asked.replies[0].buttons]
    assert payloads[:3] == ['/deadline{"kind":"dismissal"}', '/deadline{"kind":"wages"}', '/deadline{"kind":"general"}']
    chosen = deadline_flow.start(responder, make_turn(text='/deadline{"kind":"dismissal"}', language="ky",
                                                      entities={"kind": "dismissal"}))
    assert chosen.slots == {"language": "ky", "flow": flow_slot("deadline", "date", kind="dismissal")}
    done = deadline_flow.typed(responder, make_turn(text="20-ноябрь", language="ky",
                                                    flow=("deadline", "date", {"kind": "dismissal"})),
                               TODAY, strict=False)
    assert done is not None
    text = done.replies[0].text
    # one month from 20.11.2026 ends on Sunday 20.12.2026: the last day is Monday 21.12.2026
    assert "21.12.2026" in text and "392" in text and "1 ай" in text
    assert responder.catalogues.gettext("ky", messages.DEADLINE_MOVED).format(end="20.12.2026") in text
    near = responder.plural("ky", messages.DEADLINE_NEAR, 23).format(days=23)
    assert near not in text                                                   # 23 days left: not "near" yet
    assert done.slots["flow"] is None


def test_near_and_passed_deadlines_warn(responder: Responder) -> None:
    near = deadline_flow.typed(responder, make_turn(text="05.11.2026", language="ru",
                                                    flow=("deadline", "date", {"kind": "dismissal"})),
                               TODAY, strict=False)
    # 05.12.2026 is a Saturday: the last day is Monday 07.12.2026, 9 days after 28.11
    assert near is not None and "Осталось всего 9 дней." in near.replies[0].text
    assert "07.12.2026" in near.replies[0].text and "ч. 4 ст. 14 ТК РФ" in near.replies[0].text
    gone = deadline_flow.typed(responder, make_turn(text="01.06.2026", language="en",
                                                    flow=("deadline", "date", {"kind": "general"})),
                               TODAY, strict=False)
    assert gone is not None
    assert "01.09.2026" in gone.replies[0].text and "passed 88 days ago" in gone.replies[0].text
    wages = deadline_flow.typed(responder, make_turn(text="15.03.2026", language="tg",
                                                     flow=("deadline", "date", {"kind": "wages"})),
                                TODAY, strict=False)
    assert wages is not None and "15.03.2027" in wages.replies[0].text


def test_the_result_is_scoped_to_russia(responder: Responder) -> None:
    def result(country: str | None) -> str:
        found = deadline_flow.typed(responder, make_turn(text="15.03.2026", language="ru",
                                                         flow=("deadline", "date", {"kind": "wages"}),
                                                         country=country), TODAY, strict=False)
        assert found is not None
        return found.replies[0].text

    unknown = result(None)
    assert unknown.startswith("В России (ст. 392 ТК РФ) последний день, чтобы обратиться в суд: 15.03.2027")
    assert responder.catalogues.gettext("ru", messages.DEADLINE_KZ_UNCHECKED) in unknown
    assert messages.DEADLINE_MOVED.split(",")[0] not in unknown                 # 15.03.2027 is a Monday
    russia = result("RU")
    assert russia.startswith("В России") and "Казахстан" not in russia


def test_kazakhstan_gets_a_person_not_the_russian_article(responder: Responder) -> None:
    _ = lambda message: responder.catalogues.gettext("uz", message)  # noqa: E731
    for outcome in (deadline_flow.start(responder, make_turn(text="/deadline", language="uz", country="KZ")),
                    deadline_flow.start(responder, make_turn(text='/deadline{"kind":"wages"}', language="uz",
                                                             country="KZ", entities={"kind": "wages"})),
                    deadline_flow.typed(responder, make_turn(text="15.03.2026", language="uz", country="KZ",
                                                             flow=("deadline", "date", {"kind": "wages"})),
                                        TODAY, strict=False)):
        assert outcome is not None and outcome.replies[0].text == _(messages.DEADLINE_KZ)
        assert "392" not in outcome.replies[0].text
        assert [b.payload for b in outcome.replies[0].buttons] == ["/handoff_human", "/menu"]
        assert outcome.slots["flow"] is None


def test_answers_about_dismissal_and_wages_offer_the_deadline(responder: Responder) -> None:
    buttons = responder.topic_answer("ru", "dismissal_unfair", "RU")[0].buttons   # the answer, not the question
    assert "/deadline" in [b.payload for b in buttons]
    assert "/deadline" not in [b.payload for b in responder.topic_answer("ru", "wages_minimum", "RU")[0].buttons]
