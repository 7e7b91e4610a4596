"""The real python-telegram-bot client in the gateway, polling a local fake Bot API server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot import messages
from bot.replies import Responder
from bot.services import Stack, start_gateway
from tests.conftest import free_port, make_settings
from tests.fake_telegram import FakeTelegram, Server, button_press, user_message

pytestmark = pytest.mark.rasa
SECRET = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture(scope="module")
def telegram(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    port = free_port()
    settings = make_settings(
        tmp_path_factory.mktemp("tg"), rasa_port=stack.settings.rasa_port,
        action_port=stack.settings.action_port, telegram_bot_token="123456:TEST-token",
        telegram_api_base_url=f"http://127.0.0.1:{port}/bot")
    with Server(fake.app(), port):
        gateway = Stack(settings)
        start_gateway(gateway)
        try:
            gateway.wait_ready(timeout=60)
            yield fake
        finally:
            gateway.stop()


def texts(sent: list[dict[str, object]]) -> str:
    return "\n".join(str(s.get("text", "")) for s in sent)


@pytest.mark.parametrize(("chat_id", "language"), [
    (1001, "ru"), (1002, "uz"), (1003, "tg"), (1004, "ky"), (1005, "en"), (1006, "uz_Cyrl"),
])
def test_start_with_a_language_in_each_language(
        telegram: FakeTelegram, responder: Responder, chat_id: int, language: str) -> None:
    telegram.push(user_message(chat_id, text=f"/start {language}"))
    sent = telegram.wait_sent(chat_id, 2)
    assert sent[0]["text"] == responder.catalogues.gettext(language, messages.LANGUAGE_SET)
    assert sent[1]["text"] == responder.catalogues.gettext(language, messages.MENU_PROMPT)
    assert "reply_markup" in sent[1]   # the menu comes with buttons


def test_start_without_a_language_offers_the_languages(telegram: FakeTelegram) -> None:
    telegram.push(user_message(1007, text="/start", language_code="ky"))
    sent = telegram.wait_sent(1007, 2)
    titles = [row[0]["text"] for row in sent[-1]["reply_markup"]["inline_keyboard"]]
    assert titles == ["Русский", "Oʻzbekcha", "Ўзбекча", "Тоҷикӣ", "Кыргызча", "English"]


def test_question_button_voice_and_long_message(telegram: FakeTelegram) -> None:
    chat = 2001
    telegram.push(user_message(chat, text="корфармо ду моҳ маош намедиҳад", language_code="tg"))
    sent = telegram.wait_sent(chat, 1)
    assert "ТК РФ" in texts(sent)
    buttons = sent[-1]["reply_markup"]["inline_keyboard"]
    assert {"text": "Сӯҳбат бо инсон", "callback_data": "/handoff_human"} in [row[0] for row in buttons]

    telegram.push(button_press(chat, '/more{"topic":"wages_unpaid"}'))
    sent = telegram.wait_sent(chat, len(sent) + 1)
    assert telegram.method_calls("answerCallbackQuery")

    before = len(sent)
    telegram.push(user_message(chat, voice={"file_id": "v1", "file_unique_id": "v1", "duration": 3}))
    sent = telegram.wait_sent(chat, before + 1)
    assert "/human" in str(sent[-1]["text"])

    before = len(sent)
    telegram.push(user_message(chat, text="мне не платят зарплату " * 220))
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
    settings = make_settings(
        tmp_path_factory.mktemp("tgw"), rasa_port=stack.settings.rasa_port,
        action_port=stack.settings.action_port, telegram_bot_token="123456:TEST-token",
        telegram_api_base_url=f"http://127.0.0.1:{port}/bot",
        telegram_webhook_url="https://helpline.example/telegram/webhook",
        telegram_webhook_secret="right-secret")
    with Server(fake.app(), port):
        gateway = Stack(settings)
        start_gateway(gateway)
        try:
            gateway.wait_ready(timeout=60)
            yield fake, f"http://{settings.gateway_host}:{settings.gateway_port}/telegram/webhook"
        finally:
            gateway.stop()


def test_webhook_checks_the_secret_and_refuses_malformed_updates(
        webhook: tuple[FakeTelegram, str]) -> None:
    fake, url = webhook
    (set_webhook,) = fake.method_calls("setWebhook")
    assert set_webhook["secret_token"] == "right-secret"
    update = {"update_id": 90, **user_message(4001, text="/start en")}
    assert httpx.post(url, json=update).status_code == 403
    assert httpx.post(url, json=update, headers={SECRET: "wrong-secret"}).status_code == 403
    assert httpx.post(url, content=b"{nope", headers={SECRET: "right-secret"}).status_code == 400
    assert httpx.post(url, json={"update_id": 91, "message": {"unexpected": True}},
                      headers={SECRET: "right-secret"}).status_code == 400
    assert fake.sent(4001) == []
    assert httpx.post(url, json=update, headers={SECRET: "right-secret"}).status_code == 200
    assert "I will answer in English" in texts(fake.wait_sent(4001, 2))


def test_groups_get_no_conversation(telegram: FakeTelegram) -> None:
    group = -5001
    message = user_message(group, text="мне не платят зарплату")
    message["message"]["chat"] = {"id": group, "type": "group", "title": "workers"}
    telegram.push(message)
    press = button_press(group, "/wages_unpaid")
    press["callback_query"]["message"]["chat"] = {"id": group, "type": "group", "title": "workers"}
    telegram.push(press)
    telegram.push(user_message(5002, text="/menu"))   # a private chat after them is answered
    assert telegram.wait_sent(5002, 1)
    assert telegram.sent(group) == []
