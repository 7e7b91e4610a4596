"""/forget end to end: the user's words and answers leave Rasa's tracker store (the rows) and
the case store, checked by reading both databases afterwards; raw channel ids never get in."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages as m
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Case
from bot.devtools.fake_telegram import FakeTelegram, Server, button_press, user_message
from bot.privacy import trackers
from bot.processes import Stack
from bot.replies import CASE_OPEN_SHARED, Responder
from tests.conftest import TEST_KEYS, conversation_key, fake_telegram_settings, free_port, gateway_beside
from tests.web_user import WebUser, gateway_url

pytestmark = pytest.mark.rasa
CHAT = 777000123456          # a Telegram chat id long enough to search the database files for


@pytest.fixture(scope="module")
def gateway(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, FakeTelegram]]:
    fake = FakeTelegram()
    port = free_port()
    with Server(fake.app(), port), gateway_beside(stack, tmp_path_factory.mktemp("forget"),
                                                  **fake_telegram_settings(port)) as own:
        yield own, fake


def wait_for(fake: FakeTelegram, found: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict[str, Any]:
    """The first message to CHAT not seen before that `found` accepts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in fake.sent(CHAT)[len(SEEN):]:
            SEEN.append(call)
            if found(call):
                return call
        time.sleep(0.05)
    raise AssertionError("the expected message never came")


SEEN: list[dict[str, Any]] = []


def tracker_db(stack: Stack) -> Path:
    return stack.settings.data_dir / "rasa" / "tracker.db"


def cases_of(gateway: Stack, conversation: str) -> list[Case]:
    engine = make_engine(gateway.settings.database)
    try:
        with make_sessions(engine).begin() as session:
            found = session.query(Case).filter(Case.conversation == conversation).all()
            for case in found:
                _ = case.messages
            return found
    finally:
        engine.dispose()


def test_forgetting_a_web_conversation_with_a_case(stack: Stack, gateway: tuple[Stack, FakeTelegram],
                                                   responder: Responder) -> None:
    own, _fake = gateway
    session_id = "forgetweb0001secret"
    key = conversation_key("web", session_id)
    with WebUser(gateway_url(own), session_id) as user:
        say = user.say

        say(payload='/choose_language{"language":"tg"}')
        say(text="дар Маскав кор мекунам, маош намедиҳанд")
        say(payload='/country{"country":"RU","topic":"wages_unpaid"}')
        say(payload=CASE_OPEN_SHARED)
        say(text="ман дар анбор кор мекунам, ду моҳ маош надоданд")          # to the caseworker
        engine = trackers.tracker_engine(stack.settings)
        try:
            assert trackers.count_events(engine, key) > 5
            (case,) = cases_of(own, key)
            assert case.summary and any("анбор" in msg.body for msg in case.messages)
            case_id = case.id

            offered = say(payload="/privacy_forget")            # a case is open: casework holds it
            assert responder.catalogues.gettext("tg", m.CASE_STILL_OPEN) in str(offered[-1]["text"])
            done = say(payload='/forget_all{"language":"tg"}')
            assert done[0]["text"] == responder.catalogues.gettext("tg", m.FORGOTTEN)

            assert trackers.count_events(engine, key) == 0
        finally:
            engine.dispose()
    assert cases_of(own, key) == []
    (emptied,) = cases_of(own, f"forgotten:{case_id}")
    assert emptied.summary == "" and emptied.address is None and emptied.state.value == "closed"
    assert emptied.messages and all(msg.body == "" for msg in emptied.messages)   # the count stays
    with sqlite3.connect(tracker_db(stack)) as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE data LIKE '%анбор%'").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM events WHERE sender_id LIKE 'web:forgetweb%'").fetchone() == (0,)
    assert session_id.encode() not in tracker_db(stack).read_bytes()   # the raw session id never got in


def test_forgetting_a_telegram_chat_and_raw_ids_never_stored(stack: Stack, gateway: tuple[Stack, FakeTelegram],
                                                             responder: Responder) -> None:
    own, fake = gateway
    key = conversation_key("telegram", CHAT)
    fake.push(user_message(CHAT, text="/start ru"))
    wait_for(fake, lambda call: "inline_keyboard" in str(call.get("reply_markup")))        # the menu
    fake.push(user_message(CHAT, text="в России мне не платят зарплату второй месяц"))
    wait_for(fake, lambda call: "ТК" in str(call.get("text")))                              # the answer
    fake.push(user_message(CHAT, text="/forget"))
    explained = wait_for(fake, lambda call: '/forget_all{"language":"ru"}' in str(call.get("reply_markup")))
    engine = trackers.tracker_engine(stack.settings)
    try:
        assert trackers.count_events(engine, key) > 0
        fake.push(button_press(CHAT, '/forget_all{"language":"ru"}', on=explained))
        wait_for(fake, lambda call: str(call.get("text")).startswith(   # the menu under it
            f'{responder.catalogues.gettext("ru", m.FORGOTTEN)}\n\n'))
        assert trackers.count_events(engine, key) == 0
    finally:
        engine.dispose()
    assert str(CHAT).encode() not in tracker_db(stack).read_bytes()
    assert str(CHAT).encode() not in Path(own.settings.database.removeprefix("sqlite:///")).read_bytes()
    assert key == TEST_KEYS.conversation("telegram", str(CHAT))
