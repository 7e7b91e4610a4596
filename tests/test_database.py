"""Chat on a database pool of its own (issue 15, item 1): the console's pages and logins use their
own connections and threads (bot/db/database.py), so a console with every connection taken and a
queue of requests waiting leaves chat and casework answering. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection
from sqlalchemy.pool import QueuePool

from bot.db.database import Database
from bot.devtools.ports import free_port
from bot.gateway.app import CONSOLE_CONNECTIONS, create_app
from bot.gateway.state import GatewayState
from bot.replies import CASE_OPEN_PRIVATE
from bot.settings import Settings
from tests.conftest import make_settings
from tests.console_client import serving
from tests.stub_rasa import stub_rasa


@pytest.fixture
def gateway(database_url: str, tmp_path: Path) -> Iterator[tuple[Settings, GatewayState]]:
    rasa_port = free_port()
    settings = make_settings(tmp_path, rasa_port=rasa_port, database_url=database_url)
    app = create_app(settings)
    rasa = stub_rasa()
    with serving(rasa, rasa_port), serving(app, settings.gateway_port):
        yield settings, app.state.gateway


def test_the_console_and_chat_have_distinct_pools(gateway: tuple[Settings, GatewayState]) -> None:
    _, state = gateway
    chat = state.database.engine
    assert state.console.engine is not chat and state.console.engine.pool is not chat.pool
    assert isinstance(state.console.engine.pool, QueuePool)
    assert state.console.engine.pool.size() == CONSOLE_CONNECTIONS == state.console.threads.total_tokens
    assert state.console.engine.pool._max_overflow == 0          # never more than its own


def test_a_console_with_every_connection_taken_leaves_chat_answering(
        gateway: tuple[Settings, GatewayState]) -> None:
    settings, state = gateway
    console = state.console
    base = f"http://127.0.0.1:{settings.gateway_port}"
    pool = console.engine.pool
    assert isinstance(pool, QueuePool)
    held: list[Connection] = [console.engine.connect() for _ in range(pool.size() + pool._max_overflow)]
    waiting: list[int] = []
    with ThreadPoolExecutor(max_workers=40) as flood:
        pages = [flood.submit(lambda: httpx.get(f"{base}/console", cookies={"helpline_console": "x"},
                                                timeout=60).status_code) for _ in range(40)]
        time.sleep(1.0)                               # the pages now wait for console connections
        assert not any(page.done() for page in pages)
        with httpx.Client(base_url=base, timeout=10) as http:
            started = time.monotonic()
            first = http.post("/api/chat", json={"text": "мне не платят"})
            session = first.json()["session_id"]
            opened = http.post("/api/chat", json={"session_id": session, "payload": CASE_OPEN_PRIVATE})
            into_case = http.post("/api/chat", json={"session_id": session, "text": "помогите"})
            took = time.monotonic() - started
        assert [first.status_code, opened.status_code, into_case.status_code] == [200, 200, 200]
        assert opened.json()["case"] in ("queued", "active") and into_case.json()["case"] in ("queued", "active")
        assert took < 5, f"chat waited {took:.1f} s behind the console"
        assert not any(page.done() for page in pages)
        for connection in held:
            connection.close()
        waiting = [page.result(timeout=60) for page in pages]
    assert waiting == [303] * 40                     # then the console answers them all (log in first)


async def test_no_more_work_at_once_than_connections(database_url: str) -> None:
    database = Database.open(database_url, connections=2)
    running, most = 0, 0
    lock = threading.Lock()

    def work(_: object) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
    try:
        await asyncio.gather(*(database.run(work) for _ in range(8)))
    finally:
        database.close()
    assert most == 2
