"""Plain helpers for Telegram: splitting long texts and building inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.replies import Button

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


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button per row (long titles stay readable on small screens)."""
    rows = [[InlineKeyboardButton(b.title[:64], callback_data=b.payload)]
            for b in buttons if len(b.payload.encode()) <= MAX_CALLBACK_BYTES]
    return InlineKeyboardMarkup(rows) if rows else None


NOT_MENU = ("/more", "/handoff_human", "/case_open", "/case_end", "/forget_all")


def is_menu(markup: InlineKeyboardMarkup | None) -> bool:
    """A message the user navigates on (main menu, a category, the languages), which the next
    menu may replace. Answers and suggestions (they offer "more" or a person) stay in the chat."""
    if markup is None:
        return False
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    return len(data) >= 2 and all(isinstance(d, str) and not d.startswith(NOT_MENU) for d in data)
