"""Console passwords: argon2id sized for the gateway's pod, checked where they cannot crowd out chat.

Parameters: m = 19,456 KiB (19 MiB), t = 2, p = 1, OWASP's minimum for argon2id (what a check
costs: BENCHMARKS.md, "Login under attack"). A check holds its 19 MiB while it runs, and a gateway process runs
at most HELPLINE_LOGIN_CHECKS of them at once (default 2), each on one of as many threads of its
own: logins add at most about 2 × 19 = 38 MiB to a gateway (limit 512 MiB in
deploy/kubernetes/helpline.yaml) and never take the worker threads that chat's database work
runs on. Those threads run at the lowest CPU priority, so when the cores are short chat goes
first (BENCHMARKS.md, "Login under attack"). A login beyond them waits up to `WAIT` seconds for
a turn, then is asked to try again (`Busy`, 429). Hashes made with other parameters (before
issue 15, argon2-cffi's default: 64 MiB, t = 3, p = 4) still verify, and are hashed again with
these at the next successful login.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
MIN_PASSWORD = 12
WAIT = 1.0        # seconds a login waits for a free check before it is told to try again


class Busy(Exception):
    """Every password check of this process was taken for `wait` seconds."""


@dataclass(frozen=True)
class Checked:
    ok: bool
    new_hash: str | None = None    # the right password hashed with today's parameters, if stored with others


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    return hasher.hash(password)


@cache
def dummy_hash() -> str:
    """Checking against this keeps an unknown e-mail as slow as a wrong password."""
    return HASHER.hash(secrets.token_urlsafe(16))


def check_password(stored: str, password: str, hasher: PasswordHasher = HASHER) -> Checked:
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return Checked(ok=False)
    return Checked(ok=True, new_hash=hasher.hash(password) if hasher.check_needs_rehash(stored) else None)


def _yield_cpu() -> None:
    """A check thread runs at the lowest CPU priority: when the cores are short, chat goes first
    (Linux gives each thread its own nice value; elsewhere this does nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class PasswordChecks:
    """At most `size` password checks at once in this process, on `size` threads of their own."""

    def __init__(self, size: int, *, wait: float = WAIT, hasher: PasswordHasher = HASHER) -> None:
        self.size, self.wait, self.hasher = size, wait, hasher
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="argon2", initializer=_yield_cpu)
        self._turns: anyio.Semaphore | None = None      # made in the event loop, on first use

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """One check's turn, held for the body; `Busy` after `wait` seconds without one."""
        if self._turns is None:
            self._turns = anyio.Semaphore(self.size)
        turns, acquired = self._turns, False
        with anyio.move_on_after(self.wait):
            await turns.acquire()
            acquired = True
        if not acquired:
            raise Busy
        try:
            yield
        finally:
            turns.release()

    async def check(self, stored: str, password: str) -> Checked:
        """`check_password` on this process's own threads (never the event loop's default ones)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, check_password, stored, password, self.hasher)

    async def hash(self, password: str) -> str:
        """`hash_password` on the same threads (a new password: a change or an admin's reset)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, hash_password, password, self.hasher)
