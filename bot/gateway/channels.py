"""What casework needs of a channel that reaches users by itself (Telegram; the web page asks
instead, bot/gateway/web_api.py): a `Channel` for caseworkers' messages, and an `Announce` for
the caseworkers' group. The relay (bot/gateway/relay.py) is given them when it is made."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot import messages as m
from bot.replies import CASE_END, Button, Reply, Responder

Delivered = Callable[[], Awaitable[None]]      # marks the message delivered; called once it arrived
Announce = Callable[[str], Awaitable[None]]    # a line for the caseworkers' group


class Channel(Protocol):
    @property
    def name(self) -> str:
        """The channel whose undelivered case messages this one sends ("telegram")."""
        ...

    def accepts(self, address: str) -> bool:
        """Whether an unsealed address is one this channel can send to."""
        ...

    async def send(self, address: str, reply: Reply, delivered: Delivered) -> None:
        """Send `reply`; call `delivered` only once the channel took all of it."""
        ...


def end_button(responder: Responder, language: str) -> tuple[Button, ...]:
    """The button under what a person in a case says, in every channel: end the conversation."""
    return (Button(responder.catalogues.gettext(language, m.BTN_END), CASE_END),)
