"""content safety: one row of facts per page or attachment with something to say

Revision ID: 0005_content_safety
Revises: 0003_finding_lifecycle
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_content_safety"
down_revision = "0004_interaction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("is_homepage", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_safety_facts_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_facts")),
        sa.UniqueConstraint("run_id", "url", name=op.f("uq_safety_facts_run_id_url")),
    )


def downgrade() -> None:
    op.drop_table("safety_facts")
