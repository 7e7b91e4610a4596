"""`helpline bench web`: web API turn latency at 1 and at N concurrent sessions.

Each simulated session sends held-out messages to `POST /api/chat` one after another, with a
button press every third turn; sessions run concurrently. Errors are counted, not hidden.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx

from bot.evaluation.dataset import read_examples
from bot.evaluation.latency import percentile
from bot.processes import running_stack
from bot.settings import Settings
from bot.training.train import train


async def _session(http: httpx.AsyncClient, url: str, texts: list[str], times: list[float],
                   errors: list[str]) -> None:
    session: str | None = None
    for turn, text in enumerate(texts):
        body: dict[str, Any] = {"payload": "/menu"} if turn % 3 == 2 else {"text": text}
        if session:
            body["session_id"] = session
        started = time.perf_counter()
        try:
            response = await http.post(url, json=body)
            response.raise_for_status()
            session = response.json()["session_id"]
        except (httpx.HTTPError, KeyError, ValueError) as error:
            errors.append(type(error).__name__)
            continue
        times.append((time.perf_counter() - started) * 1000)


async def measure(url: str, texts: list[str], sessions: int, turns: int) -> dict[str, Any]:
    times: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=sessions + 5)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(
            _session(http, url, texts[i * turns:(i + 1) * turns] or texts[:turns], times, errors)
            for i in range(sessions)))
        elapsed = time.perf_counter() - started
    return {"sessions": sessions, "turns": len(times), "errors": len(errors),
            "p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "turns_per_s": round(len(times) / elapsed, 1)}


def run_web_load(settings: Settings, path: Path, sessions: int, json_out: Path | None) -> int:
    texts = [e.text for e in read_examples(path)]
    model = train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir, build_dir=settings.build_dir)
    url = f"http://{settings.gateway_host}:{settings.gateway_port}/api/chat"
    # throughput is measured: one session sends far faster than a person
    with running_stack(settings.model_copy(update={"messages_per_minute": 600}), model):
        asyncio.run(measure(url, texts, 1, 10))  # warm-up
        results = [asyncio.run(measure(url, texts, 1, 100)), asyncio.run(measure(url, texts, sessions, 6))]
    print(json.dumps(results, indent=1))
    if json_out:
        json_out.write_text(json.dumps(results, indent=1))
    return 0
