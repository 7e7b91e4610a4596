"""Console logins under attack (issue 15): one spelling of an address, failures counted in the
database (shared by gateways, kept across restarts) per account and per client address, argon2
checks limited per process on their own threads, old hashes renewed, trusted proxies named.

The real gateway app (its lifespan run here, no Rasa needed for logins) on SQLite and
PostgreSQL; requests through httpx's ASGI transport, which lets a test pick the client address."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import io
import os
import threading
import warnings
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from pydantic import ValidationError
from sqlalchemy import select, update
from starlette.applications import Starlette

from bot.console.login import LOGIN_CSRF
from bot.db.engine import make_engine, make_sessions, upgrade
from bot.db.models import Account
from bot.gateway.app import create_app
from bot.processes import gateway_command
from bot.settings import Settings
from tests.conftest import make_settings
from tests.console_client import add_caseworker

PASSWORD = "correct horse battery"
EMAIL = "cw@helpline.example"
SPELLINGS = [" cw@helpline.example", "\tcw@helpline.example", "\u3000CW@HELPLINE.EXAMPLE ",
             "ｃｗ@ｈｅｌｐｌｉｎｅ.ｅｘａｍｐｌｅ", "c\u200bw@helpline.example\n"]
TOKEN = "login-form-token-for-the-tests"
HERE, THERE = "203.0.113.7", "198.51.100.9"


@contextlib.asynccontextmanager
async def gateway(settings: Settings) -> AsyncIterator[Starlette]:
    """A gateway app with its lifespan running (a new one is a restart)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app
    # The lifespan (bot/gateway/app.py) disposes its engine before its tasks have stopped: the
    # casework loop then releases its lease through a new pool, and a pass or purge running at that
    # moment returns its connection to the old one. Both closed here, not by a later test's gc.
    app.state.gateway.database.engine.dispose()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


async def log_in(app: Starlette, email: str, password: str = PASSWORD, *, address: str = HERE,
                 language: str = "en") -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        return await http.post("/console/login", data={"csrf": TOKEN, "email": email, "password": password},
                               headers={"cookie": f"{LOGIN_CSRF}={TOKEN}", "accept-language": language})


async def fail(app: Starlette, times: int, email: str = EMAIL, *, address: str = HERE) -> list[int]:
    return [(await log_in(app, email, "wrong password!", address=address)).status_code for _ in range(times)]


def stored_hash(database: str, email: str = EMAIL) -> str:
    engine = make_engine(database)
    try:
        with make_sessions(engine)() as session:
            return session.scalars(select(Account.password_hash).where(Account.email == email)).one()
    finally:
        engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    add_caseworker(database_url, EMAIL, password=PASSWORD)
    add_caseworker(database_url, "other@helpline.example", password=PASSWORD)
    return make_settings(tmp_path, database_url=database_url)


# -- 1. one spelling of an address --------------------------------------------------------------

async def test_every_spelling_of_an_address_shares_one_budget(settings: Settings) -> None:
    async with gateway(settings) as app:
        statuses = [(await log_in(app, spelling, "wrong password!")).status_code for spelling in SPELLINGS]
        assert statuses == [401] * 5
        refused = await log_in(app, EMAIL)                         # the right password, the plain address
    assert refused.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in refused.text
    assert refused.headers["retry-after"] == "900"


async def test_the_right_password_logs_in_with_any_spelling(settings: Settings) -> None:
    async with gateway(settings) as app:
        assert [(await log_in(app, spelling)).status_code for spelling in SPELLINGS] == [303] * 5


async def test_the_right_password_with_another_spelling_is_refused_while_blocked(settings: Settings) -> None:
    async with gateway(settings) as app:
        assert await fail(app, 5) == [401] * 5
        assert (await log_in(app, "\u3000cw@helpline.example ")).status_code == 429
        assert (await log_in(app, "CW@HELPLINE.EXAMPLE", address=THERE)).status_code == 429   # any address


def test_user_add_stores_the_one_spelling(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.cli import main

    url = f"sqlite:///{tmp_path / 'helpline.db'}"
    monkeypatch.setenv("HELPLINE_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "--role", "caseworker", "--password-stdin", "--org", "helpline",
                 "--email", "\u3000ＣＷ@Helpline.Example "]) == 0
    assert stored_hash(url, EMAIL).startswith("$argon2id$")


