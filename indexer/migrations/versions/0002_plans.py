"""Plans and their verifications (written by the planner and verifier, read by the API); index on votes.voter.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("plan_hash", sa.String(length=66), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("from_epoch", sa.BigInteger(), nullable=False),
        sa.Column("through_epoch", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("plan_hash"),
    )
    op.create_index("ix_plans_token_through_epoch", "plans", ["token", "through_epoch"], unique=False)
    op.create_table(
        "plan_verifications",
        sa.Column("plan_hash", sa.String(length=66), nullable=False),
        sa.Column("checked_at", sa.Float(), nullable=False),
        sa.Column("proposal_id", sa.String(length=78), nullable=True),
        sa.Column("reproduced", sa.Boolean(), nullable=False),
        sa.Column("differences", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("plan_hash", "checked_at"),
    )
    op.create_index("ix_plan_verifications_plan_hash", "plan_verifications", ["plan_hash"], unique=False)
    op.create_index("ix_votes_voter", "votes", ["voter"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_votes_voter", table_name="votes")
    op.drop_index("ix_plan_verifications_plan_hash", table_name="plan_verifications")
    op.drop_table("plan_verifications")
    op.drop_index("ix_plans_token_through_epoch", table_name="plans")
    op.drop_table("plans")
