"""Plain helpers for Telegram: joining short texts, building inline keyboards (long texts are
split in bot/splitting.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.replies import Button, Reply
from bot.splitting import MAX_CALLBACK_BYTES, MAX_MESSAGE_CHARS


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button per row (long titles stay readable on small screens)."""
    rows = [[InlineKeyboardButton(b.title[:64], callback_data=b.payload)]
            for b in buttons if len(b.payload.encode()) <= MAX_CALLBACK_BYTES]
    return InlineKeyboardMarkup(rows) if rows else None


NOT_MENU = ("/more", "/handoff_human", "/case_open", "/case_end", "/forget_all")


def is_menu(markup: InlineKeyboardMarkup | None) -> bool:
    """A keyboard the user navigates on (main menu, a category, the languages). Answers and
    suggestions (they offer "more" or a person) are not menus."""
    if markup is None:
        return False
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    return len(data) >= 2 and all(isinstance(d, str) and not d.startswith(NOT_MENU) for d in data)


JOIN = "\n\n"


def replaceable(text: str | None, markup: InlineKeyboardMarkup | None) -> bool:
    """May the next menu press overwrite this message? Only a bare menu: a menu keyboard under
    the menu's own prompt. A text `joined` above a menu (the privacy notice, "the conversation
    with the caseworker ended") stays in the chat, and the next menu comes as a new message.

    Joined texts are told apart by the blank line `joined` puts between them. A menu prompt of
    its own with a blank line is only ever left in place too: the safe side of the mistake.
    """
    return is_menu(markup) and JOIN not in (text or "")


def joined(replies: list[Reply], limit: int = MAX_MESSAGE_CHARS) -> list[Reply]:
    """One turn's replies in fewer Telegram messages: a text with no buttons and no document
    goes at the top of the next reply, a blank line between them, unless both would not fit in
    one message. Such a message is never overwritten by a later menu press (`replaceable`).

    Each message is a notification on the user's phone, and Telegram lets a bot send about 30
    messages a second across all its chats; under `helpline bench load` a Telegram turn made
    1.3 messages on average before notices were joined into menus (the privacy notice at first
    contact above all), and 1.0 since.
    """
    out: list[Reply] = []
    for reply in replies:
        last = out[-1] if out else None
        if (last is not None and not last.buttons and last.document is None and reply.document is None
                and last.text.strip() and reply.text.strip()
                and len(last.text.strip()) + len(JOIN) + len(reply.text.strip()) <= limit):
            out[-1] = Reply(f"{last.text.strip()}{JOIN}{reply.text.strip()}", reply.buttons)
            continue
        out.append(reply)
    return out
