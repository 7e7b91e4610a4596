"""How many messages one conversation may send to the bot per minute. Over the limit, the
message does not reach Rasa and the user gets a polite request to slow down; messages to a
caseworker in an open case are never limited here. In memory, per gateway process."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

WINDOW = 60.0


@dataclass
class MessageLimit:
    per_minute: int
    max_conversations: int = 100_000
    recent: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        stamps = self.recent.get(key)
        if stamps is None:
            stamps = self.recent[key] = deque()
        self.recent.move_to_end(key)
        while stamps and now - stamps[0] >= WINDOW:
            stamps.popleft()
        while len(self.recent) > self.max_conversations:
            self.recent.popitem(last=False)
        if len(stamps) >= self.per_minute:
            return False
        stamps.append(now)
        return True
