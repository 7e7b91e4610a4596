"""The production topology, for real and without Docker: two Rasa servers sharing the
PostgreSQL tracker store and a Redis lock store, one action server, the gateway spreading
conversations over both replicas and keeping its cases in the same PostgreSQL database.
Then faults: a replica killed and restarted, the action server killed and restarted, every
database connection cut in the middle of conversations."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from bot import messages as m
from bot.processes import Stack, start_actions, start_gateway, start_rasa
from bot.replies import CASE_OPEN_PRIVATE, Responder
from tests.conftest import conversation_key, free_port, make_settings
from tests.console_client import Console, add_caseworker
from tests.web_user import WebUser, web_session

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.redis]
REDIS = "redis://127.0.0.1:6379/7"


@dataclass
class Topology:
    stack: Stack
    model: Path
    replica_port: int
    database: str

    @property
    def gateway(self) -> str:
        settings = self.stack.settings
        return f"http://{settings.gateway_host}:{settings.gateway_port}"

    def rasa(self, index: int) -> str:
        return self.stack.settings.rasa_urls[index]

    def kill(self, name: str) -> None:
        process = self.stack.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def restart_replica(self) -> None:
        start_rasa(self.stack, self.model, name="rasa-2", port=self.replica_port)
        self.stack.wait_ready(timeout=180)

    def health(self) -> dict[str, object]:
        response = httpx.get(f"{self.gateway}/healthz", timeout=10)
        body: dict[str, object] = response.json()
        body["http_status"] = response.status_code
        return body


@pytest.fixture(scope="module")
def topology(model: Path, postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    replica = free_port()
    settings = make_settings(tmp_path_factory.mktemp("topology"), tracker_store_url=postgres_url,
                             lock_store_url=REDIS, database_url=postgres_url)
    settings = settings.model_copy(update={
        "rasa_replicas": f"http://127.0.0.1:{settings.rasa_port},http://127.0.0.1:{replica}"})
    stack = Stack(settings)
    try:
        start_actions(stack)
        start_rasa(stack, model)
        stack.wait_ready()                       # one replica creates the tables first
        start_rasa(stack, model, name="rasa-2", port=replica)
        start_gateway(stack)
        stack.wait_ready()
        yield Topology(stack, model, replica, postgres_url)
    finally:
        stack.stop()


TEXTS = ["мне не платят зарплату", "забрали паспорт", "уволили без предупреждения", "меню",
         "сколько компенсация за задержку", "как вступить в профсоюз", "zarplata bermayapti",
         "хочу поговорить с человеком", "где найти профсоюз", "отправили в отпуск без оплаты",
         "не дают расчет при увольнении", "работаю без договора", "обманули с зарплатой",
         "kasaba uyushmasiga qanday kirish", "маош намедиҳанд", "айлык бербей жатат"]


def test_one_conversation_on_both_replicas_at_once_loses_nothing(topology: Topology) -> None:
    """Messages of one conversation sent to both replicas concurrently: the Redis lock store
    serialises them; every message is in the shared tracker exactly once, each answered."""
    sender = "interleaved-0001"

    async def run() -> None:
        async with httpx.AsyncClient(timeout=120) as http:
            async def send(i: int, text: str) -> None:
                url = f"{topology.rasa(i % 2)}/webhooks/rest/webhook"
                response = await http.post(url, json={"sender": sender, "message": f"{text} ({i})"})
                response.raise_for_status()
                assert response.json(), text          # every message got an answer
            await asyncio.gather(*(send(i, text) for i, text in enumerate(TEXTS)))
    asyncio.run(run())
    token = topology.stack.settings.rasa_token.get_secret_value()
    trackers = [httpx.get(f"{topology.rasa(i)}/conversations/{sender}/tracker",
                          params={"token": token}, timeout=30).json() for i in (0, 1)]
    assert trackers[0]["events"] == trackers[1]["events"]          # one store, the same history
    events = trackers[0]["events"]
    said = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(said) == sorted(f"{text} ({i})" for i, text in enumerate(TEXTS))
    for index, event in enumerate(events):                   # each message answered before the next
        if event["event"] == "user":
            following = events[index + 1:]
            upto = next((j for j, e in enumerate(following) if e["event"] == "user"), len(following))
            assert any(e["event"] == "bot" for e in following[:upto]), event["text"]
    with psycopg.connect(topology.database) as db:
        rows = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = %s", (sender,)).fetchone()
    assert rows is not None and rows[0] == len(events)


def say(topology: Topology, session: str, **body: str) -> list[str]:
    with WebUser(topology.gateway, session) as user:
        return user.texts(**body)


def test_the_gateway_spreads_conversations_and_survives_a_replica(topology: Topology,
                                                                   responder: Responder) -> None:
    sorry = responder.catalogues.gettext("ru", m.UNAVAILABLE)
    sessions = [f"spread-session-{i:02d}" for i in range(12)]
    for session in sessions:
        assert sorry not in " ".join(say(topology, session, text="мне не платят зарплату"))
    answered = topology.health()["rasa_answered"]
    assert isinstance(answered, list) and all(n > 0 for n in answered) and sum(answered) >= 12

    topology.kill("rasa-2")
    for session in sessions:                                 # every conversation goes on, on replica 1
        replies = say(topology, session, text="забрали паспорт")
        assert replies and sorry not in " ".join(replies)
    health = topology.health()
    assert health["http_status"] == 200 and health["status"] == "degraded" and health["rasa-2"] == "down"

    topology.restart_replica()                               # back by itself once it is up
    before = topology.health()["rasa_answered"]
    for session in sessions:
        say(topology, session, payload="/menu")
    after = topology.health()["rasa_answered"]
    assert isinstance(before, list) and isinstance(after, list) and after[1] > before[1]
    assert topology.health()["status"] == "ok"


def test_the_action_server_killed_and_restarted(topology: Topology, responder: Responder) -> None:
    session = "actions-fault-01"
    say(topology, session, payload='/choose_language{"language":"uz"}')
    topology.kill("actions")
    replies = say(topology, session, payload="/wages_unpaid")
    assert replies and responder.catalogues.gettext("uz", m.UNAVAILABLE) in replies[0]   # an apology, kindly
    start_actions(topology.stack)
    topology.stack.wait_ready(timeout=60)
    russia = '/country{"country":"RU","topic":"wages_unpaid"}'
    assert "RF MK" in " ".join(say(topology, session, payload=russia))                   # service resumed


def test_cut_database_connections_lose_no_case_message(topology: Topology, responder: Responder) -> None:
    session = "database-fault-01"
    add_caseworker(topology.database, "fault@helpline.example")
    say(topology, session, payload='/choose_language{"language":"tg"}')
    say(topology, session, payload=CASE_OPEN_PRIVATE)
    say(topology, session, text="паспортамро гирифтанд")
    console = Console(topology.gateway)
    console.login("fault@helpline.example")
    case_id = max(console.case_ids())
    assert console.act(case_id, "claim").status_code in (200, 303)

    with psycopg.connect(topology.database, autocommit=True) as admin:     # cut every other connection
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    sent = console.act(case_id, "reply", body="Мо ба шумо ёрӣ мерасонем")
    if sent.status_code >= 500:                                 # the cut may cost one request: resent
        sent = console.act(case_id, "reply", body="Мо ба шумо ёрӣ мерасонем")
    assert sent.status_code in (200, 303)
    say(topology, session, text="ташаккур")

    deadline, seen = time.monotonic() + 30, []
    while time.monotonic() < deadline and "Мо ба шумо ёрӣ мерасонем" not in seen:
        response = httpx.get(f"{topology.gateway}/api/chat/updates", params={"session_id": web_session(session)},
                             timeout=30)
        if response.status_code == 200:
            seen += [str(x["text"]) for x in response.json()["messages"]]
        time.sleep(0.5)
    assert "Мо ба шумо ёрӣ мерасонем" in seen                          # the caseworker's reply arrived
    bodies = [x["body"] for x in console.messages(case_id)]
    assert "паспортамро гирифтанд" in bodies and "ташаккур" in bodies  # the user's messages are stored
    assert conversation_key("web", session).startswith("web:")
