"""At start-up: migrate the database and make sure the default organisation exists."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.db.engine import make_sessions, upgrade
from bot.db.models import Organisation
from bot.settings import Settings


def prepare_database(settings: Settings, engine: Engine) -> None:
    if settings.database.startswith("sqlite:///"):
        from pathlib import Path

        Path(settings.database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database)
    with make_sessions(engine).begin() as session:
        if session.get(Organisation, settings.default_organisation) is None:
            session.add(Organisation(id=settings.default_organisation, name="Helpline caseworkers",
                                     names={}, kind="helpline", country="RU", verified=False))
