"""`helpline contacts sync`: content/contacts.yml copied into the database, on SQLite and PostgreSQL,
and nothing copied when the file is broken."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.content_check import check_content
from bot.db import models
from bot.db.engine import make_engine, make_sessions
from bot.db.prepare import prepare_database
from bot.routing.contacts import Directory, Hours, load_directory
from bot.routing.sync import SyncReport, sync_contacts
from bot.settings import Settings
from tests.conftest import make_settings

CONTENT = Settings().content_dir
DEFAULT = "helpline"
BROKEN_PHONE = ('phone: "8-800-707-88-41"', 'phone: "8-800-707"')


@pytest.fixture(scope="module")
def directory() -> Directory:
    found, problems = load_directory(CONTENT)
    assert found is not None, [p.render() for p in problems]
    return found


@pytest.fixture
def sessions(database_url: str, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """The migrated database with the default organisation, as `prepare_database` leaves it."""
    engine = make_engine(database_url)
    prepare_database(make_settings(tmp_path, database_url=database_url, default_organisation=DEFAULT), engine)
    yield make_sessions(engine)
    engine.dispose()


def sync(sessions: sessionmaker[Session], directory: Directory) -> SyncReport:
    with sessions.begin() as session:
        return sync_contacts(session, directory, default_organisation=DEFAULT)


def snapshot(sessions: sessionmaker[Session]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every organisation and contact row, column by column."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    with sessions() as session:
        for table in (models.Organisation, models.Contact):
            for row in session.scalars(select(table)):
                rows[(table.__tablename__, row.id)] = {c.key: getattr(row, c.key) for c in table.__table__.columns}
    return rows


def without(directory: Directory, *, organisations: Collection[str]) -> Directory:
    """The directory less some organisations and their contacts."""
    return Directory({k: v for k, v in directory.organisations.items() if k not in organisations},
                     tuple(c for c in directory.contacts if c.organisation not in organisations), directory.places)


def broken_copy(tmp_path: Path) -> tuple[Path, int]:
    """A copy of content/ whose contacts.yml has a phone number too short; and that line."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    file = root / "contacts.yml"
    lines = file.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if BROKEN_PHONE[0] in line)
    lines[index] = lines[index].replace(*BROKEN_PHONE)
    file.write_text("".join(lines))
    return root, index + 1


def test_the_shipped_contacts_are_added(sessions: sessionmaker[Session], directory: Directory) -> None:
    report = sync(sessions, directory)
    assert report == SyncReport(added=len(directory.organisations) + len(directory.contacts))
    with sessions() as session:
        assert set(session.scalars(select(models.Organisation.id))) == {*directory.organisations, DEFAULT}
        assert set(session.scalars(select(models.Contact.id))) == {c.id for c in directory.contacts}
        online = session.get_one(models.Contact, "rostrud_online")
        assert (online.organisation_id, online.verified, online.verified_on) == ("rostrud", True, dt.date(2026, 3, 1))
        assert online.channels == {"web": "http://онлайнинспекция.рф/problems/"}
        assert online.hours == {"timezone": "Europe/Moscow", "always": True}
        assert online.sectors == ["all"] and online.note["en"].startswith("Online complaint")
        assert session.get_one(models.Contact, "example_mo").hours["weekly"]["mon"] == "09:00-13:00, 14:00-18:00"
        assert session.get_one(models.Contact, "fnpr_web").hours == {}
        rostrud = session.get_one(models.Organisation, "rostrud")
        assert rostrud.verified and rostrud.name.startswith("Rostrud") and rostrud.names["ru"].startswith("Роструд")
        assert not session.get_one(models.Organisation, "example_union").verified


def test_a_second_sync_changes_nothing(sessions: sessionmaker[Session], directory: Directory) -> None:
    sync(sessions, directory)
    before = snapshot(sessions)
    assert sync(sessions, directory) == SyncReport()
    assert snapshot(sessions) == before


def test_a_removed_and_a_changed_contact_are_exactly_what_changes(sessions: sessionmaker[Session],
                                                                  directory: Directory) -> None:
    sync(sessions, directory)
    before = snapshot(sessions)
    changed = [dataclasses.replace(c, languages=("ru",), hours=Hours("Europe/Moscow", always=True))
               if c.id == "example_msk" else c for c in directory.contacts if c.id != "fnpr_web"]
    assert sync(sessions, dataclasses.replace(directory, contacts=tuple(changed))) == SyncReport(updated=1, removed=1)
    after = snapshot(sessions)
    assert set(before) - set(after) == {("contact", "fnpr_web")}
    assert {key for key in after if after[key] != before[key]} == {("contact", "example_msk")}
    assert after[("contact", "example_msk")]["languages"] == ["ru"]
    assert after[("contact", "example_msk")]["hours"] == {"timezone": "Europe/Moscow", "always": True}
    assert sync(sessions, directory) == SyncReport(added=1, updated=1)


def test_an_organisation_with_accounts_is_kept_and_reported(sessions: sessionmaker[Session],
                                                             directory: Directory) -> None:
    sync(sessions, directory)
    with sessions.begin() as session:
        session.add(models.Account(organisation_id="example_union", email="a@example.org",
                                   role=models.Role.caseworker, password_hash="x"))
    samples = sum(c.organisation == "example_union" for c in directory.contacts)
    report = sync(sessions, without(directory, organisations={"example_union", "fnpr"}))
    assert report == SyncReport(removed=samples + 2, kept=("example_union",))   # fnpr and fnpr_web
    assert report.kept_in_use == 1
    with sessions() as session:
        assert session.get(models.Organisation, "example_union") is not None
        assert session.get(models.Organisation, "fnpr") is None
        assert session.get(models.Organisation, DEFAULT) is not None        # never in content, never removed
        assert session.scalar(select(func.count()).select_from(models.Contact).where(
            models.Contact.organisation_id == "example_union")) == 0


def test_the_command_syncs(database_url: str, directory: Directory, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HELPLINE_DATABASE_URL", database_url)
    assert main(["contacts", "sync"]) == 0
    added = len(directory.organisations) + len(directory.contacts)
    assert f"contacts sync: {added} added, 0 updated, 0 removed, 0 kept in use" in capsys.readouterr().out
    assert main(["contacts", "sync"]) == 0
    assert "contacts sync: 0 added, 0 updated, 0 removed" in capsys.readouterr().out


def test_the_command_refuses_broken_contacts(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root, line = broken_copy(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HELPLINE_DATABASE_URL", database_url)
    monkeypatch.setenv("HELPLINE_CONTENT_DIR", str(root))
    assert main(["contacts", "sync"]) == 1
    err = capsys.readouterr().err
    assert f"content/contacts.yml:{line}: error: the phone number '8-800-707' has 7 digits" in err
    assert "how to fix:" in err
    engine = make_engine(database_url)
    try:
        with make_sessions(engine)() as session:
            assert session.scalar(select(func.count()).select_from(models.Organisation)) == 0
    finally:
        engine.dispose()


def test_check_reports_broken_contacts_with_the_line(tmp_path: Path) -> None:
    root, line = broken_copy(tmp_path)
    found = [p for p in check_content(root) if p.file == root / "contacts.yml"]
    assert [(p.line, p.warning) for p in found] == [(line, False)]
    assert "7 digits" in found[0].what and found[0].fix
