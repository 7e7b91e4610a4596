"""`helpline bench latency`: start-up, parse and full-turn latency, and memory, measured.

One simulated user sends the held-out messages one after another (sequentially, so the
figures are per-turn latency, not throughput).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bot.evaluation.dataset import read_examples
from bot.processes import Stack, running_stack
from bot.rasa_client import RasaClient
from bot.settings import Settings
from bot.training.train import train


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB (Linux /proc)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        pids += [int(c) for c in children]
    return total / 1024


async def _measure(settings: Settings, texts: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"parse": [], "turn": []}
    async with httpx.AsyncClient(timeout=settings.request_timeout * 3) as http:
        client = RasaClient(http, settings.rasa_url, settings.rasa_token.get_secret_value())
        for index, text in enumerate(texts):
            started = time.perf_counter()
            await client.parse(text)
            times["parse"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await client.send(f"bench-{index % 20}", text)
            times["turn"].append((time.perf_counter() - started) * 1000)
    return times


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 0.95), 1),
            "n": len(values)}


def run_latency(settings: Settings, path: Path, count: int, json_out: Path | None) -> int:
    texts = [e.text for e in read_examples(path)][::3][:count]
    model = train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir, build_dir=settings.build_dir)
    started = time.monotonic()
    stack: Stack
    with running_stack(settings, model) as stack:
        ready = time.monotonic() - started
        asyncio.run(_measure(settings, texts[:10]))  # warm-up, not counted
        times = asyncio.run(_measure(settings, texts))
        memory = {name: round(rss_mib(p.pid), 1) for name, p in stack.processes.items()}
    result: dict[str, Any] = {"stack_ready_s": round(ready, 1), "parse": _summary(times["parse"]),
                              "turn": _summary(times["turn"]), "rss_mib": memory}
    print(json.dumps(result, indent=1))
    if json_out:
        json_out.write_text(json.dumps(result, indent=1))
    return 0
