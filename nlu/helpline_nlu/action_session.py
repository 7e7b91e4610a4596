"""Rasa 3.6 opens a new aiohttp session, and so a new TCP connection, for every call to the
action server (EndpointConfig.request: `async with self.session() as session`). Under load
that is a connection set up and torn down on both sides for most messages. `install()` makes
each endpoint keep one session per event loop, with the same headers, authentication and
timeout; connections to the action server are then reused."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import aiohttp

INSTALLED = "_helpline_shared_session"


class _Kept:
    """`async with` on a kept session: enters it, and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_: Any) -> None:
        return None


def install() -> None:
    """Idempotent; called when the pipeline's first component is built (TextNormaliser)."""
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig, INSTALLED, False):
        return
    new_session = EndpointConfig.session

    def session(self: EndpointConfig) -> Any:
        try:
            loop: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            return new_session(self)          # no loop yet: Rasa's own, closed after use
        kept = self.__dict__.get(INSTALLED)
        if kept is None or kept[0] is not loop or kept[1].closed:
            kept = (loop, new_session(self))
            self.__dict__[INSTALLED] = kept
        return _Kept(kept[1])

    setattr(EndpointConfig, "session", session)
    setattr(EndpointConfig, INSTALLED, True)
