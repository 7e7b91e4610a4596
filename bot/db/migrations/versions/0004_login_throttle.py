"""login throttle: failed console logins per account and per client address in the database
(shared by gateways, kept across restarts); console e-mail addresses normalised (NFKC, case
folded, no whitespace or invisible format characters), as bot/console/auth.py now compares them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

from bot.db.base import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def normalised(email: str) -> str:
    """bot.console.auth.normalise_email as of this revision (a migration keeps its own copy)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email).casefold())
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("blocked_until", UtcDateTime(), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key_hash", name=op.f("pk_login_attempt")),
    )
    op.create_index(op.f("ix_login_attempt_updated_at"), "login_attempt", ["updated_at"])
    normalise_accounts()


def normalise_accounts() -> None:
    """Every stored address in its normalised form; two accounts that would become one address
    stop the migration (an administrator decides which one stays)."""
    account = sa.table("account", sa.column("id", sa.Integer()), sa.column("email", sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(account.c.id, account.c.email).order_by(account.c.id)).all()
    owners: dict[str, list[int]] = {}
    for row in rows:
        owners.setdefault(normalised(row.email), []).append(row.id)
    clashes = [ids for ids in owners.values() if len(ids) > 1]
    if clashes:
        raise RuntimeError(
            "console accounts " + "; ".join(", ".join(map(str, ids)) for ids in clashes)
            + " have e-mail addresses that differ only in case, width or spaces; they would log in as one. "
            "Change or delete all but one of each (UPDATE account SET email = ... WHERE id = ...), then migrate again.")
    for row in rows:
        if normalised(row.email) != row.email:
            connection.execute(sa.update(account).where(account.c.id == row.id).values(email=normalised(row.email)))


def downgrade() -> None:
    # addresses stay normalised (the old code finds every plain ASCII address as before)
    op.drop_index(op.f("ix_login_attempt_updated_at"), table_name="login_attempt")
    op.drop_table("login_attempt")
