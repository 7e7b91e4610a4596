"""Long texts cut into message-sized pieces, and the limits of a Telegram message they are cut
to: the gateway sends the pieces, the organisers' preview shows them."""

from __future__ import annotations

MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_BYTES = 64


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, then line, then word ends."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        cut = cut if cut > limit // 2 else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest] if rest else pieces
