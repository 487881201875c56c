"""interaction facts: interaction columns and their letters, consultations and interviews

Revision ID: 0004_interaction
Revises: 0003_finding_lifecycle
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_interaction"
down_revision = "0003_finding_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interaction_columns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("page_url", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("script_filled", sa.Boolean(), nullable=False),
        sa.Column("api", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_interaction_columns_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_columns")),
    )
    with op.batch_alter_table("interaction_columns", schema=None) as batch_op:
        batch_op.create_index("ix_interaction_columns_run", ["run_id"], unique=False)
    op.create_table(
        "interaction_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("page_url", sa.String(length=2048), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("column_url", sa.String(length=2048), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("asked", sa.Date(), nullable=True),
        sa.Column("replied", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("status_text", sa.String(length=100), nullable=True),
        sa.Column("reply_unit", sa.String(length=200), nullable=True),
        sa.Column("reply_shown", sa.Boolean(), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("period_raw", sa.String(length=200), nullable=True),
        sa.Column("draft_type", sa.String(length=40), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("feedback_urls", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_interaction_entries_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_entries")),
    )
    with op.batch_alter_table("interaction_entries", schema=None) as batch_op:
        batch_op.create_index("ix_interaction_entries_run", ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interaction_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_entries_run")
    op.drop_table("interaction_entries")
    with op.batch_alter_table("interaction_columns", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_columns_run")
    op.drop_table("interaction_columns")
