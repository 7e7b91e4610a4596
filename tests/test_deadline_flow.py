"""The deadline to go to court as a conversation (TK RF Art. 392)."""

from __future__ import annotations

import datetime as dt

from bot import messages
from bot.calc import deadline_flow
from bot.replies import Responder
from tests.builders import make_turn

TODAY = dt.date(2026, 11, 28)


def test_kind_then_date_then_the_last_day(responder: Responder) -> None:
    asked = deadline_flow.start(responder, make_turn(text="/deadline", language="ky"))
    payloads = [b.payload for b in asked.replies[0].buttons]
    assert payloads[:3] == ['/deadline{"kind":"dismissal"}', '/deadline{"kind":"wages"}', '/deadline{"kind":"general"}']
    chosen = deadline_flow.start(responder, make_turn(text='/deadline{"kind":"dismissal"}', language="ky",
                                                      entities={"kind": "dismissal"}))
    assert chosen.slots == {"language": "ky", "awaiting": "deadline_date", "deadline_kind": "dismissal"}
    done = deadline_flow.typed(responder, make_turn(text="20-ноябрь", language="ky", awaiting="deadline_date",
                                                    deadline_kind="dismissal"), TODAY, strict=False)
    assert done is not None
    text = done.replies[0].text
    assert "20.12.2026" in text and "392" in text and "1 ай" in text          # one month from 20.11.2026
    near = responder.catalogues.gettext("ky", messages.DEADLINE_NEAR).format(days=22)
    assert near not in text                                                   # 22 days left: not "near" yet
    assert done.slots["awaiting"] is None and done.slots["deadline_kind"] is None


def test_near_and_passed_deadlines_warn(responder: Responder) -> None:
    near = deadline_flow.typed(responder, make_turn(text="05.11.2026", language="ru", awaiting="deadline_date",
                                                    deadline_kind="dismissal"), TODAY, strict=False)
    assert near is not None and "Осталось всего 7 дн." in near.replies[0].text
    gone = deadline_flow.typed(responder, make_turn(text="01.06.2026", language="en", awaiting="deadline_date",
                                                    deadline_kind="general"), TODAY, strict=False)
    assert gone is not None
    assert "01.09.2026" in gone.replies[0].text and "passed 88 days ago" in gone.replies[0].text
    wages = deadline_flow.typed(responder, make_turn(text="15.03.2026", language="tg", awaiting="deadline_date",
                                                     deadline_kind="wages"), TODAY, strict=False)
    assert wages is not None and "15.03.2027" in wages.replies[0].text


def test_answers_about_dismissal_and_wages_offer_the_deadline(responder: Responder) -> None:
    buttons = responder.topic_answer("ru", "dismissal_unfair")[0].buttons
    assert "/deadline" in [b.payload for b in buttons]
    assert "/deadline" not in [b.payload for b in responder.topic_answer("ru", "wages_minimum")[0].buttons]
