"""Updates that are not a plain new text, on the real python-telegram-bot client in the gateway
(webhook mode, so a test chooses each `update_id`) against the local fake Bot API: a repeated
update, an edited message, a photo or a file with words under it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot import messages
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Case, CaseMessage, Sender
from bot.devtools.fake_telegram import FakeTelegram, Server, button_press, user_message
from bot.devtools.ports import free_port
from bot.processes import Stack
from bot.replies import CASE_OPEN_PRIVATE, Responder
from tests.conftest import conversation_key, fake_telegram_settings, gateway_beside

pytestmark = pytest.mark.rasa
SECRET = "X-Telegram-Bot-Api-Secret-Token"
RIGHT_SECRET = "secret-for-the-telegram-updates-tests-01"
PHOTO = [{"file_id": "payslip", "file_unique_id": "payslip-u", "width": 90, "height": 120}]


class Gateway:
    def __init__(self, fake: FakeTelegram, stack: Stack) -> None:
        self.telegram, self.stack = fake, stack

    def post(self, update_id: int, update: dict[str, Any]) -> None:
        settings = self.stack.settings
        response = httpx.post(f"http://{settings.gateway_host}:{settings.gateway_port}/telegram/webhook",
                              json={"update_id": update_id, **update}, headers={SECRET: RIGHT_SECRET}, timeout=60)
        assert response.status_code == 200       # a repeat too: Telegram must stop re-sending it

    def cases(self, chat: int) -> list[tuple[int, list[tuple[Sender, str]]]]:
        """Each case of `chat`, with its messages (sender, body) in order."""
        engine = make_engine(self.stack.settings.database)
        try:
            with make_sessions(engine)() as session:
                cases = session.scalars(select(Case).where(Case.conversation == conversation_key("telegram", chat)))
                return [(case.id, [(x.sender, x.body) for x in session.scalars(
                    select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id))])
                    for case in cases]
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def gateway(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    fake = FakeTelegram()
    port = free_port()
    with Server(fake.app(), port), gateway_beside(
            stack, tmp_path_factory.mktemp("tg-updates"), **fake_telegram_settings(port),
            telegram_webhook_url="https://helpline.example/telegram/webhook",
            telegram_webhook_secret=RIGHT_SECRET) as own:
        yield Gateway(fake, own)


def settle(gateway: Gateway, chat: int, count: int) -> list[dict[str, Any]]:
    """The chat's messages once `count` have come and a late extra one would have come too."""
    gateway.telegram.wait_sent(chat, count)
    time.sleep(0.5)
    return gateway.telegram.sent(chat)


def test_a_repeated_update_gets_one_answer_and_opens_one_case(gateway: Gateway, responder: Responder) -> None:
    chat = 8101
    gateway.post(81_010, user_message(chat, text="/start ru"))
    gateway.post(81_011, button_press(chat, CASE_OPEN_PRIVATE))
    gateway.post(81_011, button_press(chat, CASE_OPEN_PRIVATE))      # Telegram's retry of a slow answer
    gateway.post(81_012, user_message(chat, text="хозяин не отдаёт паспорт"))
    gateway.post(81_012, user_message(chat, text="хозяин не отдаёт паспорт"))  # and of a message in the case
    sent = settle(gateway, chat, 2)
    queued = responder.catalogues.gettext("ru", messages.CASE_QUEUED)
    assert len(sent) == 2 and queued in str(sent[1]["text"])          # the welcome, one "queued"
    ((_, stored),) = gateway.cases(chat)                              # one case
    assert [body for who, body in stored if who is Sender.user] == ["хозяин не отдаёт паспорт"]


def test_an_edit_is_not_answered_and_inside_a_case_reaches_the_caseworker(
        gateway: Gateway, responder: Responder) -> None:
    chat = 8102
    gateway.post(81_020, user_message(chat, text="/start ru"))
    asked = user_message(chat, text="не платят зарплату")
    gateway.post(81_021, asked)
    before = len(settle(gateway, chat, 2))
    gateway.post(81_022, {"edited_message": {**asked["message"], "text": "не платят три месяца", "edit_date": 1}})
    assert len(settle(gateway, chat, before)) == before                # outside a case: no second answer
    assert gateway.cases(chat) == []

    gateway.post(81_023, button_press(chat, CASE_OPEN_PRIVATE))
    wrote = user_message(chat, text="два месяца не платят")
    gateway.post(81_024, wrote)
    gateway.post(81_025, {"edited_message": {**wrote["message"], "text": "три месяца не платят", "edit_date": 2}})
    photo = user_message(chat, photo=PHOTO, caption="вот расчётный лист")
    gateway.post(81_026, photo)
    gateway.post(81_027, {"edited_message": {**photo["message"], "caption": "вот расчётный лист за май",
                                             "edit_date": 3}})
    sent = settle(gateway, chat, before + 2)                           # "queued", and the picture notice
    assert len(sent) == before + 2
    assert sent[-1]["text"] == responder.catalogues.gettext("ru", messages.PICTURE_NOT_SEEN)
    ((_, stored),) = gateway.cases(chat)
    edited = responder.catalogues.gettext("ru", messages.CASE_EDITED)
    assert [body for who, body in stored if who is Sender.user] == [
        "два месяца не платят", edited.format(text="три месяца не платят"),
        "вот расчётный лист", edited.format(text="вот расчётный лист за май")]
    assert "payslip" not in str(stored)                                # the photo itself is not kept


@pytest.mark.parametrize(("chat", "media"), [
    (8103, {"photo": PHOTO}),
    (8104, {"document": {"file_id": "doc", "file_unique_id": "doc-u", "file_name": "list.pdf"}}),
])
def test_the_words_under_a_photo_or_a_file_are_read_as_the_question(
        gateway: Gateway, responder: Responder, stack: Stack, chat: int, media: dict[str, Any]) -> None:
    gateway.post(chat * 10, user_message(chat, text="/start ru"))
    gateway.post(chat * 10 + 1, user_message(chat, caption="не платят", **media))
    sent = settle(gateway, chat, 2)
    assert len(sent) == 2
    notice = responder.catalogues.gettext("ru", messages.PICTURE_NOT_SEEN)
    assert str(sent[1]["text"]).startswith(f"{notice}\n\n")             # said plainly, above the answer
    assert "wages_unpaid" in str(sent[1].get("reply_markup"))           # the unpaid-wages answer
    tracker = httpx.get(f"{stack.settings.rasa_url}/conversations/{conversation_key('telegram', chat)}/tracker",
                        params={"token": stack.settings.rasa_token.get_secret_value()}).json()
    said = [e["text"] for e in tracker["events"] if e.get("event") == "user"]
    assert said[-1] == "не платят"
    assert "payslip" not in str(tracker) and "list.pdf" not in str(tracker)


def test_a_photo_without_words_still_gets_the_text_only_reply(gateway: Gateway, responder: Responder) -> None:
    chat = 8105
    gateway.post(81_050, user_message(chat, text="/start ru"))
    gateway.post(81_051, user_message(chat, photo=PHOTO))
    sent = settle(gateway, chat, 2)
    assert sent[-1]["text"] == responder.catalogues.gettext("ru", messages.ONLY_TEXT)
