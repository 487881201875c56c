"""finding lifecycle: states, the audit trail of actions, digests and their outbox

Revision ID: 0003_finding_lifecycle
Revises: 0001
Create Date: 2026-12-04

Independent of 0002 (account platform, another branch): the lead chains them at merge.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_finding_lifecycle"
down_revision = "0002_account_platform"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("last_action_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_digests_run_id_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
    )
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.create_index("ix_digests_scope_id", ["scope", "id"], unique=False)

    op.create_table(
        "finding_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_finding_actions_run_id_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_finding_actions_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_actions")),
    )
    with op.batch_alter_table("finding_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_actions_key"), ["key"], unique=False)
        batch_op.create_index("ix_finding_actions_unit_id", ["unit_id", "id"], unique=False)

    op.create_table(
        "finding_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("check", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("indicator", sa.String(length=100), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.Column("fixed_on", sa.Date(), nullable=True),
        sa.Column("first_run_id", sa.Integer(), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("fixed_run_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("first_evidence", sa.JSON(), nullable=False),
        sa.Column("last_evidence", sa.JSON(), nullable=False),
        sa.Column("fixed_evidence", sa.JSON(), nullable=True),
        sa.Column("disposition", sa.String(length=20), nullable=True),
        sa.Column("ignored_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("overdue_notified", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_run_id"],
            ["runs.id"],
            name=op.f("fk_finding_states_first_run_id_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fixed_run_id"],
            ["runs.id"],
            name=op.f("fk_finding_states_fixed_run_id_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_run_id"],
            ["runs.id"],
            name=op.f("fk_finding_states_last_run_id_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_finding_states_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_states")),
        sa.UniqueConstraint("key", name=op.f("uq_finding_states_key")),
    )
    with op.batch_alter_table("finding_states", schema=None) as batch_op:
        batch_op.create_index("ix_finding_states_unit_status", ["unit_id", "status"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["digests.id"],
            name=op.f("fk_outbox_digest_id_digests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"], unique=False)

    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("first_seen", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_seen", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_findings_key"), ["key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_key"))
        batch_op.drop_column("deadline")
        batch_op.drop_column("last_seen")
        batch_op.drop_column("first_seen")
        batch_op.drop_column("status")
        batch_op.drop_column("key")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_next")

    op.drop_table("outbox")
    with op.batch_alter_table("finding_states", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_states_unit_status")

    op.drop_table("finding_states")
    with op.batch_alter_table("finding_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_actions_unit_id")
        batch_op.drop_index(batch_op.f("ix_finding_actions_key"))

    op.drop_table("finding_actions")
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_index("ix_digests_scope_id")

    op.drop_table("digests")
