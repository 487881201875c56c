"""accounts: unique per unit, platform and name (the same name may exist on two platforms)

Revision ID: 0002_account_platform
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0002_account_platform"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every stored (unit, name) pair is unique, so every (unit, platform, name) triple is too:
    # no row needs to change.  SQLite rebuilds the table (batch mode); env.py switches foreign
    # keys off meanwhile so the rebuild cannot cascade into the accounts' polls and posts.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_accounts_unit_id_name", type_="unique")
        batch_op.create_unique_constraint(
            "uq_accounts_unit_id_platform_name", ["unit_id", "platform", "name"]
        )


def downgrade() -> None:
    # Refused by the database (IntegrityError) while a unit has one name on two platforms.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_accounts_unit_id_platform_name", type_="unique")
        batch_op.create_unique_constraint("uq_accounts_unit_id_name", ["unit_id", "name"])
