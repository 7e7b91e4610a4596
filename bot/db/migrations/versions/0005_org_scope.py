"""organisation scope: unanswered questions and usage counts carry the organisation they were
routed to; the global_admin role (a role is a string column: no schema change for it)

Existing unanswered questions get NULL and existing counts "" (routed to no organisation):
the operator organisation and global admins see them (bot/reach.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KEY = ["day", "kind", "topic", "language", "channel"]


def upgrade() -> None:
    with op.batch_alter_table("unanswered") as batch:
        batch.add_column(sa.Column("organisation_id", sa.String(length=32), nullable=True))
        batch.create_foreign_key(op.f("fk_unanswered_organisation_id_organisation"), "organisation",
                                 ["organisation_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_unanswered_organisation_id"), ["organisation_id"])
    with op.batch_alter_table("usage_count") as batch:
        batch.add_column(sa.Column("organisation", sa.String(length=32), nullable=False, server_default=""))
        batch.drop_constraint(op.f("uq_usage_count_day"), type_="unique")
        batch.create_unique_constraint(op.f("uq_usage_count_day"), [*KEY, "organisation"])
    with op.batch_alter_table("usage_count") as batch:
        batch.alter_column("organisation", server_default=None)


def downgrade() -> None:
    # counts of one key for several organisations are added together again
    usage = sa.table("usage_count", sa.column("id", sa.Integer()), sa.column("count", sa.Integer()),
                     sa.column("day", sa.Date()), *(sa.column(name, sa.String()) for name in KEY[1:]))
    summed = sa.select(*(usage.c[name] for name in KEY), sa.func.min(usage.c.id).label("keep"),
                       sa.func.sum(usage.c["count"]).label("total")).group_by(*(usage.c[name] for name in KEY))
    connection = op.get_bind()
    for row in connection.execute(summed).mappings().all():
        connection.execute(sa.update(usage).where(usage.c.id == row["keep"]).values(count=row["total"]))
        connection.execute(sa.delete(usage).where(*(usage.c[name] == row[name] for name in KEY),
                                                  usage.c.id != row["keep"]))
    with op.batch_alter_table("usage_count") as batch:
        batch.drop_constraint(op.f("uq_usage_count_day"), type_="unique")
        batch.drop_column("organisation")
        batch.create_unique_constraint(op.f("uq_usage_count_day"), KEY)
    with op.batch_alter_table("unanswered") as batch:
        batch.drop_index(op.f("ix_unanswered_organisation_id"))
        batch.drop_constraint(op.f("fk_unanswered_organisation_id_organisation"), type_="foreignkey")
        batch.drop_column("organisation_id")
