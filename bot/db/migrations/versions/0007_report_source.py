"""report source: an employer report carries the channel it came from (telegram, web or
other, from its conversation's prefix), when a caseworker confirmed it from a case, and the
organisation of that case (bot/signal/reports.py counts only Telegram users and confirmed
reports)

Existing reports get their channel from the conversation; none is confirmed, so a web report
from before, also one a caseworker entered from a case, no longer counts towards an alert.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employer_report") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=10), nullable=False, server_default=""))
        batch.add_column(sa.Column("confirmed_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("organisation_id", sa.String(length=32), nullable=True))
        batch.create_foreign_key(op.f("fk_employer_report_organisation_id_organisation"), "organisation",
                                 ["organisation_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_employer_report_organisation_id"), ["organisation_id"])
    report = sa.table("employer_report", sa.column("conversation", sa.String()), sa.column("channel", sa.String()))
    for prefix, channel in (("tg:", "telegram"), ("web:", "web")):
        op.execute(sa.update(report).where(report.c.conversation.startswith(prefix, autoescape=True))
                   .values(channel=channel))
    op.execute(sa.update(report).where(report.c.channel == "").values(channel="other"))
    with op.batch_alter_table("employer_report") as batch:
        batch.alter_column("channel", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("employer_report") as batch:
        batch.drop_index(op.f("ix_employer_report_organisation_id"))
        batch.drop_constraint(op.f("fk_employer_report_organisation_id_organisation"), type_="foreignkey")
        batch.drop_column("organisation_id")
        batch.drop_column("confirmed_at")
        batch.drop_column("channel")
