"""What every channel does with a message: hand it to Rasa, or apologise when Rasa cannot
answer. Channel adapters only translate to and from these plain values."""

from __future__ import annotations

import binascii
import contextlib
import logging
import math
import re
from collections import OrderedDict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot import messages as m
from bot.gateway.forgetting import Forgetter, forget_language
from bot.gateway.limits import Limit
from bot.privacy.keys import channel_of
from bot.rasa_client import BotMessage, Rasa, typed
from bot.replies import Button, Document, Reply, Responder, payload

if TYPE_CHECKING:
    from bot.gateway.casework import Casework

log = logging.getLogger(__name__)

PAYLOAD = re.compile(r"^/[a-z_]{1,40}(\{[^{}]{0,150}\})?$")
LANGUAGE_CHOICE = re.compile(r'^/choose_language\{"language":"([A-Za-z_]{2,10})"\}$')


def is_payload(text: str) -> bool:
    """Button payloads we issue look like /intent or /intent{"key":"value"}."""
    return bool(PAYLOAD.match(text))


class Languages(Protocol):
    """The last reply language chosen per conversation, for apologies when Rasa is down and
    for messages to a case. Never logged."""

    async def note(self, sender: str, payload: str) -> None: ...
    async def get(self, sender: str, default: str) -> str: ...
    async def drop(self, sender: str) -> None: ...


def chosen_language(payload: str) -> str | None:
    match = LANGUAGE_CHOICE.match(payload)
    return match.group(1) if match else None


@dataclass
class LocalLanguages:
    """Languages kept in this process's memory, bounded (one gateway)."""

    limit: int = 10_000
    known: OrderedDict[str, str] = field(default_factory=OrderedDict)

    async def note(self, sender: str, payload: str) -> None:
        language = chosen_language(payload)
        if language is not None:
            self.known[sender] = language
            self.known.move_to_end(sender)
            while len(self.known) > self.limit:
                self.known.popitem(last=False)

    async def get(self, sender: str, default: str) -> str:
        return self.known.get(sender, default)

    async def drop(self, sender: str) -> None:
        self.known.pop(sender, None)


@dataclass
class SharedLanguages:
    """Languages kept in Redis, shared by every gateway; each expires after the retention
    period like the conversation itself. Redis failing only means the default language."""

    redis: Redis
    ttl_seconds: int
    prefix: str = "helpline:language:"

    async def note(self, sender: str, payload: str) -> None:
        language = chosen_language(payload)
        if language is not None:
            with _quiet("remember"):
                await self.redis.set(self.prefix + sender, language, ex=self.ttl_seconds)

    async def get(self, sender: str, default: str) -> str:
        with _quiet("read"):
            value = await self.redis.get(self.prefix + sender)
            if value:
                return value.decode() if isinstance(value, bytes) else str(value)
        return default

    async def drop(self, sender: str) -> None:
        with _quiet("forget"):
            await self.redis.delete(self.prefix + sender)


@contextlib.contextmanager
def _quiet(doing: str) -> Iterator[None]:
    try:
        yield
    except RedisError as error:
        log.warning("shared language store could not %s (%s)", doing, type(error).__name__)


async def converse(
    rasa: Rasa,
    responder: Responder,
    languages: Languages,
    *,
    sender: str,
    text: str | None = None,
    payload: str | None = None,
    hint: str | None = None,
    casework: Casework,
    forgetter: Forgetter,
    limit: Limit,
    address: str | None = None,
    client: str | None = None,
) -> list[Reply]:
    """Send a typed text or a button payload; the bot's replies, or an apology. While a person
    holds the conversation (a case), the message goes to the case instead and the bot is quiet.
    `address` is where to reach the user again (a Telegram chat id, sealed in the case); `client`
    the keyed client address that new cases are limited by (web chat)."""
    async def current_language() -> str:
        return await languages.get(sender, hinted_language(responder, hint))

    asked = forget_language(payload)
    if asked is not None:
        language = asked if asked in responder.library.languages else await current_language()
        try:
            await forgetter(sender)
        except SQLAlchemyError as error:
            log.error("forgetting failed (%s)", type(error).__name__)
            return responder.not_forgotten(language)
        await languages.drop(sender)
        return responder.forgotten(language)
    message = payload if payload is not None else typed(text or "")
    if payload is not None:
        await languages.note(sender, payload)
    language = await current_language()
    try:
        channel = channel_of(sender, default="web")
        handled = await casework.intercept(sender, channel, text=text, payload_=payload, language=language,
                                           address=address, client=client)
    except SQLAlchemyError as error:
        log.error("case store unavailable (%s)", type(error).__name__)
        return responder.unavailable(language)
    if handled is not None:
        return handled
    if not await limit.allow(sender):
        return [Reply(responder.text(await current_language(), m.SLOW_DOWN))]
    metadata = {"language_code": hint} if hint else {}
    try:
        answer = await rasa.send(sender, message, metadata)
    except (httpx.HTTPError, ValueError) as error:
        log.warning("Rasa did not answer (%s)", type(error).__name__)
        return responder.unavailable(await current_language())
    replies = [reply for message in answer if (reply := reply_of(message)) is not None]
    if not replies:     # every step answers; silence means an action failed (the action server is down)
        log.warning("Rasa answered nothing")
        return responder.unavailable(await current_language())
    return replies


def reply_of(message: BotMessage) -> Reply | None:
    """One Rasa REST message as a Reply: text, buttons, and a document sent as custom JSON
    ({"document": {"filename", "media_type", "base64"}}) by an action."""
    buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in message.get("buttons") or [])
    custom = message.get("custom")
    document = None
    if isinstance(custom, dict) and isinstance(custom.get("document"), dict):
        try:
            document = Document.from_json(custom["document"])
        except (KeyError, ValueError, binascii.Error):
            log.warning("an action sent a malformed document; left out")
    text = str(message.get("text") or "")
    if not (text or buttons or document):
        return None
    return Reply(text, buttons, document)


@dataclass(frozen=True)
class Start:
    """What a deep link (/start uz, /start fnpr, /start uz-fnpr) asks for."""

    language: str | None = None
    referrer: str | None = None

    def payload(self) -> str:
        extra = {"referrer": self.referrer} if self.referrer else {}
        if self.language:
            return payload("choose_language", language=self.language, **extra)
        return payload("greet", **extra)


REFERRER = re.compile(r"^[a-z0-9_]{2,32}$")


def parse_start(argument: str, languages: Collection[str]) -> Start:
    """Telegram allows A-Z a-z 0-9 _ - (64 characters) in a start parameter. The language comes
    first, an organisation's code after a hyphen; anything else is ignored."""
    language, referrer = None, None
    for part in argument[:64].split("-"):
        if part in languages and language is None:
            language = part
        elif REFERRER.match(part.lower()) and referrer is None and part not in languages:
            referrer = part.lower()
    return Start(language, referrer)


def coarse_place(latitude: float, longitude: float) -> str | None:
    """A shared location rounded to one decimal (about 10 km): enough to route, not to find."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return f"{latitude:.1f},{longitude:.1f}"


def media_payload(kind: str, place: str | None = None) -> str:
    """What a channel sends Rasa for a non-text message: only its kind (and a coarse place)."""
    return payload("media", kind=kind, **({"place": place} if place else {}))


def hinted_language(responder: Responder, hint: str | None) -> str:
    """The reply language a phone or browser language hint ("ky-KG") points to, else the default."""
    code = (hint or "").split("-")[0].lower()
    return code if code in responder.library.languages else responder.library.default_language
