"""Handing a conversation to a person, end to end: a user on the web API or on the fake
Telegram server, a caseworker in the console over HTTP, the real gateway, Rasa and action
server. The bot stays quiet while a person holds the case; nothing is lost or reordered,
including across a gateway restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.devtools.fake_telegram import FakeTelegram, Server, button_press, user_message
from bot.processes import Stack, start_gateway
from bot.replies import CASE_END, CASE_OPEN_PRIVATE, CASE_OPEN_SHARED, Responder
from bot.settings import Settings
from tests.conftest import fake_telegram_settings, free_port, gateway_beside
from tests.console_client import Console, add_caseworker, client
from tests.web_user import web_session

pytestmark = pytest.mark.rasa



@dataclass
class Gateway:
    stack: Stack

    @property
    def settings(self) -> Settings:
        return self.stack.settings

    @property
    def base(self) -> str:
        return f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"

    def restart(self) -> None:
        process = self.stack.processes.pop("gateway")
        process.terminate()
        process.wait(timeout=20)
        start_gateway(self.stack)
        self.stack.wait_ready(timeout=60)


@pytest.fixture(scope="module")
def gateway(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    with gateway_beside(stack, tmp_path_factory.mktemp("cases")) as own:
        add_caseworker(own.settings.database, "cw@helpline.example")
        add_caseworker(own.settings.database, "other@union.example", organisation="other_union")
        yield Gateway(own)


class WebUser:
    def __init__(self, base: str, session_id: str) -> None:
        self.http = client(base)
        self.session_id = web_session(session_id)

    def say(self, **body: str) -> dict[str, Any]:
        response = self.http.post("/api/chat", json={"session_id": self.session_id, **body})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def updates(self) -> dict[str, Any]:
        response = self.http.get("/api/chat/updates", params={"session_id": self.session_id})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def wait_updates(self, count: int, timeout: float = 20) -> list[str]:
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            got += [m["text"] for m in self.updates()["messages"]]
            time.sleep(0.2)
        return got


def texts(reply: dict[str, Any]) -> str:
    return "\n".join(m["text"] for m in reply["messages"])


def test_web_user_and_caseworker_full_lifecycle(gateway: Gateway, responder: Responder) -> None:
    _ = lambda message: responder.catalogues.gettext("ru", message)  # noqa: E731
    user = WebUser(gateway.base, "webcase0001")
    user.say(payload='/choose_language{"language":"ru"}')
    user.say(text="мне не платят зарплату уже два месяца")
    consent = user.say(payload="/handoff_human")
    payloads = [b["payload"] for m in consent["messages"] for b in m["buttons"]]
    assert CASE_OPEN_SHARED in payloads and CASE_OPEN_PRIVATE in payloads
    queued = user.say(payload=CASE_OPEN_SHARED)
    assert _(messages.CASE_QUEUED) in texts(queued) and queued["case"] == "queued"
    assert queued["messages"][-1]["buttons"][0]["payload"] == CASE_END

    quiet = user.say(text="хозяин говорит заплатит потом")        # the bot does not answer
    assert quiet["messages"] == [] and quiet["case"] == "queued"

    console = Console(gateway.base)
    assert console.login("cw@helpline.example").status_code == 303
    (case_id,) = console.case_ids()
    page = console.http.get(f"/console/cases/{case_id}").text
    assert "мне не платят зарплату уже два месяца" in page           # the shared transcript
    assert "хозяин говорит заплатит потом" in page
    assert "topic: wages_unpaid" in page

    assert console.act(case_id, "claim").status_code == 303
    assert user.wait_updates(1) == [_(messages.CASE_JOINED)]
    for n in range(3):
        assert console.act(case_id, "reply", body=f"Ответ {n}").status_code == 303
    console.act(case_id, "note", body="internal: call the union tomorrow")
    assert user.wait_updates(3) == ["Ответ 0", "Ответ 1", "Ответ 2"]    # in order, notes never shown
    for n in range(3):
        assert user.say(text=f"сообщение {n}")["messages"] == []
    bodies = [m["body"] for m in console.messages(case_id) if m["sender"] == "user"]
    assert bodies[-3:] == ["сообщение 0", "сообщение 1", "сообщение 2"]

    gateway.restart()                                                # mid-case: nothing is lost
    assert user.say(text="вы тут?")["messages"] == []
    console.act(case_id, "reply", body="Да, я здесь")
    assert user.wait_updates(1) == ["Да, я здесь"]

    assert console.act(case_id, "close", outcome="advice_given").status_code == 303
    ended = user.wait_updates(1)
    assert ended == [_(messages.CASE_ENDED)]
    back = user.say(text="в России уволили без предупреждения")       # the bot is back (country said)
    assert back["case"] is None and back["messages"] and "ТК РФ" in texts(back)


def test_the_user_can_leave_and_a_private_case_shows_no_transcript(gateway: Gateway, responder: Responder) -> None:
    user = WebUser(gateway.base, "webcase0002")
    user.say(payload='/choose_language{"language":"tg"}')
    user.say(text="паспортамро гирифтанд")
    user.say(payload=CASE_OPEN_PRIVATE)
    console = Console(gateway.base)
    console.login("cw@helpline.example")
    case_id = max(console.case_ids())
    page = console.http.get(f"/console/cases/{case_id}").text
    assert "паспортамро гирифтанд" not in page
    left = user.say(text="/end")
    assert responder.catalogues.gettext("tg", messages.CASE_ENDED) in texts(left) and left["case"] is None
    assert f"#{case_id}" not in console.queue().split("Recently closed")[0]


def test_console_authorisation(gateway: Gateway) -> None:
    user = WebUser(gateway.base, "webcase0003")
    user.say(payload=CASE_OPEN_PRIVATE)
    anonymous = client(gateway.base)
    assert anonymous.get("/console").status_code == 303                       # to the login page
    assert anonymous.get("/console/cases/1/messages").status_code == 401
    assert anonymous.post("/console/cases/1/claim", data={"csrf": "x"}).status_code == 401

    mine = Console(gateway.base)
    mine.login("cw@helpline.example")
    case_id = max(mine.case_ids())
    other = Console(gateway.base)
    other.login("other@union.example")
    assert case_id not in other.case_ids()
    assert other.http.get(f"/console/cases/{case_id}").status_code == 404     # another union's case
    assert other.act(case_id, "claim").status_code == 404
    assert other.http.get(f"/console/cases/{case_id}/messages").status_code == 404

    no_token = mine.http.post(f"/console/cases/{case_id}/claim", data={})
    wrong = mine.http.post(f"/console/cases/{case_id}/claim", data={"csrf": "forged"})
    assert no_token.status_code == 403 and wrong.status_code == 403
    page = mine.http.get(f"/console/cases/{case_id}")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text

    attacker = Console(gateway.base)
    statuses = [attacker.login("cw@helpline.example", "wrong password!").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    cookie = mine.http.cookies.jar
    assert all(c.has_nonstandard_attr("HttpOnly") for c in cookie if c.name == "helpline_console")


@pytest.fixture(scope="module")
def telegram_gateway(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeTelegram, Gateway]]:
    fake = FakeTelegram()
    port = free_port()
    with Server(fake.app(), port), gateway_beside(
            stack, tmp_path_factory.mktemp("tgcases"), **fake_telegram_settings(port),
            caseworker_chat_id=-9001, public_url="https://helpline.example.org") as own:
        add_caseworker(own.settings.database, "tg@helpline.example")
        yield fake, Gateway(own)


def test_telegram_user_and_caseworker(telegram_gateway: tuple[FakeTelegram, Gateway], responder: Responder) -> None:
    fake, gateway = telegram_gateway
    _ = lambda message: responder.catalogues.gettext("ky", message)  # noqa: E731
    chat = 7001
    fake.push(user_message(chat, text="/start ky"))
    fake.wait_sent(chat, 1)
    fake.push(user_message(chat, text="/human"))
    consent = fake.wait_sent(chat, 2)[-1]
    data = [row[0]["callback_data"] for row in consent["reply_markup"]["inline_keyboard"]]
    assert data[:2] == [CASE_OPEN_SHARED, CASE_OPEN_PRIVATE]
    fake.push(button_press(chat, CASE_OPEN_SHARED, on=consent))
    queued = fake.wait_sent(chat, 3)[-1]
    assert _(messages.CASE_QUEUED) in queued["text"]

    fake.push(user_message(chat, text="иш акымды төлөбөй жатат"))
    console = Console(gateway.base)
    console.login("tg@helpline.example")
    (case_id,) = console.case_ids()
    deadline = time.monotonic() + 20
    while not any(m["body"] == "иш акымды төлөбөй жатат" for m in console.messages(case_id)):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert len(fake.sent(chat)) == 3                                   # the bot said nothing to it

    console.act(case_id, "claim")
    console.act(case_id, "reply", body="Салам! Канча айдан бери?")
    sent = fake.wait_sent(chat, 5)
    assert [s["text"] for s in sent[3:]] == [_(messages.CASE_JOINED), "Салам! Канча айдан бери?"]
    end = sent[-1]["reply_markup"]["inline_keyboard"][0][0]
    assert end["callback_data"] == CASE_END

    fake.push(button_press(chat, CASE_END, on=sent[-1]))
    closing = fake.wait_sent(chat, 6)
    assert closing[5]["text"] == f"{_(messages.CASE_ENDED)}\n\n{_(messages.MENU_PROMPT)}"   # the menu under it
    assert console.messages(case_id)[-1]["sender"] == "system"
    assert f"#{case_id}" not in console.queue().split("Recently closed")[0]


def test_urgent_cases_are_announced_to_caseworkers_without_the_users_words(
        telegram_gateway: tuple[FakeTelegram, Gateway]) -> None:
    fake, _gateway = telegram_gateway
    chat = 7002
    fake.push(user_message(chat, text="/start ru"))
    fake.wait_sent(chat, 1)
    fake.push(user_message(chat, text="работодатель забрал мой паспорт и не отдает"))
    answer = fake.wait_sent(chat, 2)[-1]
    fake.push(user_message(chat, text="/human"))
    consent = fake.wait_sent(chat, 3)[-1]
    fake.push(button_press(chat, CASE_OPEN_SHARED, on=consent))
    (announcement,) = fake.wait_sent(-9001, 1)
    assert announcement["text"].startswith("⚠ Urgent case #")
    assert "https://helpline.example.org/console/cases/" in announcement["text"]
    assert "паспорт" not in announcement["text"] and str(chat) not in announcement["text"]
    assert "112" in answer["text"]                                  # the urgent answer came first


def test_unclaimed_urgent_cases_and_idle_cases(stack: Stack, tmp_path: Path, responder: Responder) -> None:
    """Nobody claims an urgent case: the user is told and given the emergency numbers; then
    the case goes idle and ends by itself (short timers for the test)."""
    with gateway_beside(stack, tmp_path, urgent_claim_minutes=0.03, idle_case_hours=0.002) as own:
        settings = own.settings
        user = WebUser(f"http://{settings.gateway_host}:{settings.gateway_port}", "urgent00001")
        user.say(payload='/choose_language{"language":"uz"}')
        user.say(text="ish beruvchi pasportimni olib qoydi va bermayapti")
        opened = user.say(payload=CASE_OPEN_PRIVATE)
        assert opened["case"] == "queued"
        notice = user.wait_updates(1, timeout=30)
        assert responder.catalogues.gettext("uz", messages.CASE_URGENT_UNCLAIMED) in notice[0]
        assert "112" in notice[0] and "102" in notice[0]
        ended = user.wait_updates(1, timeout=30)
        assert ended == [responder.catalogues.gettext("uz", messages.CASE_IDLE_ENDED)]
        assert user.updates()["case"] is None


@pytest.mark.postgres
def test_cases_on_postgresql(stack: Stack, tmp_path: Path, postgres_url: str, responder: Responder) -> None:
    """The same lifecycle with DATABASE_URL pointing at the PostgreSQL server."""
    with gateway_beside(stack, tmp_path, database_url=postgres_url) as own:
        settings = own.settings
        add_caseworker(postgres_url, "pg@helpline.example")
        base = f"http://{settings.gateway_host}:{settings.gateway_port}"
        user = WebUser(base, "postgres0001")
        user.say(payload='/choose_language{"language":"en"}')
        assert user.say(payload=CASE_OPEN_SHARED)["case"] == "queued"
        user.say(text="my boss kept my passport")
        console = Console(base)
        assert console.login("pg@helpline.example").status_code == 303
        case_id = max(console.case_ids())
        console.act(case_id, "claim")
        console.act(case_id, "reply", body="Hello, I am here.")
        assert user.wait_updates(2) == [responder.catalogues.gettext("en", messages.CASE_JOINED), "Hello, I am here."]
        assert [m["body"] for m in console.messages(case_id) if m["sender"] == "user"] == ["my boss kept my passport"]
