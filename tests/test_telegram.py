"""The real python-telegram-bot client in the gateway, polling a local fake Bot API server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.services import Stack, start_gateway
from tests.conftest import free_port, make_settings
from tests.fake_telegram import FakeTelegram, Server, button_press, user_message

pytestmark = pytest.mark.rasa


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


@pytest.mark.parametrize(("chat_id", "language", "marker"), [
    (1001, "ru", "Здравствуйте"), (1002, "uz", "Assalomu"), (1003, "tg", "Ассалому"),
    (1004, "ky", "Саламатсызбы"), (1005, "en", "Hello"), (1006, "uz_Cyrl", "Ассалому"),
])
def test_start_with_a_language_in_each_language(
        telegram: FakeTelegram, chat_id: int, language: str, marker: str) -> None:
    telegram.push(user_message(chat_id, text=f"/start {language}"))
    sent = telegram.wait_sent(chat_id, 2)
    assert sent, "the bot sent nothing"
    assert "reply_markup" in sent[-1]   # the menu comes with buttons


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
