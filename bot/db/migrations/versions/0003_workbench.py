"""workbench: a lease for single-runner gateway work, usage counts, unanswered questions,
employer reports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 22:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("until", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_lease")),
    )
    op.create_table(
        "usage_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_count")),
        sa.UniqueConstraint("day", "kind", "topic", "language", "channel", name=op.f("uq_usage_count_day")),
    )
    op.create_index(op.f("ix_usage_count_day"), "usage_count", ["day"])
    op.create_table(
        "unanswered",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("conversation", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("guess", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["handled_by"], ["account.id"], ondelete="SET NULL",
                                name=op.f("fk_unanswered_handled_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered")),
    )
    op.create_index(op.f("ix_unanswered_created_at"), "unanswered", ["created_at"])
    op.create_index(op.f("ix_unanswered_conversation"), "unanswered", ["conversation"])
    op.create_index(op.f("ix_unanswered_state"), "unanswered", ["state"])
    op.create_table(
        "employer_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("conversation", sa.String(length=100), nullable=False),
        sa.Column("employer_key", sa.String(length=200), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("city", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_report")),
        sa.UniqueConstraint("conversation", "employer_key", name=op.f("uq_employer_report_conversation")),
    )
    op.create_index(op.f("ix_employer_report_created_at"), "employer_report", ["created_at"])
    op.create_index(op.f("ix_employer_report_conversation"), "employer_report", ["conversation"])
    op.create_index(op.f("ix_employer_report_employer_key"), "employer_report", ["employer_key"])


def downgrade() -> None:
    for table in ("employer_report", "unanswered", "usage_count", "lease"):
        op.drop_table(table)
