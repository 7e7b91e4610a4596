"""Telegram as a `Channel` for casework (bot/gateway/channels.py): a caseworker's message to a
user's chat, and a line to the caseworkers' group, both through the outbox (ordered per chat,
retried). A message counts as delivered only once Telegram accepted every piece of it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from telegram import Bot

from bot.gateway.channels import Announce, Delivered
from bot.gateway.delivery import Outbox
from bot.gateway.telegram_text import keyboard
from bot.replies import Reply
from bot.splitting import split_text


@dataclass(frozen=True)
class TelegramChannel:
    bot: Bot
    outbox: Outbox
    group: int | None = None        # the caseworkers' group chat, if any

    @property
    def name(self) -> str:
        return "telegram"

    def accepts(self, address: str) -> bool:
        """A chat id, as sealed into the case."""
        try:
            int(address)
        except ValueError:
            return False
        return True

    async def send(self, address: str, reply: Reply, delivered: Delivered) -> None:
        chat_id = int(address)
        pieces = split_text(reply.text) or [" "]

        async def send() -> None:
            for index, piece in enumerate(pieces):
                markup = keyboard(reply.buttons) if index == len(pieces) - 1 else None
                await self.bot.send_message(chat_id, piece, reply_markup=markup)
            await delivered()
        await self.outbox.send(f"tg:{chat_id}", send)

    async def _to_group(self, group: int, text: str) -> None:
        await self.outbox.send(f"tg:{group}", partial(self.bot.send_message, group, text))

    def announcer(self) -> Announce | None:
        """How to tell the caseworkers' group, or None without one."""
        return None if self.group is None else partial(self._to_group, self.group)
