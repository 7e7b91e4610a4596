"""The conversation logic on plain values: no Rasa, no channel."""

from __future__ import annotations

import pytest

from bot import dialogue, messages
from bot.replies import Responder
from tests.builders import make_turn


def titles(outcome: dialogue.Outcome) -> list[str]:
    return [b.title for r in outcome.replies for b in r.buttons]


def payloads(outcome: dialogue.Outcome) -> list[str]:
    return [b.payload for r in outcome.replies for b in r.buttons]


def test_greeting_offers_every_language_as_a_button(responder: Responder) -> None:
    outcome = dialogue.greet(responder, make_turn(text="salom", detected=("uz", "Latn", 0.9)))
    assert outcome.slots["language"] == "uz"
    assert titles(outcome) == ["Русский", "Oʻzbekcha", "Ўзбекча", "Тоҷикӣ", "Кыргызча", "English"]


def test_choosing_a_language_sets_it_explicitly_and_shows_the_menu(responder: Responder) -> None:
    outcome = dialogue.choose_language(responder, make_turn(
        text='/choose_language{"language":"ky"}', entities={"language": "ky"}))
    assert outcome.slots == {"language": "ky", "language_explicit": True, "noticed": True}
    assert '/show_category{"category":"wages"}' in payloads(outcome)
    assert "Айлык" in titles(outcome)


def test_every_topic_is_reachable_by_buttons_in_every_language(responder: Responder) -> None:
    library = responder.library
    for language in library.languages:
        menu = dialogue.show_menu(responder, make_turn(text="/menu", language=language))
        reached = set()
        for payload in payloads(menu):
            if payload.startswith("/show_category"):
                category = payload.split('"category":"')[1].rstrip('"}')
                sub = dialogue.show_menu(responder, make_turn(
                    text=payload, language=language, entities={"category": category}))
                reached |= {p.lstrip("/") for p in payloads(sub)}
        non_meta = {t.id for t in library.topics.values() if t.kind != "meta"}
        assert non_meta <= reached, (language, non_meta - reached)


def test_answer_in_the_users_language_with_more_and_a_person(responder: Responder) -> None:
    outcome = dialogue.answer_topic(responder, make_turn(
        text="маош намедиҳанд", intent="wages_unpaid", detected=("tg", "Cyrl", 0.9), country="RU"))
    assert outcome.slots["language"] == "tg"
    assert outcome.slots["topic"] == "wages_unpaid"
    text = outcome.replies[0].text
    assert "136" in text and "ТК РФ" in text
    assert '/more{"topic":"wages_unpaid"}' in payloads(outcome)
    assert "/handoff_human" in payloads(outcome)


def test_uzbek_cyrillic_writer_gets_cyrillic(responder: Responder) -> None:
    outcome = dialogue.answer_topic(responder, make_turn(
        text="иш ҳақи бермаяпти", intent="wages_unpaid", detected=("uz", "Cyrl", 0.9)))
    assert outcome.slots["language"] == "uz_Cyrl"
    assert "иш ҳақи" in outcome.replies[0].text.lower()


def test_urgent_topic_shows_emergency_numbers_and_offers_a_person_first(
        responder: Responder) -> None:
    outcome = dialogue.answer_topic(responder, make_turn(
        text="паспорт забрали", intent="documents_confiscated", language="ru", explicit=True))
    text = outcome.replies[0].text
    assert "112" in text and "102" in text and "Казахстан" in text
    assert payloads(outcome)[0] == "/handoff_human"


def test_low_confidence_offers_top_three_topics_and_a_person(responder: Responder) -> None:
    outcome = dialogue.did_you_mean(responder, make_turn(
        text="проблема с работой", ranking=("wages_unpaid", "out_of_scope", "dismissal_unfair",
                                            "contract_none", "wages_minimum"), language="ru"))
    assert payloads(outcome) == ["/wages_unpaid", "/dismissal_unfair", "/contract_none",
                                 "/handoff_human", "/menu"]


def test_emoji_only_asks_to_rephrase_in_the_users_language(responder: Responder) -> None:
    outcome = dialogue.did_you_mean(responder, make_turn(text="😀😀😀", language="ky"))
    assert "кечиресиз" in outcome.replies[0].text.lower()
    assert any(p.startswith("/show_category") for p in payloads(outcome))


def test_huge_message_is_answered_with_a_note(responder: Responder) -> None:
    text = "мне не платят зарплату " * 500
    outcome = dialogue.answer_topic(responder, make_turn(
        text=text, intent="wages_unpaid", detected=("ru", "Cyrl", 0.99), country="RU"))
    assert "очень длинное" in outcome.replies[0].text
    assert "136" in outcome.replies[1].text


def test_more_continues_the_answer(responder: Responder) -> None:
    outcome = dialogue.more(responder, make_turn(
        text='/more{"topic":"wages_unpaid"}', entities={"topic": "wages_unpaid"}, language="en"))
    assert "142" in outcome.replies[0].text


def test_urgent_topics_flag_the_conversation(responder: Responder) -> None:
    urgent = dialogue.answer_topic(responder, make_turn(text="x", intent="emergency", language="ru"))
    plain = dialogue.answer_topic(responder, make_turn(text="x", intent="wages_unpaid", language="ru"))
    assert urgent.slots["urgent"] is True
    assert "urgent" not in plain.slots


@pytest.mark.parametrize(("kind", "message"), [
    ("voice", messages.VOICE_NOT_SUPPORTED), ("contact", messages.CONTACT_NOT_KEPT),
    ("other", messages.ONLY_TEXT), ("sticker", messages.ONLY_TEXT),
])
def test_non_text_gets_a_kind_reply_in_the_conversation_language(
        responder: Responder, kind: str, message: str) -> None:
    turn = make_turn(text=f'/media{{"kind":"{kind}"}}', intent="media", entities={"kind": kind},
                     language="tg", hint="ru")
    outcome = dialogue.media(responder, turn)
    assert outcome.replies[0].text == responder.catalogues.gettext("tg", message)
    assert outcome.replies[0].buttons              # the topics menu, to carry on without typing
    assert "place" not in outcome.slots


@pytest.mark.parametrize(("place", "kept"), [("55.8,37.6", True), ("-33.9,151.2", True),
                                             ("55.75583,37.6173", False), ("Moscow", False), ("", False)])
def test_only_a_coarse_place_is_kept(responder: Responder, place: str, kept: bool) -> None:
    turn = make_turn(text="/media", intent="media", entities={"kind": "location", "place": place}, language="ky")
    outcome = dialogue.media(responder, turn)
    assert outcome.replies[0].text == responder.catalogues.gettext("ky", messages.LOCATION_KEPT)
    assert outcome.slots.get("place") == (place if kept else None)
