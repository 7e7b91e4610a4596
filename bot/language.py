"""Deciding the reply language from what the user chose, wrote and their phone's hint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SWITCH_CONFIDENCE = 0.85
FIRST_CONFIDENCE = 0.4
SWITCH_MIN_WORDS = 2


@dataclass(frozen=True)
class Detected:
    """What the NLU language identifier said about one message."""

    code: str | None
    script: str | None
    confidence: float

    @classmethod
    def from_parse(cls, parse: dict[str, Any] | None) -> Detected:
        data = (parse or {}).get("language") or {}
        return cls(data.get("code"), data.get("script"), float(data.get("confidence") or 0.0))


def locale_for(code: str, script: str | None, available: set[str]) -> str | None:
    """The reply language for a detected language and script (uz + Cyrl -> uz_Cyrl)."""
    with_script = f"{code}_{script}" if script else code
    if with_script in available:
        return with_script
    return code if code in available else None


def decide(
    *,
    current: str | None,
    explicit: bool,
    detected: Detected,
    text: str,
    hint: str | None,
    default: str,
    available: set[str],
) -> str:
    """The language to answer in.

    An explicit choice (menu, /language) always wins. Otherwise the first message's
    detected language is used, then the phone's language as a hint, then the default; later
    messages switch the language only when they are clearly in another one.
    """
    if explicit and current in available:
        return current
    guess = locale_for(detected.code, detected.script, available) if detected.code else None
    if current not in available:
        if guess and detected.confidence >= FIRST_CONFIDENCE:
            return guess
        hinted = locale_for(hint.split("-")[0].lower(), None, available) if hint else None
        return hinted or guess or default
    assert current is not None
    clear = detected.confidence >= SWITCH_CONFIDENCE and len(text.split()) >= SWITCH_MIN_WORDS
    if guess and guess != current and clear:
        return guess
    return current
