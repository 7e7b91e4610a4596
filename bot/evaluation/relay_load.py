"""`helpline bench relay`: messages between web users and caseworkers through open cases.

Starts the stack with a fresh database in a temporary folder, opens N cases from N web users,
has one caseworker claim them all in the console, then runs the conversations at once: each
user writes, the caseworker's page (polling its case every `poll` seconds) sees the message
and replies, and the user's page (polling its updates every `poll` seconds) sees the reply.
Reported: the round-trip time user → caseworker → user (which includes both polling waits),
and whether every message arrived exactly once and in order on both sides.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bot.console.auth import add_account
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Role
from bot.db.prepare import prepare_database
from bot.evaluation.latency import percentile
from bot.processes import running_stack
from bot.replies import CASE_OPEN_PRIVATE
from bot.settings import Settings
from bot.training.train import train

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORD = "benchmark caseworker password"


async def _wait(check: Any, poll: float, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(poll)
    return None


async def _conversation(web: httpx.AsyncClient, console: httpx.AsyncClient, csrf: str, session_id: str,
                        case_id: int, rounds: int, poll: float, times: list[float],
                        problems: list[str]) -> None:
    seen_user: list[str] = []
    seen_reply: list[str] = []
    after = 0
    for n in range(rounds):
        text = f"{session_id} question {n}"
        started = time.perf_counter()
        response = await web.post("/api/chat", json={"session_id": session_id, "text": text})
        if response.status_code != 200 or response.json()["messages"]:
            problems.append("the bot answered during a case")

        async def caseworker_sees(text: str = text) -> bool:
            nonlocal after
            got = (await console.get(f"/console/cases/{case_id}/messages", params={"after": after})).json()
            for message in got["messages"]:
                after = max(after, message["id"])
                if message["sender"] == "user":
                    seen_user.append(message["body"])
            return text in seen_user
        if not await _wait(caseworker_sees, poll):
            problems.append("a user message did not reach the caseworker")
            continue
        reply = f"{session_id} answer {n}"
        await console.post(f"/console/cases/{case_id}/reply", data={"csrf": csrf, "body": reply},
                           headers={"accept": "application/json"})

        async def user_sees(reply: str = reply) -> bool:
            got = (await web.get("/api/chat/updates", params={"session_id": session_id})).json()
            seen_reply.extend(m["text"] for m in got["messages"])
            return reply in seen_reply
        if not await _wait(user_sees, poll):
            problems.append("a caseworker message did not reach the user")
            continue
        times.append((time.perf_counter() - started) * 1000)
    expected_user = [f"{session_id} question {n}" for n in range(rounds)]
    expected_reply = [f"{session_id} answer {n}" for n in range(rounds)]
    if seen_user != expected_user or [r for r in seen_reply if r.startswith(session_id)] != expected_reply:
        problems.append("lost, duplicated or reordered messages")


async def measure(base: str, cases: int, rounds: int, poll: float) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=cases * 2 + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as web, \
            httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as console:
        sessions = []                     # the ids the gateway issues with the cases
        for _ in range(cases):
            opened = await web.post("/api/chat", json={"payload": CASE_OPEN_PRIVATE})
            sessions.append(opened.json()["session_id"])
        page = await console.get("/console/login")
        token = CSRF.search(page.text)
        assert token is not None
        await console.post("/console/login", data={"csrf": token.group(1), "email": "bench@helpline.example",
                                                   "password": PASSWORD})
        queue = (await console.get("/console")).text
        csrf_found = CSRF.search(queue)
        assert csrf_found is not None, "caseworker login failed"
        csrf = csrf_found.group(1)
        ids = sorted(int(x) for x in re.findall(r'href="/console/cases/(\d+)"', queue))[-cases:]
        for case_id in ids:
            await console.post(f"/console/cases/{case_id}/claim", data={"csrf": csrf},
                               headers={"accept": "application/json"})
        for session_id in sessions:      # the "caseworker joined" notices
            await web.get("/api/chat/updates", params={"session_id": session_id})
        times: list[float] = []
        problems: list[str] = []
        started = time.perf_counter()
        await asyncio.gather(*(_conversation(web, console, csrf, s, c, rounds, poll, times, problems)
                               for s, c in zip(sessions, ids, strict=True)))
        elapsed = time.perf_counter() - started
    return {"cases": cases, "round_trips": len(times), "problems": len(problems),
            "kinds_of_problem": sorted(set(problems)), "poll_s": poll,
            "p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "messages_per_s": round(2 * len(times) / elapsed, 1)}


def run_relay_load(settings: Settings, cases: int, json_out: Path | None, *, rounds: int = 5,
                   poll: float = 0.5) -> int:
    model = train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir, build_dir=settings.build_dir)
    with tempfile.TemporaryDirectory() as folder:
        bench = settings.model_copy(update={
            "data_dir": Path(folder), "database_url": None, "console_secure_cookies": False,
            "casework_hours": "mon-sun 00:00-24:00 Etc/UTC", "telegram_bot_token": None,
            "cases_per_address_hour": 10_000, "cases_per_hour": 100_000, "case_messages_per_minute": 600,
            "case_polls_per_minute": 6000})
        engine = make_engine(bench.database)
        prepare_database(bench, engine)
        with make_sessions(engine).begin() as session:
            add_account(session, organisation=bench.default_organisation, email="bench@helpline.example",
                        role=Role.caseworker, password=PASSWORD)
        engine.dispose()
        base = f"http://{bench.gateway_host}:{bench.gateway_port}"
        with running_stack(bench, model):
            results = [asyncio.run(measure(base, 1, 20, poll)), asyncio.run(measure(base, cases, rounds, poll))]
    print(json.dumps(results, indent=1))
    if json_out:
        json_out.write_text(json.dumps(results, indent=1))
    return 0 if all(r["problems"] == 0 for r in results) else 1
