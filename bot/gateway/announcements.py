"""Urgent cases announced to the caseworkers' Telegram group, at most `most` in `window`
seconds: beyond that a case is still queued (urgent first) but not announced on its own, and
once the window has room again the group gets one line counting the ones it was not told
about. Counted in this gateway process (with several gateways, each has its own budget)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

WINDOW = 600.0      # ten minutes

Send = Callable[[str], Awaitable[None]]


def summary(held: int, console: str) -> str:
    """What the group reads instead of the announcements it was spared (a count and a link)."""
    return f"⚠ {held} more urgent case(s) were opened and not announced one by one\n{console}"


@dataclass
class Announcements:
    most: int
    window: float = WINDOW
    sent: deque[float] = field(default_factory=deque)
    held: int = 0

    def _room(self, now: float) -> bool:
        while self.sent and now - self.sent[0] >= self.window:
            self.sent.popleft()
        return len(self.sent) < self.most

    async def offer(self, send: Send, text: str, now: float | None = None) -> bool:
        """Announce `text` if the window has room (True), else count it for the summary."""
        now = time.monotonic() if now is None else now
        if self.held or not self._room(now):
            self.held += 1
            return False
        self.sent.append(now)
        await send(text)
        return True

    async def flush(self, send: Send, console: str, now: float | None = None) -> None:
        """Tell the group how many it was not told about, once the window has room."""
        now = time.monotonic() if now is None else now
        if self.held and self._room(now):
            held, self.held = self.held, 0
            self.sent.append(now)
            await send(summary(held, console))
