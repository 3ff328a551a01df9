"""Initial schema: raw events, block headers, cursor and status, and every projection table.

The first migration creates all tables at once; later changes to the store come as further revisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 22:33:32.676043
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("parent_hash", sa.String(length=66), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("has_events", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "claims",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.String(length=78), nullable=False),
        sa.Column("cumulative_amount", sa.String(length=78), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_account"), ["account"], unique=False)

    op.create_table(
        "consent_changes",
        sa.Column("member", sa.String(length=42), nullable=False),
        sa.Column("purpose_id", sa.String(length=66), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("consent_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_changes_member"), ["member"], unique=False)

    op.create_table(
        "contribution_disputes",
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("disputer", sa.String(length=42), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("contribution_disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contribution_disputes_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "contribution_revocations",
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("recorder", sa.String(length=42), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("revoked_units", sa.String(length=78), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("contribution_revocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contribution_revocations_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "contributions",
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("member", sa.String(length=42), nullable=False),
        sa.Column("units", sa.String(length=78), nullable=False),
        sa.Column("evidence", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
        sa.UniqueConstraint("entry_id"),
    )
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contributions_epoch"), ["epoch"], unique=False)
        batch_op.create_index(batch_op.f("ix_contributions_member"), ["member"], unique=False)

    op.create_table(
        "delegations",
        sa.Column("delegator", sa.String(length=42), nullable=False),
        sa.Column("from_delegate", sa.String(length=42), nullable=False),
        sa.Column("to_delegate", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegations_delegator"), ["delegator"], unique=False)

    op.create_table(
        "distribution_rounds",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("from_epoch", sa.BigInteger(), nullable=False),
        sa.Column("through_epoch", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.String(length=78), nullable=False),
        sa.Column("reserve_released", sa.String(length=78), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("plan_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("distribution_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_distribution_rounds_token"), ["token"], unique=False)

    op.create_table(
        "dividend_policies",
        sa.Column("reserve_bps", sa.Integer(), nullable=False),
        sa.Column("operations_bps", sa.Integer(), nullable=False),
        sa.Column("floor_bps", sa.Integer(), nullable=False),
        sa.Column("cap_bps", sa.Integer(), nullable=False),
        sa.Column("operations_account", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    op.create_table(
        "earmark_releases",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("purpose_id", sa.String(length=66), nullable=False),
        sa.Column("amount", sa.String(length=78), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    op.create_table(
        "epochs",
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.String(length=78), nullable=False),
        sa.Column("revoked_entries", sa.BigInteger(), nullable=False),
        sa.Column("revoked_units", sa.String(length=78), nullable=False),
        sa.Column("net_units", sa.String(length=78), nullable=False),
        sa.Column("disputes", sa.BigInteger(), nullable=False),
        sa.Column("last_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch"),
    )
    op.create_table(
        "events",
        sa.Column("tx_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("contract", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_contract_event", ["contract", "event"], unique=False)

    op.create_table(
        "indexer_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "indexer_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("head", sa.BigInteger(), nullable=True),
        sa.Column("target", sa.BigInteger(), nullable=True),
        sa.Column("blocks_per_second", sa.Float(), nullable=True),
        sa.Column("events_per_second", sa.Float(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "members",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("is_member", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.Integer(), nullable=False),
        sa.Column("first_joined_at", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", sa.BigInteger(), nullable=False),
        sa.Column("joined_block", sa.BigInteger(), nullable=False),
        sa.Column("left_at", sa.BigInteger(), nullable=True),
        sa.Column("left_block", sa.BigInteger(), nullable=True),
        sa.Column("expelled", sa.Boolean(), nullable=False),
        sa.Column("delegate", sa.String(length=42), nullable=True),
        sa.Column("last_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address"),
    )
    op.create_table(
        "membership_changes",
        sa.Column("member", sa.String(length=42), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("membership_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_changes_member"), ["member"], unique=False)

    op.create_table(
        "proposal_actions",
        sa.Column("proposal_id", sa.String(length=78), nullable=False),
        sa.Column("action_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.String(length=42), nullable=False),
        sa.Column("target_contract", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=78), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("calldata", sa.Text(), nullable=False),
        sa.Column("function", sa.String(length=64), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", "action_index"),
    )
    with op.batch_alter_table("proposal_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_actions_block_number"), ["block_number"], unique=False)

    op.create_table(
        "proposal_state_changes",
        sa.Column("proposal_id", sa.String(length=78), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("eta", sa.BigInteger(), nullable=True),
        sa.Column("extended_deadline", sa.BigInteger(), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("proposal_state_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_state_changes_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("proposal_id", sa.String(length=78), nullable=False),
        sa.Column("proposer", sa.String(length=42), nullable=False),
        sa.Column("vote_start", sa.BigInteger(), nullable=False),
        sa.Column("vote_end", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
        sa.UniqueConstraint("proposal_id"),
    )
    op.create_table(
        "purposes",
        sa.Column("purpose_id", sa.String(length=66), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("purposes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purposes_purpose_id"), ["purpose_id"], unique=False)

    op.create_table(
        "revenue",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("purpose_id", sa.String(length=66), nullable=False),
        sa.Column("payer", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.String(length=78), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("license_ref", sa.Text(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("revenue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revenue_epoch"), ["epoch"], unique=False)
        batch_op.create_index(batch_op.f("ix_revenue_token"), ["token"], unique=False)

    op.create_table(
        "treasury_movements",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.String(length=78), nullable=False),
        sa.Column("balance_delta", sa.String(length=80), nullable=False),
        sa.Column("earmark_delta", sa.String(length=80), nullable=False),
        sa.Column("balance_after", sa.String(length=78), nullable=False),
        sa.Column("earmarked_after", sa.String(length=78), nullable=False),
        sa.Column("counterparty", sa.String(length=42), nullable=True),
        sa.Column("purpose_id", sa.String(length=66), nullable=True),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("treasury_movements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_treasury_movements_token_position", ["token", "block_number", "log_index"], unique=False
        )

    op.create_table(
        "unattributed_bookings",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.String(length=78), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    op.create_table(
        "votes",
        sa.Column("proposal_id", sa.String(length=78), nullable=False),
        sa.Column("voter", sa.String(length=42), nullable=False),
        sa.Column("support", sa.Integer(), nullable=False),
        sa.Column("weight", sa.String(length=78), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("tx_from", sa.String(length=42), nullable=False),
        sa.Column("relayed", sa.Boolean(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("block_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_proposal_id"), ["proposal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_proposal_id"))

    op.drop_table("votes")
    op.drop_table("unattributed_bookings")
    with op.batch_alter_table("treasury_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_treasury_movements_token_position")

    op.drop_table("treasury_movements")
    with op.batch_alter_table("revenue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revenue_token"))
        batch_op.drop_index(batch_op.f("ix_revenue_epoch"))

    op.drop_table("revenue")
    with op.batch_alter_table("purposes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purposes_purpose_id"))

    op.drop_table("purposes")
    op.drop_table("proposals")
    with op.batch_alter_table("proposal_state_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_state_changes_proposal_id"))

    op.drop_table("proposal_state_changes")
    with op.batch_alter_table("proposal_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_actions_block_number"))

    op.drop_table("proposal_actions")
    with op.batch_alter_table("membership_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_changes_member"))

    op.drop_table("membership_changes")
    op.drop_table("members")
    op.drop_table("indexer_status")
    op.drop_table("indexer_cursor")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_contract_event")

    op.drop_table("events")
    op.drop_table("epochs")
    op.drop_table("earmark_releases")
    op.drop_table("dividend_policies")
    with op.batch_alter_table("distribution_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_rounds_token"))

    op.drop_table("distribution_rounds")
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegations_delegator"))

    op.drop_table("delegations")
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributions_member"))
        batch_op.drop_index(batch_op.f("ix_contributions_epoch"))

    op.drop_table("contributions")
    with op.batch_alter_table("contribution_revocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_revocations_entry_id"))

    op.drop_table("contribution_revocations")
    with op.batch_alter_table("contribution_disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_disputes_entry_id"))

    op.drop_table("contribution_disputes")
    with op.batch_alter_table("consent_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_changes_member"))

    op.drop_table("consent_changes")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_account"))

    op.drop_table("claims")
    op.drop_table("blocks")
