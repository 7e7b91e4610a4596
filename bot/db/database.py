"""A database as one part of the gateway uses it: an engine with its own connection pool and
worker threads of its own, as many as its connections. The console and the chat each get one,
so a flood of console requests waits for the console's connections (on the event loop, holding
no thread) and never takes a connection or a thread that chat and casework need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_sessions

T = TypeVar("T")


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    threads: anyio.CapacityLimiter

    @classmethod
    def open(cls, url: str, *, connections: int) -> Database:
        """At most `connections` connections and as many threads (call in the event loop)."""
        engine = make_engine(url, connections=connections)
        return cls(engine, make_sessions(engine), anyio.CapacityLimiter(connections))

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work` in a transaction on one of this database's threads."""
        def transaction() -> T:
            with self.sessions.begin() as session:
                return work(session)
        return await anyio.to_thread.run_sync(transaction, limiter=self.threads)

    def close(self) -> None:
        self.engine.dispose()
