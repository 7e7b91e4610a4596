"""Alembic environment: the URL comes from the Config built in bot.db.engine."""

from __future__ import annotations

from alembic import context

from bot.db import models  # noqa: F401  (registers the tables)
from bot.db.base import Base
from bot.db.engine import migration_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = migration_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
