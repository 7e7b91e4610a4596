"""One database runner for the whole gateway: an engine, its sessions, and the worker threads
its transactions run on (the event loop never blocks on SQL). Chat and casework get one with
SQLAlchemy's default pool on anyio's shared threads; the console gets its own, with a few
connections and as many threads, so a flood of console requests waits for the console's
connections (on the event loop, holding no thread) and never takes a connection or a thread that
chat and casework need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
from sqlalchemy import Connection, Engine
from sqlalchemy import text as sql
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_sessions

T = TypeVar("T")


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    threads: anyio.CapacityLimiter | None = None    # None: anyio's default threads, shared

    @classmethod
    def open(cls, url: str, *, connections: int | None = None) -> Database:
        """At most `connections` connections and as many threads of its own; without a number,
        SQLAlchemy's pool of 5 (and 10 more while busy) on anyio's default threads."""
        engine = make_engine(url, connections=connections)
        threads = anyio.CapacityLimiter(connections) if connections is not None else None
        return cls(engine, make_sessions(engine), threads)

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work` in a transaction on one of this database's threads."""
        def transaction() -> T:
            with self.sessions.begin() as session:
                return work(session)
        return await anyio.to_thread.run_sync(transaction, limiter=self.threads)

    async def read(self, work: Callable[[Connection], T]) -> T:
        """`work` on a plain connection (no ORM session) on one of this database's threads:
        for the small reads every message makes."""
        def reading() -> T:
            with self.engine.connect() as connection:
                return work(connection)
        return await anyio.to_thread.run_sync(reading, limiter=self.threads)

    async def reachable(self) -> bool:
        """Whether a query gets an answer now (for /healthz)."""
        try:
            await self.run(lambda session: session.execute(sql("SELECT 1")))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()
