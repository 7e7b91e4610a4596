"""`helpline user add` creates console accounts with argon2-hashed passwords."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.console.auth import password_accepts, stored_for
from bot.console.passwords import check_password
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account


def add(monkeypatch: pytest.MonkeyPatch, password: str, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["user", "add", "--role", "caseworker", "--password-stdin", *extra])


def test_user_add(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'helpline.db'}"
    monkeypatch.setenv("HELPLINE_DATABASE_URL", url)
    assert add(monkeypatch, "a long enough secret", "--org", "helpline", "--email", "Worker@Union.example") == 0
    assert add(monkeypatch, "a long enough secret", "--org", "helpline", "--email", "worker@union.example") == 1
    assert "already has an account" in capsys.readouterr().err
    assert add(monkeypatch, "short", "--org", "helpline", "--email", "x@union.example") == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert add(monkeypatch, "a long enough secret", "--org", "nosuch", "--email", "y@union.example") == 1
    assert "no organisation 'nosuch'" in capsys.readouterr().err
    engine = make_engine(url)
    try:
        with make_sessions(engine).begin() as session:
            account = session.query(Account).one()
            assert account.email == "worker@union.example"
            assert account.password_hash.startswith("$argon2")
            assert "secret" not in account.password_hash
            stored = stored_for(session, "worker@union.example")
            assert password_accepts(session, stored, check_password(stored.password_hash, "a long enough secret"))
            assert password_accepts(session, stored, check_password(stored.password_hash, "wrong")) is None
    finally:
        engine.dispose()
