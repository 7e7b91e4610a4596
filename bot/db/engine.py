"""Engines and sessions from a database URL; migrations with Alembic.

Every engine hides bound parameters from its errors (they hold what users wrote), and a SQLite
file is made readable by its owner only (0600, in a 0700 folder if the folder is new)."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"


def sqlalchemy_url(url: str) -> str:
    """postgresql://… means psycopg 3 here; sqlite URLs pass through."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, connections: int | None = None) -> Engine:
    """`connections`: at most that many at once (a file or a server database; default:
    SQLAlchemy's pool of 5, and 10 more while busy)."""
    pool: dict[str, Any] = {} if connections is None else {"pool_size": connections, "max_overflow": 0}
    engine = create_engine(sqlalchemy_url(url), pool_pre_ping=True, hide_parameters=True, **pool)
    if engine.dialect.name == "sqlite":
        keep_private(engine)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def keep_private(engine: Engine) -> None:
    """Before each connection, make the SQLite file (and its new folders) the owner's only."""
    path = sqlite_path(engine.url)
    if path is None:
        return

    def before_connect(*_: object) -> None:
        # where we cannot make the file or folder, neither can SQLite: its own error follows
        with contextlib.suppress(OSError):
            private_file(path)

    event.listen(engine, "do_connect", before_connect)


def sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL; None for another database or one in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:") or parsed.query.get("mode") == "memory":
        return None      # a SQLite URI: left to the one who wrote it
    return Path(parsed.database)


def private_file(path: Path) -> None:
    """`path` made (empty) with mode 0600 if missing, missing folders with 0700; an existing
    file of ours (and its -wal, -shm and -journal files) that others could read is tightened."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):      # another process made it first
            folder.mkdir(mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        _tighten(file)


def private_folder(folder: Path) -> None:
    """An existing `folder` of ours tightened to 0700; never a shared one (sticky, as /tmp)
    nor a file system's root. A missing folder is left for whoever needs it to make."""
    if folder.is_dir() and not folder.stat().st_mode & stat.S_ISVTX and folder.resolve().parent != folder.resolve():
        _tighten(folder, 0o700)


def _tighten(path: Path, mode: int = 0o600) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(mode)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA secure_delete=ON")   # deleted rows are overwritten, not left in free pages
    cursor.close()


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database to the latest schema (idempotent)."""
    command.upgrade(alembic_config(url), "head")


def migration_engine(url: str) -> Engine:
    """The engine Alembic migrates with (bot/db/migrations/env.py): no pool, no pragmas (batch
    migrations on SQLite need foreign keys off), but parameters hidden and the file private."""
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    keep_private(engine)
    return engine
