"""What every channel does with a message: hand it to Rasa, or apologise when Rasa cannot
answer. Channel adapters only translate to and from these plain values."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import httpx

from bot.rasa_client import RasaClient, typed
from bot.replies import Button, Reply, Responder

log = logging.getLogger(__name__)

PAYLOAD = re.compile(r"^/[a-z_]{1,40}(\{[^{}]{0,150}\})?$")
LANGUAGE_CHOICE = re.compile(r'^/choose_language\{"language":"([A-Za-z_]{2,10})"\}$')


def is_payload(text: str) -> bool:
    """Button payloads we issue look like /intent or /intent{"key":"value"}."""
    return bool(PAYLOAD.match(text))


@dataclass
class Languages:
    """The last reply language seen per conversation, for apologies when Rasa is down.

    Kept in memory only, bounded, and never logged."""

    limit: int = 10_000
    known: OrderedDict[str, str] = field(default_factory=OrderedDict)

    def note(self, sender: str, payload: str) -> None:
        match = LANGUAGE_CHOICE.match(payload)
        if match:
            self.known[sender] = match.group(1)
            self.known.move_to_end(sender)
            while len(self.known) > self.limit:
                self.known.popitem(last=False)

    def get(self, sender: str, default: str) -> str:
        return self.known.get(sender, default)


async def converse(
    rasa: RasaClient,
    responder: Responder,
    languages: Languages,
    *,
    sender: str,
    text: str | None = None,
    payload: str | None = None,
    hint: str | None = None,
) -> list[Reply]:
    """Send a typed text or a button payload; the bot's replies, or an apology."""
    message = payload if payload is not None else typed(text or "")
    if payload is not None:
        languages.note(sender, payload)
    metadata = {"language_code": hint} if hint else {}
    try:
        answer = await rasa.send(sender, message, metadata)
    except (httpx.HTTPError, ValueError) as error:
        log.warning("Rasa did not answer (%s)", type(error).__name__)
        fallback = languages.get(sender, hinted_language(responder, hint))
        return responder.unavailable(fallback)
    return [Reply(m.get("text", ""), tuple(Button(b["title"], b["payload"])
                                          for b in m.get("buttons", [])))
            for m in answer if m.get("text") or m.get("buttons")]


def hinted_language(responder: Responder, hint: str | None) -> str:
    """The reply language a phone or browser language hint ("ky-KG") points to, else the default."""
    code = (hint or "").split("-")[0].lower()
    return code if code in responder.library.languages else responder.library.default_language
