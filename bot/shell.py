"""`helpline shell`: a conversation in the terminal, buttons shown as numbers."""

from __future__ import annotations

import asyncio
import contextlib
import secrets

import httpx

from bot.processes import running_stack
from bot.rasa_client import BotMessage, RasaClient, typed
from bot.settings import Settings


def render(messages: list[BotMessage]) -> list[str]:
    """Print bot messages; return the payloads of the numbered buttons."""
    payloads: list[str] = []
    for message in messages:
        if message.get("text"):
            print(f"\nbot> {message['text']}")
        for button in message.get("buttons", []):
            payloads.append(button["payload"])
            print(f"  [{len(payloads)}] {button['title']}")
    return payloads


async def converse(client: RasaClient) -> None:
    sender = f"shell-{secrets.token_hex(6)}"
    payloads = render(await client.send(sender, "/greet"))
    while True:
        try:
            line = await asyncio.to_thread(input, "\nyou> ")
        except EOFError:
            return
        choice = line.strip()
        pressed = choice.isdigit() and 1 <= int(choice) <= len(payloads)
        message = payloads[int(choice) - 1] if pressed else typed(line)
        payloads = render(await client.send(sender, message))


async def _main(settings: Settings) -> None:
    async with httpx.AsyncClient(timeout=settings.request_timeout) as http:
        await converse(RasaClient(http, settings.rasa_url,
                                  settings.rasa_token.get_secret_value()))


def run_shell(settings: Settings) -> int:
    """Use a running helpline if there is one; otherwise start one for this session."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(settings.rasa_url, timeout=2).raise_for_status()
        asyncio.run(_main(settings))
        return 0
    print("starting Rasa and the action server for this session ...")
    with running_stack(settings):
        asyncio.run(_main(settings))
    return 0
