"""the organisers' studio: content drafts awaiting review or publishing, the background jobs
that publish or restore (their progress, for every gateway's console), and a reviewer's
languages (bot/studio/drafts.py, bot/studio/jobs.py)

The role `reviewer` needs no change here: roles are stored as strings (non-native enum).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DRAFT_STATES = ("open", "approved", "published", "withdrawn")
JOB_STATES = ("running", "done", "refused", "failed")


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("review_languages", sa.String(length=200), nullable=False, server_default=""))
    op.create_table(
        "content_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.String(length=40), nullable=True),
        sa.Column("state", sa.Enum(*DRAFT_STATES, name="draft_state", native_enum=False, length=20), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_on", UtcDateTime(), nullable=True),
        sa.Column("published_version", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_content_draft_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f("fk_content_draft_created_by_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["updated_by"], ["account.id"], name=op.f("fk_content_draft_updated_by_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reviewed_by"], ["account.id"], name=op.f("fk_content_draft_reviewed_by_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_draft")),
    )
    op.create_index(op.f("ix_content_draft_organisation_id"), "content_draft", ["organisation_id"])
    op.create_index(op.f("ix_content_draft_state"), "content_draft", ["state"])
    op.create_table(
        "studio_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.Enum(*JOB_STATES, name="job_state", native_enum=False, length=20), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=True),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["started_by"], ["account.id"], name=op.f("fk_studio_job_started_by_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_job")),
    )
    op.create_index(op.f("ix_studio_job_state"), "studio_job", ["state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_studio_job_state"), table_name="studio_job")
    op.drop_table("studio_job")
    op.drop_index(op.f("ix_content_draft_state"), table_name="content_draft")
    op.drop_index(op.f("ix_content_draft_organisation_id"), table_name="content_draft")
    op.drop_table("content_draft")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("review_languages")
