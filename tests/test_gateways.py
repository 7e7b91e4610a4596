"""Several gateways side by side, for real: two gateway processes in front of one Rasa,
sharing the PostgreSQL database (cases, the casework lease) and Redis (message limits and
languages), both taking Telegram webhook updates. A caseworker's reply written through one
gateway reaches the Telegram user exactly once, also after the gateway that delivered it is
killed; a conversation spread over both gateways has one message limit and one language."""

from __future__ import annotations

import itertools
import os
import secrets
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import messages as m
from bot.devtools.fake_telegram import FakeTelegram, Server, button_press, user_message
from bot.processes import Stack, start_actions, start_gateway, start_rasa
from bot.replies import CASE_OPEN_PRIVATE, Responder
from tests.conftest import fake_telegram_settings, free_port, make_settings
from tests.console_client import Console, add_caseworker
from tests.web_user import WebUser, gateway_url

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.redis]
REDIS = "redis://127.0.0.1:6379/7"
SECRET = "gateways-webhook-secret-0123456789"
LIMIT = 4


@dataclass
class Pair:
    first: Stack          # Rasa, the action server and gateway A
    second: Stack         # gateway B
    telegram: FakeTelegram
    database: str
    ids: Iterator[int]

    def url(self, stack: Stack) -> str:
        return gateway_url(stack)

    def post_update(self, stack: Stack, update: dict[str, Any]) -> None:
        response = httpx.post(f"{self.url(stack)}/telegram/webhook", json={"update_id": next(self.ids), **update},
                              headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=60)
        assert response.status_code == 200


@pytest.fixture(scope="module")
def pair(model: Path, postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    fake, port = FakeTelegram(), free_port()
    common: dict[str, object] = {
        "tracker_store_url": postgres_url, "lock_store_url": REDIS, "database_url": postgres_url,
        "shared_state_url": REDIS, "messages_per_minute": LIMIT, **fake_telegram_settings(port),
        "telegram_webhook_url": "https://helpline.example/telegram/webhook", "telegram_webhook_secret": SECRET}
    first = Stack(make_settings(tmp_path_factory.mktemp("gateway-a"), **common))
    settings = first.settings
    second = Stack(make_settings(tmp_path_factory.mktemp("gateway-b"), **common, rasa_port=settings.rasa_port,
                                 action_port=settings.action_port, rasa_token=settings.rasa_token))
    with Server(fake.app(), port):
        try:
            start_actions(first)
            start_rasa(first, model)
            start_gateway(first)
            first.wait_ready()
            start_gateway(second)
            second.wait_ready(timeout=60)
            yield Pair(first, second, fake, postgres_url, itertools.count(50_000))
        finally:
            second.stop()
            first.stop()


def test_a_conversation_over_both_gateways_has_one_limit_and_one_language(pair: Pair,
                                                                         responder: Responder) -> None:
    session = f"both-gateways-{secrets.token_hex(6)}"
    slow_down = responder.catalogues.gettext("ky", m.SLOW_DOWN)
    with WebUser(pair.url(pair.first), session) as on_a, WebUser(pair.url(pair.second), session) as on_b:
        on_a.texts(payload='/choose_language{"language":"ky"}')     # 1, through A
        on_b.texts(text="айлык бербей жатат")                       # 2, through B
        on_a.texts(payload="/menu")                                 # 3
        assert on_b.texts(text="паспортумду алып коюшту") != [slow_down]   # 4: the last one allowed
        assert on_a.texts(text="дагы бир суроо") == [slow_down]     # 5: A knows B's count, and Kyrgyz
        assert on_b.texts(text="дагы бир") == [slow_down]
    with WebUser(pair.url(pair.second), f"other-{secrets.token_hex(6)}") as other:
        assert other.texts(text="салам") != [slow_down]             # another conversation: its own count


def wait_for(telegram: FakeTelegram, chat: int, text: str, timeout: float = 45) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [s for s in telegram.sent(chat) if text in str(s.get("text"))]
        if found:
            return found
        time.sleep(0.1)
    return []


def test_a_reply_through_either_gateway_reaches_telegram_once_even_when_one_dies(pair: Pair) -> None:
    chat = 7_300_000 + secrets.randbelow(99_999)
    pair.post_update(pair.second, user_message(chat, text="/start ru", language_code="ru"))
    pair.post_update(pair.second, button_press(chat, CASE_OPEN_PRIVATE))
    pair.post_update(pair.first, user_message(chat, text="мне не платят два месяца"))
    add_caseworker(pair.database, f"gw-{chat}@helpline.example")
    console = Console(pair.url(pair.second))
    console.login(f"gw-{chat}@helpline.example")
    case_id = max(console.case_ids())
    assert console.act(case_id, "claim").status_code in (200, 303)
    assert "мне не платят два месяца" in [x["body"] for x in console.messages(case_id)]

    assert console.act(case_id, "reply", body="Первый ответ через шлюз B").status_code in (200, 303)
    assert len(wait_for(pair.telegram, chat, "Первый ответ через шлюз B")) == 1

    gateway_a = pair.first.processes["gateway"]   # A started first: it holds the delivery loop
    os.killpg(gateway_a.pid, signal.SIGKILL)       # gone without releasing it: B takes over
    gateway_a.wait(timeout=10)
    assert console.act(case_id, "reply", body="Второй ответ после остановки A").status_code in (200, 303)
    assert len(wait_for(pair.telegram, chat, "Второй ответ после остановки A")) == 1
    time.sleep(3)                # a second delivery, if there were one, would have come by now
    for text in ("Первый ответ через шлюз B", "Второй ответ после остановки A"):
        assert len([s for s in pair.telegram.sent(chat) if text in str(s.get("text"))]) == 1
