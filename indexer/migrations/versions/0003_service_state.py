"""The scheduler's alarms and the relay's submission log, under migrations like every other table.

Both are the services' own state (not derived from the chain), so a rollback never touches them. Stores written
before this revision may already hold them (the services used to create them on first use): they are kept as they are.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "alarms" not in existing:
        op.create_table(
            "alarms",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("key", sa.String(length=200), nullable=False),
            sa.Column("message", sa.Text(), nullable=False),
            sa.Column("raised_at", sa.Float(), nullable=False),
            sa.Column("cleared_at", sa.Float(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_alarms_kind_key", "alarms", ["kind", "key"], unique=False)
        op.create_index("ix_alarms_cleared_at", "alarms", ["cleared_at"], unique=False)
    if "relay_submissions" not in existing:
        op.create_table(
            "relay_submissions",
            sa.Column("request_key", sa.String(length=66), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("subject", sa.String(length=42), nullable=False),
            sa.Column("transaction_hash", sa.String(length=66), nullable=False),
            sa.Column("created_at", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("request_key"),
        )


def downgrade() -> None:
    op.drop_table("relay_submissions")
    op.drop_index("ix_alarms_cleared_at", table_name="alarms")
    op.drop_index("ix_alarms_kind_key", table_name="alarms")
    op.drop_table("alarms")
