"""sealed address: cases keep a keyed-hash conversation key and the chat id only sealed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("support_case", sa.Column("address", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("support_case") as batch:
        batch.drop_column("address")