# -- 2. failures counted in the database --------------------------------------------------------

async def test_blocked_stays_blocked_after_a_restart(settings: Settings) -> None:
    async with gateway(settings) as app:
        assert await fail(app, 5) == [401] * 5
    async with gateway(settings) as restarted:
        assert (await log_in(restarted, EMAIL)).status_code == 429


async def test_two_gateways_on_one_database_share_the_budget(settings: Settings) -> None:
    async with gateway(settings) as one, gateway(settings) as two:
        assert await fail(one, 3) + await fail(two, 2) == [401] * 5
        assert (await log_in(one, EMAIL)).status_code == 429
        assert (await log_in(two, EMAIL)).status_code == 429
        assert (await log_in(two, "other@helpline.example")).status_code == 303    # another account


async def test_an_address_has_a_looser_budget_of_its_own(settings: Settings) -> None:
    """30 failures from one client (an IPv6 client: its /64), each on another address, stop that
    client; an account with no failures still logs in from elsewhere."""
    attacker, neighbour, elsewhere = "2001:db8::1", "2001:db8::2:5", "2001:db8:0:1::1"
    async with gateway(settings) as app:
        statuses = [(await log_in(app, f"guess{n}@helpline.example", "wrong password!", address=attacker)).status_code
                    for n in range(30)]
        assert statuses == [401] * 30
        assert (await log_in(app, EMAIL, address=neighbour)).status_code == 429       # the same /64
        assert (await log_in(app, EMAIL, address=elsewhere)).status_code == 303


async def test_the_table_keeps_no_address_and_no_ip(settings: Settings) -> None:
    from bot.db.models import LoginAttempt

    async with gateway(settings) as app:
        await fail(app, 2)
    engine = make_engine(settings.database)
    try:
        with make_sessions(engine)() as session:
            rows = list(session.scalars(select(LoginAttempt)))
    finally:
        engine.dispose()
    assert sorted((row.kind, row.failures) for row in rows) == [("account", 2), ("address", 2)]
    for row in rows:
        assert len(row.key_hash) == 64 and int(row.key_hash, 16) >= 0
        assert "cw" not in row.key_hash and HERE not in row.key_hash


def test_blocks_grow_and_a_success_starts_afresh(database_url: str) -> None:
    from bot.console import throttle

    keys = throttle.login_keys(b"k" * 32, EMAIL, HERE)
    engine = make_engine(database_url)
    sessions = make_sessions(engine)

    def charge(at: dt.datetime) -> throttle.Blocked | None:
        with sessions.begin() as session:
            return throttle.charge(session, keys, at)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    minute = dt.timedelta(minutes=1)
    try:
        blocks = []
        at = start
        for _ in range(3):
            assert [charge(at) for _ in range(5)] == [None] * 5
            blocked = charge(at)
            assert blocked is not None and blocked.started and blocked.kind == "account"
            assert charge(at + minute) == throttle.Blocked("account", blocked.until, started=False)
            blocks.append((blocked.until - at) / minute)
            at = blocked.until + minute
        assert blocks == [15, 30, 60]
        with sessions.begin() as session:
            throttle.succeeded(session, keys, at)
        assert [charge(at) for _ in range(5)] == [None] * 5
        blocked = charge(at)
        assert blocked is not None and blocked.until - at == 15 * minute
    finally:
        engine.dispose()


def test_attempts_at_the_same_moment_cannot_pass_the_budget(database_url: str) -> None:
    """The budget's rows are locked while an attempt is charged: of 20 at once, 5 go through."""
    from bot.console import throttle

    keys = throttle.login_keys(b"k" * 32, EMAIL, HERE)
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    now = dt.datetime.now(dt.UTC)

    def charge(_: int) -> bool:
        with sessions.begin() as session:
            return throttle.charge(session, keys, now) is None
    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            passed = list(pool.map(charge, range(20)))
    finally:
        engine.dispose()
    assert passed.count(True) == 5


