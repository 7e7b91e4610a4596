"""The complaint letter end to end: a PDF download on the web API and sendDocument on the
fake Telegram server, through the real gateway, Rasa and action server."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest

from bot.devtools.fake_telegram import FakeTelegram, Server, button_press, user_message
from bot.processes import Stack
from tests.conftest import fake_telegram_settings, free_port, gateway_beside
from tests.web_user import WebUser, gateway_url

pytestmark = pytest.mark.rasa
SKIP = '/letter{"skip":"yes"}'


def test_a_letter_as_a_download_on_the_web(stack: Stack) -> None:
    with WebUser(gateway_url(stack), "letterweb01") as user:
        say = user.say
        say(payload='/choose_language{"language":"uz"}')
        say(payload="/complaint_letter")
        say(payload='/letter{"kind":"inspectorate_complaint"}')
        say(text="OOO Romashka")                                    # the employer; every other field skipped
        last: list[dict[str, object]] = []
        for _ in range(8):
            last = say(payload=SKIP)
        documents = [m["document"] for m in last if "document" in m]
    (document,) = documents
    assert isinstance(document, dict) and document["media_type"] == "application/pdf"
    data = base64.b64decode(str(document["base64"]))
    assert data.startswith(b"%PDF") and len(data) > 5_000


@pytest.fixture(scope="module")
def telegram(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    port = free_port()
    with Server(fake.app(), port), gateway_beside(stack, tmp_path_factory.mktemp("tgletter"),
                                                  **fake_telegram_settings(port)):
        yield fake


def latest_question(fake: FakeTelegram, chat: int, after: int) -> tuple[int, dict[str, object]] | None:
    """The newest letter question (a message, sent or edited, with a Skip button) for `chat`
    after log index `after`. Messages with other buttons — the summary before the document —
    are not questions, so the test never answers them."""
    for index in range(len(fake.log) - 1, after, -1):
        call = fake.log[index]
        if call.ok and call.method in ("sendMessage", "editMessageText") \
                and int(call.params.get("chat_id", 0)) == chat and SKIP in str(call.params.get("reply_markup", "")):
            return index, call.params
    return None


def test_a_letter_as_a_telegram_document(telegram: FakeTelegram) -> None:
    chat = 8101
    telegram.push(user_message(chat, text="/start tg"))
    telegram.wait_sent(chat, 1)
    telegram.push(button_press(chat, "/complaint_letter"))
    kinds = telegram.wait_sent(chat, 2)[-1]
    telegram.push(button_press(chat, '/letter{"kind":"employer_claim"}', on=kinds))
    seen = len(telegram.log) - 1
    pressed = 0
    deadline = time.monotonic() + 90
    while not telegram.method_calls("sendDocument"):
        assert time.monotonic() < deadline, "no document"
        found = latest_question(telegram, chat, seen)
        if found is None:
            time.sleep(0.1)
            continue
        seen, question = found
        if pressed == 0:
            telegram.push(user_message(chat, text="ИП Раҳимов"))          # the employer; the rest skipped
        else:
            telegram.push(button_press(chat, SKIP, on=question))
        pressed += 1
    (document,) = telegram.wait_sent(chat, 1, method="sendDocument", timeout=30)
    assert str(document["document_filename"]).endswith(".pdf")
    assert bytes(document["document_bytes"]).startswith(b"%PDF")
    assert pressed == 8                                                    # one question per field
