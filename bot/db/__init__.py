"""The helpline's own data (organisations, contacts, caseworkers, cases): SQLAlchemy 2 with
Alembic migrations; SQLite by default, PostgreSQL through DATABASE_URL."""