# -- 3. password checks limited per process, on their own threads, parameters sized -------------

class SlowHasher(PasswordHasher):
    """Holds every check until the test lets it go; notes the thread it ran on and its priority."""

    def __init__(self) -> None:
        super().__init__(time_cost=2, memory_cost=19_456, parallelism=1)
        self.entered, self.release, self.threads = threading.Event(), threading.Event(), set[tuple[str, int]]()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        self.threads.add((threading.current_thread().name, nice))
        self.entered.set()
        assert self.release.wait(30)
        return super().verify(hash, password)


async def test_429_when_every_password_check_is_taken(tmp_path: Path) -> None:
    from bot.console.auth import LoginLimiter
    from bot.console.passwords import PasswordChecks

    settings = make_settings(tmp_path, login_checks=1)
    upgrade(settings.database)
    add_caseworker(settings.database, EMAIL, password=PASSWORD)
    slow = SlowHasher()
    async with gateway(settings) as app:
        assert app.state.console_limiter.password_checks(settings.login_checks).size == 1
        app.state.console_limiter = LoginLimiter(PasswordChecks(1, wait=0.05, hasher=slow))
        first = asyncio.create_task(log_in(app, EMAIL))
        assert await asyncio.to_thread(slow.entered.wait, 30)
        busy = await log_in(app, "other@helpline.example", language="ru", address=THERE)
        busy_en = await log_in(app, "other@helpline.example", address=THERE)
        slow.release.set()
        assert (await first).status_code == 303
    assert busy.status_code == busy_en.status_code == 429
    assert "Сейчас входит много людей сразу" in busy.text
    assert "Many people are logging in right now" in busy_en.text
    # on a thread of its own, at the lowest CPU priority (chat first when the cores are short)
    assert [(name.split("_")[0], nice) for name, nice in slow.threads] == [("argon2", 19)]


async def test_an_old_hash_is_renewed_at_login(settings: Settings) -> None:
    old = PasswordHasher()                     # argon2-cffi's default: 64 MiB, t=3, p=4
    engine = make_engine(settings.database)
    try:
        with make_sessions(engine).begin() as session:
            session.execute(update(Account).where(Account.email == EMAIL).values(password_hash=old.hash(PASSWORD)))
    finally:
        engine.dispose()
    async with gateway(settings) as app:
        assert (await log_in(app, EMAIL)).status_code == 303
        renewed = stored_hash(settings.database)
        assert renewed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert PasswordHasher().verify(renewed, PASSWORD)
        assert (await log_in(app, EMAIL)).status_code == 303
    assert stored_hash(settings.database) == renewed          # hashed again only once


def test_argon2_memory_times_checks_stays_well_under_the_gateway() -> None:
    from bot.console.passwords import HASHER

    settings = Settings()
    assert (HASHER.memory_cost, HASHER.time_cost, HASHER.parallelism) == (19_456, 2, 1)
    assert HASHER.memory_cost * 1024 * settings.login_checks < 64 * 2**20       # under 64 MiB at most


# -- 4. trusted proxies -------------------------------------------------------------------------

@pytest.mark.parametrize("trusted", ["*", "0.0.0.0/0", "::/0", "10.0.0.1,*", "proxy.example"])
def test_trusting_every_proxy_or_a_name_is_refused(trusted: str) -> None:
    with pytest.raises(ValidationError, match="HELPLINE_FORWARDED_ALLOW_IPS"):
        Settings(forwarded_allow_ips=trusted)


def test_trusted_proxies_are_addresses_and_none_by_default() -> None:
    assert Settings().trusted_proxies == ""
    assert Settings(forwarded_allow_ips=" 10.42.0.0/16, 192.0.2.7 ").trusted_proxies == "10.42.0.0/16,192.0.2.7"


def test_helpline_run_gives_the_gateway_the_configured_proxies_only() -> None:
    command = gateway_command(Settings(forwarded_allow_ips="10.42.0.0/16"))
    assert command[command.index("--forwarded-allow-ips") + 1] == "10.42.0.0/16"
    assert "--forwarded-allow-ips" not in gateway_command(Settings())     # unset: a proxy on this machine
