"""An answer as each channel will show it, from the content folder as it is on disk (before
training or a restart): the answer and its "more" part, in one language, for one country or
for someone who has not said. Both channels receive replies through Rasa's REST channel, which
splits a text without buttons at blank lines; Telegram then cuts pieces over 4096 characters
and drops buttons whose payload is over 64 bytes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.content.loader import read_library
from bot.content.problems import Problem
from bot.content_cache import replies_for
from bot.replies import Reply, Responder
from bot.splitting import MAX_CALLBACK_BYTES, split_text


@dataclass(frozen=True)
class Bubble:
    text: str
    buttons: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    telegram: list[Bubble]
    web: list[Bubble]
    length: int                 # characters of the answer as this person sees it


def load(content_dir: Path, locales_dir: Path) -> tuple[Responder | None, list[Problem]]:
    """The content and catalogues as they are on disk now; read again only after a change."""
    return _load(content_dir, locales_dir, stamp(content_dir, locales_dir))


def stamp(*folders: Path) -> tuple[int, int]:
    """Changes when any file under the folders changes, appears or goes."""
    files = [f for folder in folders for f in folder.rglob("*") if f.suffix in (".yml", ".po")]
    return len(files), max((f.stat().st_mtime_ns for f in files), default=0)


@lru_cache(maxsize=4)
def _load(content_dir: Path, locales_dir: Path, _stamp: tuple[int, int]) -> tuple[Responder | None, list[Problem]]:
    library, problems = read_library(content_dir)
    if library is None or any(not p.warning for p in problems):
        return None, problems
    return replies_for(library, locales_dir), problems


def rest_messages(replies: list[Reply]) -> list[Reply]:
    """What Rasa's REST channel sends for these replies."""
    out: list[Reply] = []
    for reply in replies:
        if reply.buttons or reply.document is not None:
            out.append(reply)
        else:
            out += [Reply(part) for part in reply.text.split("\n\n") if part.strip()]
    return out


def render(responder: Responder, topic: str, language: str, country: str | None, part: str = "answer") -> Preview:
    replies = (responder.more(language, topic, country) if part == "more"
               else responder.topic_answer(language, topic, country))
    messages = rest_messages(replies)
    web = [Bubble(r.text, tuple(b.title for b in r.buttons)) for r in messages]
    telegram: list[Bubble] = []
    for reply in messages:
        pieces = split_text(reply.text) or [""]
        titles = tuple(b.title[:64] for b in reply.buttons if len(b.payload.encode()) <= MAX_CALLBACK_BYTES)
        telegram += [Bubble(piece, titles if i == len(pieces) - 1 else ()) for i, piece in enumerate(pieces)]
    return Preview(telegram, web, sum(len(r.text) for r in replies))
