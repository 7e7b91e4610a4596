"""Channel-independent helpers of the gateway: deep links, places, Rasa messages, menus."""

from __future__ import annotations

import math

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.gateway.conversation import Start, coarse_place, media_payload, parse_start, reply_of
from bot.gateway.telegram_text import is_menu, joined, keyboard, replaceable
from bot.gateway.web_api import render
from bot.replies import Button, Document, Reply
from bot.splitting import MAX_MESSAGE_CHARS

LANGUAGES = {"ru", "uz", "uz_Cyrl", "tg", "ky", "en"}


@pytest.mark.parametrize(("argument", "expected"), [
    ("", Start()),
    ("uz", Start("uz")),
    ("uz_Cyrl", Start("uz_Cyrl")),
    ("fnpr", Start(None, "fnpr")),
    ("tg-FNPR_msk", Start("tg", "fnpr_msk")),
    ("fnpr-ky", Start("ky", "fnpr")),
    ("x", Start()),                                   # too short to be a code
    ("a" * 40, Start()),                              # too long to be a code
    ("ru-<script>", Start("ru")),
])
def test_deep_links(argument: str, expected: Start) -> None:
    assert parse_start(argument, LANGUAGES) == expected


def test_deep_links_become_payloads_rasa_reads_without_nlu() -> None:
    assert Start().payload() == "/greet"
    assert Start("uz", "fnpr").payload() == '/choose_language{"language":"uz","referrer":"fnpr"}'
    assert Start(None, "fnpr").payload() == '/greet{"referrer":"fnpr"}'


def test_places_are_rounded_to_about_ten_kilometres() -> None:
    assert coarse_place(55.755826, 37.6173) == "55.8,37.6"
    assert coarse_place(-0.04, -0.04) == "-0.0,-0.0"
    assert coarse_place(91, 0) is None and coarse_place(math.nan, 0) is None
    assert media_payload("location", "55.8,37.6") == '/media{"kind":"location","place":"55.8,37.6"}'
    assert media_payload("voice") == '/media{"kind":"voice"}'


def test_rasa_messages_with_text_buttons_and_documents() -> None:
    letter = Document("letter.pdf", "application/pdf", b"%PDF")
    assert reply_of({"text": "hi", "buttons": [{"title": "Menu", "payload": "/menu"}]}) is not None
    assert reply_of({"recipient_id": "x"}) is None
    assert reply_of({"custom": {"document": letter.to_json()}}) == Reply("", (), letter)
    broken = {"custom": {"document": {"filename": "a.pdf", "media_type": "application/pdf", "base64": "@@"}}}
    assert reply_of(broken) is None                   # a malformed file is left out, not sent
    odd = Document.from_json({**letter.to_json(), "filename": "../../etc/passwd"})
    assert "/" not in odd.filename
    shown = render("s1", [Reply("", (), letter)])["messages"][0]
    assert shown["document"] == {"filename": "letter.pdf", "media_type": "application/pdf", "base64": "JVBERg=="}


def markup(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])


def test_what_counts_as_a_menu() -> None:
    assert is_menu(markup('/show_category{"category":"wages"}', "/change_language"))
    assert is_menu(markup("/wages_unpaid", "/wages_partial", "/menu"))
    assert not is_menu(markup('/more{"topic":"wages_unpaid"}', "/handoff_human", "/menu"))  # an answer
    assert not is_menu(markup("/menu"))               # a short answer with only a menu button
    assert not is_menu(None)


MORE = (Button("Ещё", '/more{"topic":"wages_unpaid"}'), Button("Человек", "/handoff_human"))
MENU = (Button("Зарплата", '/show_category{"category":"wages"}'), Button("Язык", "/change_language"))


def test_a_turns_texts_become_one_telegram_message() -> None:
    answer, note = Reply("Ответ.\n"), Reply("ⓘ Перевод — черновик.")
    assert joined([answer, note, Reply("Посчитаем?", MORE)]) == [
        Reply("Ответ.\n\nⓘ Перевод — черновик.\n\nПосчитаем?", MORE)]
    assert joined([Reply("Конфиденциальность: …"), Reply("О чём вопрос?", MENU)]) == [
        Reply("Конфиденциальность: …\n\nО чём вопрос?", MENU)]
    # buttons end a message; documents and empty texts are never joined
    letter = Document("letter.txt", "text/plain", b"x")
    assert joined([Reply("A", MORE), Reply("B")]) == [Reply("A", MORE), Reply("B")]
    assert joined([Reply("", (), letter), Reply("Готово.")]) == [Reply("", (), letter), Reply("Готово.")]
    assert joined([Reply("A"), Reply("", (), letter)]) == [Reply("A"), Reply("", (), letter)]
    assert joined([Reply(" "), Reply("B")]) == [Reply(" "), Reply("B")]


def test_only_a_bare_menu_is_replaced_by_the_next_menu() -> None:
    bare = joined([Reply("О чём вопрос?", MENU)])[0]
    assert replaceable(bare.text, keyboard(bare.buttons))
    # the privacy notice joined above a menu must stay in the chat
    notice = joined([Reply("Конфиденциальность: …"), Reply("О чём вопрос?", MENU)])[0]
    assert not replaceable(notice.text, keyboard(notice.buttons))
    assert not replaceable("Ответ.", keyboard(MORE))      # an answer is never replaced
    assert not replaceable("О чём вопрос?", None)


def test_joined_texts_stay_within_one_telegram_message() -> None:
    half = "а" * (MAX_MESSAGE_CHARS // 2)
    assert joined([Reply(half), Reply(half)]) == [Reply(half), Reply(half)]
    assert joined([Reply(half[:-1]), Reply(half[:-1])]) == [Reply(half[:-1] + "\n\n" + half[:-1])]
    many = joined([Reply(f"строка {n}") for n in range(2000)])
    assert all(len(r.text) <= MAX_MESSAGE_CHARS for r in many) and len(many) > 1
    assert "\n\n".join(r.text for r in many) == "\n\n".join(f"строка {n}" for n in range(2000))
