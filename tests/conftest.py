"""Shared fixtures: real content, a real trained model (once per session, cached in build/),
and real Rasa and action servers on free loopback ports; and the services marked tests need
(PostgreSQL, Redis, Chromium): such a test skips when its service is absent, or fails under CI."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.content_cache import responder as load_responder
from bot.devtools.ports import free_port
from bot.privacy.keys import Keys
from bot.processes import Stack, running_stack, start_gateway
from bot.replies import Responder
from bot.settings import ROOT, Settings
from bot.training.train import train
from tests.studio_content import repository, seed  # noqa: F401  (the studio tests' fixtures)

SHARED = ROOT.parent / "shared"
# every test gateway uses this secret, so tests can name a conversation's key in the stores
TEST_SECRET = "test-secret-key-for-conversation-pseudonyms-0001"
TEST_KEYS = Keys(TEST_SECRET.encode())
POSTGRES = os.environ.get("HELPLINE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytest_plugins = ("pytester",)      # tests/test_service_markers.py runs pytest inside pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from content/ (what workers see) instead of comparing")


def pytest_configure(config: pytest.Config) -> None:
    """Code that reads Settings() from the environment in the test process itself (the action
    classes run in unit tests record for organisers) writes under a temporary data folder,
    never the checkout's var/. Child processes get their settings explicitly (settings_env)."""
    import tempfile

    os.environ.setdefault("HELPLINE_DATA_DIR", tempfile.mkdtemp(prefix="helpline-test-var-"))


def tcp_missing(name: str, host: str, port: int) -> str | None:
    """Why `name` cannot be used (nothing accepts a connection at host:port), or None."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return f"{name} not reachable at {host}:{port}"
    return None


def file_missing(name: str, path: str) -> str | None:
    """Why `name` cannot be used (no program at `path`), or None."""
    return None if os.access(path, os.X_OK) else f"{name} not found at {path}"


PG = urlsplit(POSTGRES)
# marker -> what its tests need, asked only when a test with that marker is about to run
SERVICES: dict[str, Callable[[], str | None]] = {
    "postgres": partial(tcp_missing, "PostgreSQL", PG.hostname or "127.0.0.1", PG.port or 5432),
    "redis": partial(tcp_missing, "Redis", "127.0.0.1", 6379),
    "browser": partial(file_missing, "Chromium", CHROMIUM),
}
MISSING = pytest.StashKey[dict[str, str | None]]()


def in_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(missing: str | None, *, ci: bool) -> None:
    """Nothing when the service is there; otherwise skip with the reason, or fail under CI,
    where every test must run and a skip would pass silently."""
    if missing is None:
        return
    if ci:
        pytest.fail(f"{missing} (CI is set: a test that needs it must run, not skip)", pytrace=False)
    pytest.skip(missing)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture starts (no Rasa trained for a test that will skip): each service the
    test is marked with, looked for once per session."""
    known = item.config.stash.setdefault(MISSING, {})
    for marker, missing in SERVICES.items():
        if item.get_closest_marker(marker) is not None:
            if marker not in known:
                known[marker] = missing()
            require(known[marker], ci=in_ci(os.environ))


def conversation_key(channel: str, raw: str | int) -> str:
    """The key a test gateway gives the Telegram chat or web session `raw` in Rasa and cases."""
    return TEST_KEYS.conversation(channel, raw)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    defaults = {"rasa_port": free_port(), "action_port": free_port(), "gateway_port": free_port(),
                # never a real token from the developer's shell: tests stay offline
                "telegram_bot_token": None, "telegram_webhook_url": None,
                # plain http on loopback; caseworkers always on duty unless a test says otherwise
                "console_secure_cookies": False, "casework_hours": "mon-sun 00:00-24:00 Etc/UTC",
                "database_url": None, "secret_key": TEST_SECRET,
                # tests talk faster than people; tests/test_privacy.py checks the limit itself
                "messages_per_minute": 600,
                # and open cases faster; tests/test_floods.py checks those limits
                "cases_per_conversation_day": 100, "cases_per_address_hour": 10_000, "cases_per_hour": 100_000,
                "case_messages_per_minute": 600, "case_polls_per_minute": 6000,
                # organisers' counts written at every turn, so tests can read them at once
                "usage_flush_seconds": 0}
    return Settings(data_dir=data_dir, **{**defaults, **overrides})  # type: ignore[arg-type]


@contextlib.contextmanager
def gateway_beside(stack: Stack, data_dir: Path, **overrides: object) -> Iterator[Stack]:
    """A gateway of its own (data folder, database, settings) in front of the session's Rasa and
    action server; ready on entry, stopped on exit."""
    # Rasa's tracker store is the session stack's: forgetting and retention must look there
    shared = {"rasa_port": stack.settings.rasa_port, "action_port": stack.settings.action_port,
              "rasa_token": stack.settings.rasa_token,
              "tracker_store_url": stack.settings.tracker_store_url
              or f"sqlite:///{stack.settings.data_dir / 'rasa' / 'tracker.db'}"}
    settings = make_settings(data_dir, **{**shared, **overrides})
    own = Stack(settings)
    start_gateway(own)
    try:
        own.wait_ready(timeout=60)
        yield own
    finally:
        own.stop()


def fake_telegram_settings(port: int) -> dict[str, object]:
    """Settings that point the gateway's Telegram bot at the local fake Bot API on `port`."""
    return {"telegram_bot_token": "123456:TEST-token", "telegram_api_base_url": f"http://127.0.0.1:{port}/bot"}


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    """HTTP clients a test's console client opened (tests/console_client.py), closed after it."""
    from tests.console_client import OPEN

    yield
    while OPEN:
        OPEN.pop().close()


@pytest.fixture(scope="session")
def responder() -> Responder:
    settings = Settings()
    return load_responder(settings.content_dir, settings.locales_dir)


@pytest.fixture(scope="session")
def model() -> Path:
    settings = Settings()
    return train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir,
                 build_dir=settings.build_dir)


@pytest.fixture(scope="session")
def stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    settings = make_settings(tmp_path_factory.mktemp("var"))
    with running_stack(settings, model) as running:
        yield running



@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database on the local server for this test session, dropped after."""
    import psycopg

    name = f"helpline_test_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database: SQLite in a temporary folder, or the session's PostgreSQL
    database with every table emptied first."""
    from bot.db.engine import make_engine, upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'helpline.db'}"
        upgrade(url)
        yield url
        return
    url = request.getfixturevalue("postgres_url")
    upgrade(url)
    engine = make_engine(url)
    from bot.db.base import Base

    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()
    yield url
