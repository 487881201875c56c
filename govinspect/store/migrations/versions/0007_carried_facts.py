"""carried facts: the run a fact was carried forward from (crawl plans, recent link checks)

Revision ID: 0007_carried_facts
Revises: 0006_dashboard_users
Create Date: 2026-12-04

A crawl that does not request a URL again (``crawl --plan quick|rolling``, a link verified
within the recheck window) copies the latest facts of it into the new run, with their original
timestamps; ``carried_from_run_id`` names the run that saw them.  A plain integer, no foreign
key: pruning an old run must not cascade into the facts a newer run carries.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_carried_facts"
down_revision = "0006_dashboard_users"
branch_labels = None
depends_on = None

TABLES = (
    "pages",
    "link_checks",
    "columns",
    "column_items",
    "interaction_columns",
    "interaction_entries",
    "safety_facts",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("carried_from_run_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("carried_from_run_id")
