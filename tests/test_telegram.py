"""The real python-telegram-bot client in the gateway, polling a local fake Bot API server."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Bot

from bot import messages
from bot.devtools.fake_telegram import FakeTelegram, Server, button_press, user_message
from bot.gateway.delivery import Outbox
from bot.gateway.telegram_bot import Sender
from bot.processes import Stack
from bot.replies import Document, Reply, Responder
from tests.conftest import conversation_key, fake_telegram_settings, free_port, gateway_beside

pytestmark = pytest.mark.rasa
SECRET = "X-Telegram-Bot-Api-Secret-Token"
RIGHT_SECRET = "right-secret-for-the-webhook-test"   # at least 32 characters (bot/settings.py)


@pytest.fixture(scope="module")
def telegram(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    port = free_port()
    with Server(fake.app(), port), gateway_beside(stack, tmp_path_factory.mktemp("tg"), **fake_telegram_settings(port)):
        yield fake


def texts(sent: list[dict[str, object]]) -> str:
    return "\n".join(str(s.get("text", "")) for s in sent)


@pytest.mark.parametrize(("chat_id", "language"), [
    (1001, "ru"), (1002, "uz"), (1003, "tg"), (1004, "ky"), (1005, "en"), (1006, "uz_Cyrl"),
])
def test_start_with_a_language_in_each_language(
        telegram: FakeTelegram, responder: Responder, chat_id: int, language: str) -> None:
    telegram.push(user_message(chat_id, text=f"/start {language}"))
    sent = telegram.wait_sent(chat_id, 1)
    notice = responder.privacy_notice(language).text                  # first contact: the privacy notice
    said = f"{responder.catalogues.gettext(language, messages.LANGUAGE_SET)}\n{notice}"
    menu = responder.catalogues.gettext(language, messages.MENU_PROMPT)
    assert [s["text"] for s in sent] == [f"{said}\n\n{menu}"]           # one message, the menu under it
    assert "reply_markup" in sent[0]


def test_start_without_a_language_offers_the_languages(telegram: FakeTelegram) -> None:
    telegram.push(user_message(1007, text="/start", language_code="ky"))
    sent = telegram.wait_sent(1007, 1)
    titles = [row[0]["text"] for row in sent[-1]["reply_markup"]["inline_keyboard"]]
    assert titles == ["Русский", "Oʻzbekcha", "Ўзбекча", "Тоҷикӣ", "Кыргызча", "English"]


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> tuple[FakeTelegram, Callable[[dict[str, Any]], None]]:
    """The same conversation through getUpdates (polling) or posted to /telegram/webhook."""
    if request.param == "polling":
        fake: FakeTelegram = request.getfixturevalue("telegram")
        return fake, fake.push
    fake, url = request.getfixturevalue("webhook")
    ids = itertools.count(10_000)

    def post(update: dict[str, Any]) -> None:
        response = httpx.post(url, json={"update_id": next(ids), **update}, headers={SECRET: RIGHT_SECRET})
        assert response.status_code == 200
    return fake, post


def test_question_button_voice_and_long_message(
        mode: tuple[FakeTelegram, Callable[[dict[str, Any]], None]]) -> None:
    telegram, send = mode
    chat = 2001 if send == telegram.push else 2002     # one Rasa for both modes: a new chat each
    send(user_message(chat, text="корфармо ду моҳ маош намедиҳад", language_code="tg"))
    sent = telegram.wait_sent(chat, 1)
    assert "ТК РФ" not in texts(sent)                          # the country first, one tap
    buttons = [row[0] for row in sent[-1]["reply_markup"]["inline_keyboard"]]
    assert {"text": "Дар Русия кор мекунам", "callback_data": '/country{"country":"RU","topic":"wages_unpaid"}'} \
        in buttons
    assert {"text": "Сӯҳбат бо инсон", "callback_data": "/handoff_human"} in buttons

    send(button_press(chat, '/country{"country":"RU","topic":"wages_unpaid"}', on=sent[-1]))
    sent = telegram.wait_sent(chat, 2)
    assert "ТК РФ" in texts(sent[-1:]) and "КМ ҶҚ" not in texts(sent[-1:])

    send(button_press(chat, '/more{"topic":"wages_unpaid"}', on=sent[-1]))
    sent = telegram.wait_sent(chat, len(sent) + 1)
    assert telegram.method_calls("answerCallbackQuery")

    before = len(sent)
    send(user_message(chat, voice={"file_id": "v1", "file_unique_id": "v1", "duration": 3}))
    sent = telegram.wait_sent(chat, before + 1)
    assert "/human" in str(sent[-1]["text"]) and "Ман ҳоло" in str(sent[-1]["text"])   # in Tajik

    before = len(sent)
    send(user_message(chat, text="мне не платят зарплату " * 220))
    sent = telegram.wait_sent(chat, before + 2)
    assert all(len(str(s["text"])) <= 4096 for s in sent)


def test_commands_are_registered_in_every_language(telegram: FakeTelegram) -> None:
    calls = telegram.method_calls("setMyCommands")
    by_language = {c.get("language_code"): c["commands"] for c in calls}
    assert set(by_language) == {None, "ru", "uz", "tg", "ky", "en"}
    assert {"command": "human", "description": "Сӯҳбат бо инсон"} in by_language["tg"]
    assert [c["command"] for c in by_language["en"]] == ["start", "menu", "language", "human",
                                                          "forget", "help"]
    assert telegram.method_calls("deleteWebhook")   # polling mode clears any webhook first


@pytest.fixture(scope="module")
def webhook(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram()
    port = free_port()
    with Server(fake.app(), port), gateway_beside(
            stack, tmp_path_factory.mktemp("tgw"), **fake_telegram_settings(port),
            telegram_webhook_url="https://helpline.example/telegram/webhook",
            telegram_webhook_secret=RIGHT_SECRET) as gateway:
        settings = gateway.settings
        yield fake, f"http://{settings.gateway_host}:{settings.gateway_port}/telegram/webhook"


def test_webhook_checks_the_secret_and_refuses_malformed_updates(
        webhook: tuple[FakeTelegram, str]) -> None:
    fake, url = webhook
    (set_webhook,) = fake.method_calls("setWebhook")
    assert set_webhook["secret_token"] == RIGHT_SECRET
    update = {"update_id": 90, **user_message(4001, text="/start en")}
    assert httpx.post(url, json=update).status_code == 403
    assert httpx.post(url, json=update, headers={SECRET: "wrong-secret"}).status_code == 403
    assert httpx.post(url, content=b"{nope", headers={SECRET: RIGHT_SECRET}).status_code == 400
    assert httpx.post(url, json={"update_id": 91, "message": {"unexpected": True}},
                      headers={SECRET: RIGHT_SECRET}).status_code == 400
    assert fake.sent(4001) == []
    assert httpx.post(url, json=update, headers={SECRET: RIGHT_SECRET}).status_code == 200
    assert "I will answer in English" in texts(fake.wait_sent(4001, 1))


def tracker(stack: Stack, sender: str) -> dict[str, object]:
    response = httpx.get(f"{stack.settings.rasa_url}/conversations/{sender}/tracker",
                         params={"token": stack.settings.rasa_token.get_secret_value()})
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


def user_events(stack: Stack, sender: str) -> list[object]:
    events = tracker(stack, sender).get("events") or []
    assert isinstance(events, list)
    return [e for e in events if isinstance(e, dict) and e.get("event") == "user"]


def test_menus_are_navigated_by_editing_the_message(telegram: FakeTelegram, responder: Responder) -> None:
    chat = 3001
    telegram.push(user_message(chat, text="/start tg"))
    (first,) = telegram.wait_sent(chat, 1)
    prompt = responder.catalogues.gettext("tg", messages.MENU_PROMPT)
    assert first["text"].endswith(f"\n\n{prompt}")                  # the privacy notice above the menu

    # the notice stays in the chat: the first menu press sends the category as a new message
    telegram.push(button_press(chat, '/show_category{"category":"wages"}', on=first))
    category = telegram.wait_sent(chat, 2)[-1]
    assert category["text"] == responder.catalogues.gettext("tg", messages.CATEGORY_PROMPT)
    assert '"/wages_unpaid"' in str(category["reply_markup"]).replace("'", '"')
    assert telegram.sent(chat, "editMessageText") == []

    telegram.push(button_press(chat, "/menu", on=category))          # "Back" edits the bare menu
    (menu,) = telegram.wait_sent(chat, 1, method="editMessageText")
    assert menu["text"] == prompt
    telegram.push(button_press(chat, '/show_category{"category":"wages"}', on=menu))
    edits = telegram.wait_sent(chat, 2, method="editMessageText")
    assert edits[-1]["text"] == category["text"]
    assert len(telegram.sent(chat)) == 2                             # no new message so far

    telegram.push(button_press(chat, "/wages_unpaid", on=edits[-1]))  # the country question replaces the menu
    asked = telegram.wait_sent(chat, 3, method="editMessageText")[-1]
    assert responder.catalogues.gettext("tg", messages.COUNTRY_ASK) in str(asked["text"])

    telegram.push(button_press(chat, '/country{"country":"RU","topic":"wages_unpaid"}', on=asked))
    answer = telegram.wait_sent(chat, 3)[-1]                         # it names the topic: kept in the chat
    assert "ТК РФ" in str(answer["text"])

    telegram.push(button_press(chat, '/more{"topic":"wages_unpaid"}', on=answer))
    sent = telegram.wait_sent(chat, 4)                               # an answer is never overwritten
    assert len(sent) == 4 and len(telegram.sent(chat, "editMessageText")) == 3


def test_a_location_is_kept_only_as_a_coarse_hint(
        telegram: FakeTelegram, responder: Responder, stack: Stack) -> None:
    chat = 3002
    telegram.push(user_message(chat, text="/start ky"))
    telegram.wait_sent(chat, 1)
    telegram.push(user_message(chat, location={"latitude": 42.87462, "longitude": 74.56976}))
    reply = telegram.wait_sent(chat, 2)[-1]
    assert reply["text"] == responder.catalogues.gettext("ky", messages.LOCATION_KEPT)
    state = tracker(stack, conversation_key("telegram", chat))
    assert state["slots"]["place"] == "42.9,74.6"  # type: ignore[index]
    assert "42.87" not in str(state) and "74.56" not in str(state)


def test_a_shared_phone_number_never_reaches_the_bot(
        telegram: FakeTelegram, responder: Responder, stack: Stack) -> None:
    chat = 3003
    telegram.push(user_message(chat, text="/start uz"))
    telegram.wait_sent(chat, 1)
    telegram.push(user_message(chat, contact={"phone_number": "+79161234567", "first_name": "W"}))
    reply = telegram.wait_sent(chat, 2)[-1]
    assert reply["text"] == responder.catalogues.gettext("uz", messages.CONTACT_NOT_KEPT)
    assert "9161234567" not in str(tracker(stack, conversation_key("telegram", chat)))


def test_a_deep_link_carries_a_language_and_an_organisation(telegram: FakeTelegram, stack: Stack) -> None:
    chat = 3004
    telegram.push(user_message(chat, text="/start tg-fnpr_msk"))
    telegram.wait_sent(chat, 1)
    slots = tracker(stack, conversation_key("telegram", chat))["slots"]
    assert slots["language"] == "tg" and slots["referrer"] == "fnpr_msk"  # type: ignore[index]


def test_in_groups_the_bot_answers_only_when_addressed_and_only_with_a_private_link(
        telegram: FakeTelegram, responder: Responder, stack: Stack) -> None:
    group = -5001
    telegram.push(user_message(group, text="мне не платят зарплату", chat_type="group"))
    telegram.push(button_press(group, "/wages_unpaid", chat_type="group"))
    telegram.push(user_message(group, text="@helpline_test_bot мне не платят зарплату",
                               chat_type="supergroup", language_code="tg",
                               entities=[{"type": "mention", "offset": 0, "length": 18}]))
    (reply,) = telegram.wait_sent(group, 1)
    assert reply["text"] == responder.catalogues.gettext("tg", messages.GROUP_PRIVATE_ONLY)
    (button,) = reply["reply_markup"]["inline_keyboard"][0]
    assert button["url"] == "https://t.me/helpline_test_bot?start=tg"
    telegram.push(user_message(5002, text="/menu"))   # a private chat after them is answered
    assert telegram.wait_sent(5002, 1)
    assert len(telegram.sent(group)) == 1             # the unaddressed message got nothing
    assert user_events(stack, conversation_key("telegram", group)) == []    # no conversation for the group


def test_a_reply_that_cannot_be_delivered_is_retried_and_logged_without_content(
        telegram_with_log: tuple[FakeTelegram, Stack], responder: Responder) -> None:
    fake, gateway = telegram_with_log
    chat = 3005
    fake.fail_sends = 3
    fake.push(user_message(chat, text="/start en"))
    sent = fake.wait_sent(chat, 1, timeout=60)
    said = f'{responder.catalogues.gettext("en", messages.LANGUAGE_SET)}\n{responder.privacy_notice("en").text}'
    assert [s["text"] for s in sent] == [f'{said}\n\n{responder.catalogues.gettext("en", messages.MENU_PROMPT)}']
    attempts = [c for c in fake.method_calls("sendMessage") if int(c["chat_id"]) == chat]
    assert len(attempts) == 4                         # 3 refused, then delivered
    log = (gateway.settings.data_dir / "log" / "gateway.log").read_text()
    assert log.count("not delivered (NetworkError)") == 3
    assert str(chat) not in log and "English" not in log and "TEST-token" not in log


@pytest.fixture
def telegram_with_log(stack: Stack, tmp_path: Path) -> Iterator[tuple[FakeTelegram, Stack]]:
    """A gateway of its own, so its log holds only this test's deliveries."""
    fake = FakeTelegram()
    port = free_port()
    with Server(fake.app(), port), gateway_beside(stack, tmp_path, **fake_telegram_settings(port)) as gateway:
        yield fake, gateway


async def test_documents_are_sent_with_send_document() -> None:
    fake = FakeTelegram()
    port = free_port()
    bot = Bot("123456:TEST-token", base_url=f"http://127.0.0.1:{port}/bot")
    letter = Document("pretenziya.pdf", "application/pdf", b"%PDF-1.7 test")
    with Server(fake.app(), port):
        async with bot:
            await Sender(bot, Outbox()).send(4242, [Reply("", (), letter), Reply("Готово.")])
    (call,) = fake.method_calls("sendDocument")
    assert call["document_filename"] == "pretenziya.pdf" and call["document_bytes"] == b"%PDF-1.7 test"
    assert [c["text"] for c in fake.method_calls("sendMessage")] == ["Готово."]
