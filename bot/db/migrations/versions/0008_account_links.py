"""account links: one-time links an admin makes in the console (bot/console/invites.py), an
invitation to a new account or a password reset; only each token's hash is kept

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROLES = ("caseworker", "supervisor", "organiser", "admin", "global_admin")


def upgrade() -> None:
    op.create_table(
        "account_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.Enum(*ROLES, name="role", native_enum=False, length=20), nullable=False),
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_account_link_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_account_link_account_id_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f("fk_account_link_created_by_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
    )
    op.create_index(op.f("ix_account_link_organisation_id"), "account_link", ["organisation_id"])
    op.create_index(op.f("ix_account_link_account_id"), "account_link", ["account_id"])
    op.create_index(op.f("ix_account_link_expires_at"), "account_link", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_account_link_expires_at"), table_name="account_link")
    op.drop_index(op.f("ix_account_link_account_id"), table_name="account_link")
    op.drop_index(op.f("ix_account_link_organisation_id"), table_name="account_link")
    op.drop_table("account_link")
