"""`helpline bench telegram`: the Telegram path's latency, from an update being available on
the Bot API server to the bot's sendMessage arriving there.

The real gateway (python-telegram-bot polling) runs against the local fake Bot API server
with the real Rasa and action server. Each simulated chat sends held-out messages one after
another, waiting for the reply's keyboard (the end of the turn) before the next; chats run
concurrently. Turns without an answer within 30 s are counted as errors.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.devtools.fake_telegram import FakeTelegram, Server, user_message
from bot.devtools.ports import free_port
from bot.evaluation.dataset import read_examples
from bot.evaluation.latency import percentile
from bot.processes import running_stack
from bot.settings import Settings
from bot.training.train import train

TURN_TIMEOUT = 30.0


async def _chat(fake: FakeTelegram, chat_id: int, texts: list[str], times: list[float],
                errors: list[str]) -> None:
    for text in texts:
        before = len(fake.sent(chat_id))
        update_id = fake.push(user_message(chat_id, text=text, language_code=None))
        deadline = time.monotonic() + TURN_TIMEOUT
        while time.monotonic() < deadline:
            sent = fake.sent(chat_id)[before:]
            if sent and sent[-1].get("reply_markup"):
                break
            await asyncio.sleep(0.002)
        else:
            errors.append("timeout")
            continue
        first = next(c for c in fake.log if c.ok and c.method == "sendMessage"
                     and int(c.params.get("chat_id", 0)) == chat_id and c.at >= fake.pushed_at[update_id])
        times.append((first.at - fake.pushed_at[update_id]) * 1000)


async def measure(fake: FakeTelegram, texts: list[str], chats: int, turns: int, first_chat: int) -> dict[str, Any]:
    times: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(
        _chat(fake, first_chat + i, texts[i * turns:(i + 1) * turns] or texts[:turns], times, errors)
        for i in range(chats)))
    elapsed = time.perf_counter() - started
    return {"chats": chats, "turns": len(times), "errors": len(errors),
            "p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "turns_per_s": round(len(times) / elapsed, 1)}


def run_telegram_load(settings: Settings, path: Path, chats: int, json_out: Path | None) -> int:
    texts = [e.text for e in read_examples(path)]
    model = train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir, build_dir=settings.build_dir)
    fake = FakeTelegram()
    port = free_port()
    polling = settings.model_copy(update={
        "telegram_bot_token": SecretStr("123456:BENCH-token"), "telegram_webhook_url": None,
        "telegram_api_base_url": f"http://127.0.0.1:{port}/bot",
        "messages_per_minute": 600})   # throughput is measured: one chat sends far faster than a person
    with Server(fake.app(), port), running_stack(polling, model):
        asyncio.run(measure(fake, texts, 1, 10, first_chat=10_000))  # warm-up
        results = [asyncio.run(measure(fake, texts, 1, 100, first_chat=20_000)),
                   asyncio.run(measure(fake, texts, chats, 6, first_chat=30_000))]
    print(json.dumps(results, indent=1))
    if json_out:
        json_out.write_text(json.dumps(results, indent=1))
    return 0
