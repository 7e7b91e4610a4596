"""totp: a second factor per console account (a sealed TOTP secret, when it was switched on,
the last time step used), an admin's password reset (a one-time password to change at the next
login, and when it stops working), and the stage of a console session (logged in, or waiting
for the TOTP code)

Existing accounts get no second factor and no reset; existing sessions are logged in.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("password_expires_at", UtcDateTime(), nullable=True))
    with op.batch_alter_table("account") as batch:
        batch.alter_column("must_change_password", server_default=None)
    with op.batch_alter_table("console_session") as batch:
        batch.add_column(sa.Column("stage", sa.String(length=10), nullable=False, server_default="in"))
    with op.batch_alter_table("console_session") as batch:
        batch.alter_column("stage", server_default=None)


def downgrade() -> None:
    # sessions still waiting for a code were never logged in: they go, not become logged in
    console_session = sa.table("console_session", sa.column("stage", sa.String()))
    op.get_bind().execute(sa.delete(console_session).where(console_session.c.stage != "in"))
    with op.batch_alter_table("console_session") as batch:
        batch.drop_column("stage")
    with op.batch_alter_table("account") as batch:
        for column in ("password_expires_at", "must_change_password", "totp_last_step", "totp_enabled_at",
                       "totp_secret"):
            batch.drop_column(column)
