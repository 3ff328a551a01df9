"""What each funding took from each purpose's earmark (``UnionTreasury.PurposeFunded``, DESIGN §8).

A new table of event rows like any other: a store written before this revision indexed a treasury without per-purpose
earmarks, which logged no such event, so the table starts empty and nothing needs re-indexing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purpose_fundings",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("purpose_id", sa.String(length=66), nullable=False),
        sa.Column("through_epoch", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.String(length=78), nullable=False),
        sa.Column("reserve_released", sa.String(length=78), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    op.create_index("ix_purpose_fundings_token_through", "purpose_fundings", ["token", "through_epoch"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_purpose_fundings_token_through", table_name="purpose_fundings")
    op.drop_table("purpose_fundings")
