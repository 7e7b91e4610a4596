"""Uzbek Latin -> Uzbek Cyrillic transliteration (the 1995 Latin alphabet).

Uzbek Cyrillic content is derived from the Latin original, never maintained twice.
Links, commands, e-mail addresses and {placeholders} are left as they are.
"""

from __future__ import annotations

import re

_APOS = "'`´ʻʼ‘’"
# Longest first: digraphs before single letters.
_PAIRS: tuple[tuple[str, str], ...] = (
    *((f"o{a}", "ў") for a in _APOS),
    *((f"g{a}", "ғ") for a in _APOS),
    # Russian loanwords keep ц: politsiya -> полиция, kompensatsiya -> компенсация (ketsa stays кетса)
    ("tsiya", "ция"), ("tsio", "цио"),
    ("sh", "ш"), ("ch", "ч"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"), ("ye", "е"),
)
_SINGLE = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и",
    "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ",
    "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з",
    "c": "с", "w": "в",
}
# Tokens that must survive untouched: links, domains, e-mails, /commands, {placeholders}.
_PROTECTED = re.compile(
    r"(https?://\S+|\S+@\S+|\{[^}]*\}|/[a-z_]+|\b[\w.-]+\.(?:ru|kz|uz|tj|kg|com|org|net|рф)\b\S*)",
    re.IGNORECASE,
)


def _word(word: str) -> str:
    out: list[str] = []
    i = 0
    lower = word.lower()
    while i < len(word):
        piece, step = _convert_at(lower, i, out)
        if piece is None:
            out.append(word[i])
            i += 1
            continue
        original = word[i : i + step]
        if original[:1].isupper():
            piece = piece.upper() if (len(original) > 1 and original.isupper()) else piece.capitalize()
        out.append(piece)
        i += step
    return "".join(out)


def _convert_at(lower: str, i: int, out: list[str]) -> tuple[str | None, int]:
    if lower[i] == "y" and lower[i + 1 : i + 2] in ("o", "g") and lower[i + 2 : i + 3] in _APOS:
        return "й", 1  # yoʻq -> йўқ, not ёъқ
    for latin, cyr in _PAIRS:
        if lower.startswith(latin, i):
            return cyr, len(latin)
    ch = lower[i]
    if ch in _APOS:
        return ("ъ", 1) if out and out[-1].isalpha() else ("", 1)
    if ch == "e" and (not out or not out[-1].isalpha()):
        return "э", 1
    if ch in _SINGLE:
        return _SINGLE[ch], 1
    return None, 1


def uz_latn_to_cyrl(text: str) -> str:
    """Transliterate Uzbek Latin text to Cyrillic, keeping protected tokens."""
    parts = _PROTECTED.split(text)
    return "".join(
        part if index % 2 else re.sub(r"[^\W\d_]+(?:[" + _APOS + r"][^\W\d_]*)*", lambda m: _word(m.group(0)), part)
        for index, part in enumerate(parts)
    )


TRANSLITERATORS = {"uz_latn_to_cyrl": uz_latn_to_cyrl}
