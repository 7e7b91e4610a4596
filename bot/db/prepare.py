"""At start-up: migrate the database and make sure the default organisation exists."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.db.engine import make_sessions, private_file, private_folder, sqlite_path, upgrade
from bot.db.models import Organisation
from bot.settings import Settings


def prepare_database(settings: Settings, engine: Engine) -> None:
    """The data folder (key file, SQLite databases, logs), if there is one, becomes the owner's
    only (0700); a SQLite database file 0600, before Alembic or SQLite could make it readable."""
    private_folder(settings.data_dir)
    path = sqlite_path(settings.database)
    if path is not None:
        private_file(path)
    upgrade(settings.database)
    with make_sessions(engine).begin() as session:
        if session.get(Organisation, settings.default_organisation) is None:
            session.add(Organisation(id=settings.default_organisation, name="Helpline caseworkers",
                                     names={}, kind="helpline", country="RU", verified=False))
