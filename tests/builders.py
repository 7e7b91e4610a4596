"""Keyword-only builders for test values."""

from __future__ import annotations

from bot.dialogue import Turn
from bot.language import Detected


def make_turn(
    *,
    text: str = "",
    intent: str | None = None,
    ranking: tuple[str, ...] = (),
    entities: dict[str, str] | None = None,
    detected: tuple[str | None, str | None, float] = (None, None, 0.0),
    language: str | None = None,
    explicit: bool = False,
    hint: str | None = None,
    country: str | None = None,
) -> Turn:
    return Turn(
        text=text, intent=intent, ranking=ranking, entities=entities or {},
        detected=Detected(*detected), language=language, explicit=explicit, hint=hint,
        country=country, is_button=text.startswith("/"),
    )
