"""The routing conversation on plain values: place, kind of work, then contacts."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import messages
from bot.flows import route as flow
from bot.notes import Referral
from bot.replies import Responder
from bot.routing.contacts import Directory, load_directory
from bot.settings import ROOT
from tests.builders import make_turn, waits

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)   # a Monday, 12:00 in Moscow


@pytest.fixture(scope="module")
def directory() -> Directory:
    found, problems = load_directory(ROOT / "content")
    assert found is not None and not problems
    return found


def routing(directory: Directory, *, development: bool) -> flow.Routing:
    return flow.Routing(directory, NOW, include_unverified=development)


def test_a_place_in_the_question_skips_the_place_question(responder: Responder, directory: Directory) -> None:
    turn = make_turn(text="нужен профсоюз для строителей в Москве", intent="contact_union", language="ru")
    outcome = flow.start(responder, routing(directory, development=False), turn)
    assert outcome.slots["city"] == "moskva" and waits(outcome) == "sector"
    intro, question = outcome.replies
    assert "10-ФЗ" in intro.text and not intro.buttons              # who can help, from content/
    assert question.text == responder.catalogues.gettext("ru", messages.ROUTE_ASK_SECTOR)
    assert '/route{"sector":"construction"}' in [b.payload for b in question.buttons]


def test_without_a_place_the_bot_asks_with_buttons_for_the_country(
        responder: Responder, directory: Directory) -> None:
    turn = make_turn(text="kasaba uyushmasi kerak", intent="contact_union", language="uz", country="KZ")
    outcome = flow.start(responder, routing(directory, development=False), turn)
    titles = [b.title for b in outcome.replies[-1].buttons]
    assert titles[:3] == ["Olmaota", "Astana", "Chimkent"]          # Kazakhstan's cities, in Uzbek
    assert waits(outcome) == "place"


@pytest.mark.parametrize(("typed", "city"), [("Маскав", "moskva"), ("moskva shahri", "moskva"),
                                             ("в питере", "sankt_peterburg"), ("Алма-Ата", "almaty")])
def test_a_typed_place_continues_routing(responder: Responder, directory: Directory, typed: str, city: str) -> None:
    turn = make_turn(text=typed, intent="nlu_fallback", language="tg", flow=("route", "place"))
    outcome = flow.typed_place(responder, routing(directory, development=False), turn)
    assert outcome is not None and outcome.slots["city"] == city


def test_typed_text_that_is_no_place_is_left_to_the_bot(responder: Responder, directory: Directory) -> None:
    turn = make_turn(text="мне не платят зарплату", intent="wages_unpaid", language="ru", flow=("route", "place"))
    assert flow.typed_place(responder, routing(directory, development=False), turn) is None


def test_production_shows_only_verified_contacts(responder: Responder, directory: Directory) -> None:
    turn = make_turn(text='/route{"sector":"construction"}', intent="route", language="ru", city="moskva",
                     entities={"sector": "construction"})
    outcome = flow.step(responder, routing(directory, development=False), turn)
    text = outcome.replies[0].text
    assert "онлайнинспекция.рф" in text
    assert "example" not in text.lower() and "пример" not in text
    assert outcome.slots["flow"] is None
    assert [b.payload for b in outcome.replies[0].buttons] == ["/handoff_human", "/menu"]
    referred = [note.organisation for note in outcome.notes if isinstance(note, Referral)]
    assert referred and len(referred) == len(set(referred))         # counted once per organisation
    assert all(directory.organisations[o].display_name("ru") in text for o in referred)


def test_development_shows_sample_contacts_marked_as_such(responder: Responder, directory: Directory) -> None:
    turn = make_turn(text='/route{"sector":"construction"}', intent="route", language="ru", city="moskva",
                     entities={"sector": "construction"})
    text = flow.step(responder, routing(directory, development=True), turn).replies[0].text
    marker = responder.catalogues.gettext("ru", messages.ROUTE_EXAMPLE)
    assert marker in text and "example.org" in text


def test_nothing_checked_offers_a_person_and_emergency_numbers(responder: Responder, directory: Directory) -> None:
    turn = make_turn(text='/route{"sector":"none"}', intent="route", language="ky", city="almaty",
                     entities={"sector": "none"})
    outcome = flow.step(responder, routing(directory, development=False), turn)
    text = outcome.replies[0].text
    assert responder.catalogues.gettext("ky", messages.ROUTE_NOTHING) in text
    assert "112" in text and "онлайнинспекция" not in text          # Russia's inspectorate is not for Almaty
    assert outcome.replies[0].buttons[0].payload == "/handoff_human"
    assert outcome.notes == []                                       # nobody referred, nothing counted


def test_a_shared_location_is_used_as_the_place(responder: Responder, directory: Directory) -> None:
    turn = make_turn(text="/contact_union", intent="contact_union", language="ky", place="43.2,76.9")
    outcome = flow.start(responder, routing(directory, development=False), turn)
    assert outcome.slots["city"] == "almaty" and waits(outcome) == "sector"
    far = make_turn(text="/contact_union", intent="contact_union", language="ky", place="60.0,90.0")
    assert waits(flow.start(responder, routing(directory, development=False), far)) == "place"
