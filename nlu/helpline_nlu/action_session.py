"""Rasa 3.6 opens a new aiohttp session, and so a new TCP connection, for every call to the
action server (EndpointConfig.request: `async with self.session() as session`). Under load
that is a connection set up and torn down on both sides for most messages. `install()` makes
each endpoint keep one session per event loop, with the same headers, authentication and
timeout; connections to the action server are then reused. When the server stops (Rasa's
`close_resources`, run after the server has stopped, on its event loop) the kept sessions of
that loop are closed."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import aiohttp

INSTALLED = "_helpline_shared_session"

# every kept session and its event loop, to close at shutdown; a session nothing else holds
# leaves on its own
KEPT: weakref.WeakKeyDictionary[aiohttp.ClientSession, weakref.ref[asyncio.AbstractEventLoop]] = (
    weakref.WeakKeyDictionary())


class _Kept:
    """`async with` on a kept session: enters it, and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_: Any) -> None:
        return None


async def close_kept() -> int:
    """Close the kept sessions of the running event loop; how many were open."""
    loop = asyncio.get_running_loop()
    mine = [session for session, owner in list(KEPT.items()) if owner() is loop and not session.closed]
    for session in mine:
        await session.close()
    return len(mine)


def install() -> None:
    """Idempotent (helpline_nlu/patches.py)."""
    import rasa.core.run
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig, INSTALLED, False):
        return
    new_session = EndpointConfig.session
    close_resources = rasa.core.run.close_resources

    def session(self: EndpointConfig) -> Any:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            return new_session(self)          # no loop yet: Rasa's own, closed after use
        kept = self.__dict__.get(INSTALLED)
        if kept is None or kept[0] is not loop or kept[1].closed:
            kept = (loop, new_session(self))
            self.__dict__[INSTALLED] = kept
            KEPT[kept[1]] = weakref.ref(loop)
        return _Kept(kept[1])

    async def close_resources_and_sessions(app: Any, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await close_resources(app, loop)
        finally:
            await close_kept()

    EndpointConfig.session = session
    setattr(EndpointConfig, INSTALLED, True)
    # serve_application registers `close_resources` by its module-level name, read at each start
    rasa.core.run.close_resources = close_resources_and_sessions
