"""`helpline eval`: each message as the first of a fresh conversation, end to end."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import Any

import httpx

from bot.evaluation.dataset import Example, read_examples
from bot.evaluation.report import Prediction, predicted, summarise, table
from bot.processes import running_stack
from bot.rasa_client import RasaClient, typed
from bot.settings import Settings
from bot.training.train import train

CONCURRENCY = 8


async def predict_one(client: RasaClient, example: Example) -> Prediction:
    sender = f"eval-{secrets.token_hex(8)}"
    await client.send(sender, typed(example.text))
    tracker = await client.tracker(sender)
    intent = (tracker.get("latest_message") or {}).get("intent") or {}
    language = (tracker.get("slots") or {}).get("language")
    lang = language.split("_")[0] if isinstance(language, str) else None
    return predicted(example, intent.get("name"), lang, float(intent.get("confidence") or 0.0))


async def evaluate(client: RasaClient, examples: list[Example]) -> dict[str, Any]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(example: Example) -> Prediction:
        async with gate:
            return await predict_one(client, example)

    return summarise(list(await asyncio.gather(*(one(e) for e in examples))))


async def evaluate_on(settings: Settings, examples: list[Example]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=settings.request_timeout * 3) as http:
        client = RasaClient(http, settings.rasa_url, settings.rasa_token.get_secret_value())
        return await evaluate(client, examples)


def run_eval(settings: Settings, path: Path, json_out: Path | None) -> int:
    examples = read_examples(path)
    model = train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir,
                  build_dir=settings.build_dir)
    with running_stack(settings, model):
        summary = asyncio.run(evaluate_on(settings, examples))
    print(table(summary))
    if json_out:
        json_out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
