"""The indexer's tables (SQLAlchemy 2 typed declarative models); Alembic migrations create them.

Design rules, so that a rollback and a crash can never leave the store different from a fresh index:

- Rows carry natural keys only (block number and log index, entry id, proposal id, address); no autoincrement ids,
  so a rolled-back and re-indexed store equals a fresh one row for row on SQLite and PostgreSQL alike.
- Every row derived from an event carries its ``block_number``; a rollback deletes ``block_number > ancestor``.
  The two aggregate tables (``members``, ``epochs``) are recomputed from the event rows for the keys a rollback
  touched (``indexer.aggregates``).
- Amounts are ``uint256`` on chain: they are stored as decimal text (exact on every backend) and summed in Python.
- No wall-clock time in data tables; only ``indexer_status`` (health figures) holds it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ALL_MODELS",
    "EVENT_ROW_MODELS",
    "Alarm",
    "Base",
    "Block",
    "Claim",
    "ConsentChange",
    "Contribution",
    "ContributionDispute",
    "ContributionRevocation",
    "Delegation",
    "DistributionRound",
    "DividendPolicy",
    "EarmarkRelease",
    "Epoch",
    "EventRow",
    "IndexerCursor",
    "IndexerStatus",
    "Member",
    "MembershipChange",
    "Plan",
    "PlanVerification",
    "Proposal",
    "ProposalAction",
    "ProposalStateChange",
    "Purpose",
    "PurposeFunding",
    "RelaySubmission",
    "Revenue",
    "TreasuryMovement",
    "UnattributedBooking",
    "Vote",
]

_ADDRESS = String(42)
_HASH = String(66)
_UINT = String(78)  # decimal text of a uint256


class Base(DeclarativeBase):
    """Declarative base of the indexer's tables."""


class _FromLog:
    """Columns of a row that one log created: its position in the chain is its key."""

    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    tx_hash: Mapped[str] = mapped_column(_HASH)
    block_timestamp: Mapped[int] = mapped_column(BigInteger)


class IndexerCursor(Base):
    """The last block whose logs are all in the store; written in the same transaction as those rows."""

    __tablename__ = "indexer_cursor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(_HASH)


class IndexerStatus(Base):
    """Health figures (head seen, speed, last error) for ``/ready`` and metrics; not part of the indexed data."""

    __tablename__ = "indexer_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    head: Mapped[int | None] = mapped_column(BigInteger)
    target: Mapped[int | None] = mapped_column(BigInteger)
    blocks_per_second: Mapped[float | None] = mapped_column(Float)
    events_per_second: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[float | None] = mapped_column(Float)


class Block(Base):
    """Headers of the last ``reorg_window`` + 1 blocks (for reorg detection) and of every block with union logs."""

    __tablename__ = "blocks"
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(_HASH)
    parent_hash: Mapped[str] = mapped_column(_HASH)
    timestamp: Mapped[int] = mapped_column(BigInteger)
    has_events: Mapped[bool] = mapped_column(Boolean)


class EventRow(_FromLog, Base):
    """Every log of every followed contract, decoded (``args`` is canonical JSON; big integers as strings)."""

    __tablename__ = "events"
    tx_index: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(_ADDRESS)
    contract: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    args: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_events_contract_event", "contract", "event"),)


class Purpose(_FromLog, Base):
    """A data-use purpose registered by governance (id = keccak256 of its name)."""

    __tablename__ = "purposes"
    purpose_id: Mapped[str] = mapped_column(_HASH, index=True)
    name: Mapped[str] = mapped_column(Text)


class MembershipChange(_FromLog, Base):
    """An admission (``joined``), resignation (``resigned``) or expulsion (``expelled``)."""

    __tablename__ = "membership_changes"
    member: Mapped[str] = mapped_column(_ADDRESS, index=True)
    kind: Mapped[str] = mapped_column(String(16))


class Delegation(_FromLog, Base):
    """A member moved its vote (``DelegateChanged``)."""

    __tablename__ = "delegations"
    delegator: Mapped[str] = mapped_column(_ADDRESS, index=True)
    from_delegate: Mapped[str] = mapped_column(_ADDRESS)
    to_delegate: Mapped[str] = mapped_column(_ADDRESS)


class ConsentChange(_FromLog, Base):
    """A member granted or withdrew consent to a purpose (effective from this block's timestamp)."""

    __tablename__ = "consent_changes"
    member: Mapped[str] = mapped_column(_ADDRESS, index=True)
    purpose_id: Mapped[str] = mapped_column(_HASH)
    granted: Mapped[bool] = mapped_column(Boolean)


class Member(Base):
    """Current state of every address ever admitted (an aggregate of membership changes and delegations)."""

    __tablename__ = "members"
    address: Mapped[str] = mapped_column(_ADDRESS, primary_key=True)
    is_member: Mapped[bool] = mapped_column(Boolean)
    terms: Mapped[int] = mapped_column(Integer)
    first_joined_at: Mapped[int] = mapped_column(BigInteger)
    joined_at: Mapped[int] = mapped_column(BigInteger)
    joined_block: Mapped[int] = mapped_column(BigInteger)
    left_at: Mapped[int | None] = mapped_column(BigInteger)
    left_block: Mapped[int | None] = mapped_column(BigInteger)
    expelled: Mapped[bool] = mapped_column(Boolean)
    delegate: Mapped[str | None] = mapped_column(_ADDRESS)
    last_block: Mapped[int] = mapped_column(BigInteger)


class Contribution(_FromLog, Base):
    """A contribution entry as recorded (revocations and disputes are their own rows)."""

    __tablename__ = "contributions"
    entry_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    epoch: Mapped[int] = mapped_column(BigInteger, index=True)
    member: Mapped[str] = mapped_column(_ADDRESS, index=True)
    units: Mapped[str] = mapped_column(_UINT)
    evidence: Mapped[str] = mapped_column(_HASH)


class ContributionRevocation(_FromLog, Base):
    """A revocation; ``counted`` is false when it names another epoch than the entry's, or repeats one."""

    __tablename__ = "contribution_revocations"
    entry_id: Mapped[int] = mapped_column(BigInteger, index=True)
    epoch: Mapped[int] = mapped_column(BigInteger)
    recorder: Mapped[str] = mapped_column(_ADDRESS)
    counted: Mapped[bool] = mapped_column(Boolean)
    revoked_units: Mapped[str] = mapped_column(_UINT)


class ContributionDispute(_FromLog, Base):
    """A member disputed an entry."""

    __tablename__ = "contribution_disputes"
    entry_id: Mapped[int] = mapped_column(BigInteger, index=True)
    epoch: Mapped[int] = mapped_column(BigInteger)
    disputer: Mapped[str] = mapped_column(_ADDRESS)
    reason: Mapped[str] = mapped_column(Text)


class Epoch(Base):
    """Totals of an epoch's contribution entries (an aggregate; revocations that count are subtracted)."""

    __tablename__ = "epochs"
    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entries: Mapped[int] = mapped_column(BigInteger)
    units: Mapped[str] = mapped_column(_UINT)
    revoked_entries: Mapped[int] = mapped_column(BigInteger)
    revoked_units: Mapped[str] = mapped_column(_UINT)
    net_units: Mapped[str] = mapped_column(_UINT)
    disputes: Mapped[int] = mapped_column(BigInteger)
    last_block: Mapped[int] = mapped_column(BigInteger)


class Revenue(_FromLog, Base):
    """Revenue booked by ``payRevenue`` (or plain ETH): what arrived, for which purpose and epoch."""

    __tablename__ = "revenue"
    token: Mapped[str] = mapped_column(_ADDRESS, index=True)
    purpose_id: Mapped[str] = mapped_column(_HASH)
    payer: Mapped[str] = mapped_column(_ADDRESS)
    amount: Mapped[str] = mapped_column(_UINT)
    epoch: Mapped[int] = mapped_column(BigInteger, index=True)
    license_ref: Mapped[str] = mapped_column(Text)


class TreasuryMovement(_FromLog, Base):
    """Every change of the treasury's books, with the running booked balance and earmark per token after it.

    ``kind``: revenue, unattributed_booked, dividends_funded, transfer, earmark_released. Deltas are signed decimal
    text; ``balance_after`` is booked balance (revenue + bookings − outflows), ``earmarked_after`` the earmark.
    """

    __tablename__ = "treasury_movements"
    token: Mapped[str] = mapped_column(_ADDRESS)
    kind: Mapped[str] = mapped_column(String(32))
    amount: Mapped[str] = mapped_column(_UINT)
    balance_delta: Mapped[str] = mapped_column(String(80))
    earmark_delta: Mapped[str] = mapped_column(String(80))
    balance_after: Mapped[str] = mapped_column(_UINT)
    earmarked_after: Mapped[str] = mapped_column(_UINT)
    counterparty: Mapped[str | None] = mapped_column(_ADDRESS)
    purpose_id: Mapped[str | None] = mapped_column(_HASH)
    memo: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_treasury_movements_token_position", "token", "block_number", "log_index"),)


class DividendPolicy(_FromLog, Base):
    """A dividend policy, in force from its block's timestamp on."""

    __tablename__ = "dividend_policies"
    reserve_bps: Mapped[int] = mapped_column(Integer)
    operations_bps: Mapped[int] = mapped_column(Integer)
    floor_bps: Mapped[int] = mapped_column(Integer)
    cap_bps: Mapped[int] = mapped_column(Integer)
    operations_account: Mapped[str] = mapped_column(_ADDRESS)


class DistributionRound(_FromLog, Base):
    """A funded plan (``DividendsFunded``): epochs (from, through], root, plan hash and amounts."""

    __tablename__ = "distribution_rounds"
    token: Mapped[str] = mapped_column(_ADDRESS, index=True)
    from_epoch: Mapped[int] = mapped_column(BigInteger)
    through_epoch: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[str] = mapped_column(_UINT)
    reserve_released: Mapped[str] = mapped_column(_UINT)
    root: Mapped[str] = mapped_column(_HASH)
    plan_hash: Mapped[str] = mapped_column(_HASH)


class PurposeFunding(_FromLog, Base):
    """What one funding took from one purpose's earmark (``PurposeFunded``, logged before its ``DividendsFunded``)."""

    __tablename__ = "purpose_fundings"
    token: Mapped[str] = mapped_column(_ADDRESS)
    purpose_id: Mapped[str] = mapped_column(_HASH)
    through_epoch: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[str] = mapped_column(_UINT)
    reserve_released: Mapped[str] = mapped_column(_UINT)
    __table_args__ = (Index("ix_purpose_fundings_token_through", "token", "through_epoch"),)


class EarmarkRelease(_FromLog, Base):
    """Governance released part of a purpose's earmark (its carry or pending revenue)."""

    __tablename__ = "earmark_releases"
    token: Mapped[str] = mapped_column(_ADDRESS)
    purpose_id: Mapped[str] = mapped_column(_HASH)
    amount: Mapped[str] = mapped_column(_UINT)
    memo: Mapped[str] = mapped_column(Text)


class UnattributedBooking(_FromLog, Base):
    """Governance booked unattributed inflow as general revenue of an epoch."""

    __tablename__ = "unattributed_bookings"
    token: Mapped[str] = mapped_column(_ADDRESS)
    amount: Mapped[str] = mapped_column(_UINT)
    epoch: Mapped[int] = mapped_column(BigInteger)


class Claim(_FromLog, Base):
    """A dividend claim paid to ``account`` (whoever sent the transaction)."""

    __tablename__ = "claims"
    token: Mapped[str] = mapped_column(_ADDRESS)
    account: Mapped[str] = mapped_column(_ADDRESS, index=True)
    amount: Mapped[str] = mapped_column(_UINT)
    cumulative_amount: Mapped[str] = mapped_column(_UINT)


class Proposal(_FromLog, Base):
    """A governance proposal as created; its state changes, actions and votes are rows of their own."""

    __tablename__ = "proposals"
    proposal_id: Mapped[str] = mapped_column(_UINT, unique=True)
    proposer: Mapped[str] = mapped_column(_ADDRESS)
    vote_start: Mapped[int] = mapped_column(BigInteger)
    vote_end: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)


class ProposalAction(Base):
    """One action of a proposal, its calldata decoded against the union's ABIs (``args`` canonical JSON)."""

    __tablename__ = "proposal_actions"
    proposal_id: Mapped[str] = mapped_column(_UINT, primary_key=True)
    action_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    target: Mapped[str] = mapped_column(_ADDRESS)
    target_contract: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(_UINT)
    signature: Mapped[str] = mapped_column(Text)
    calldata: Mapped[str] = mapped_column(Text)
    function: Mapped[str] = mapped_column(String(64))
    args: Mapped[str] = mapped_column(Text)


class ProposalStateChange(_FromLog, Base):
    """A proposal was queued (``eta``), executed, canceled, or its deadline extended (``extended_deadline``)."""

    __tablename__ = "proposal_state_changes"
    proposal_id: Mapped[str] = mapped_column(_UINT, index=True)
    state: Mapped[str] = mapped_column(String(16))
    eta: Mapped[int | None] = mapped_column(BigInteger)
    extended_deadline: Mapped[int | None] = mapped_column(BigInteger)


class Vote(_FromLog, Base):
    """A vote; ``relayed`` when the transaction's sender is not the voter (a signed ballot relayed by someone)."""

    __tablename__ = "votes"
    proposal_id: Mapped[str] = mapped_column(_UINT, index=True)
    voter: Mapped[str] = mapped_column(_ADDRESS)
    support: Mapped[int] = mapped_column(Integer)
    weight: Mapped[str] = mapped_column(_UINT)
    reason: Mapped[str] = mapped_column(Text)
    params: Mapped[str] = mapped_column(Text)
    tx_from: Mapped[str] = mapped_column(_ADDRESS)
    relayed: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (Index("ix_votes_voter", "voter"),)


class Plan(Base):
    """A dividend plan document, stored by the planner: identified by its hash, never touched by a rollback.

    ``document`` is the canonical JSON exactly as hashed (``keccak(document) == plan_hash``), served byte for byte.
    """

    __tablename__ = "plans"
    plan_hash: Mapped[str] = mapped_column(_HASH, primary_key=True)
    token: Mapped[str] = mapped_column(_ADDRESS)
    from_epoch: Mapped[int] = mapped_column(BigInteger)
    through_epoch: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(_HASH)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_plans_token_through_epoch", "token", "through_epoch"),)


class PlanVerification(Base):
    """One independent recomputation of a plan: whether it reproduced the published one, and what differed."""

    __tablename__ = "plan_verifications"
    plan_hash: Mapped[str] = mapped_column(_HASH, primary_key=True, index=True)
    checked_at: Mapped[float] = mapped_column(Float, primary_key=True)
    proposal_id: Mapped[str | None] = mapped_column(_UINT)
    reproduced: Mapped[bool] = mapped_column(Boolean)
    differences: Mapped[str] = mapped_column(Text)


class Alarm(Base):
    """What the scheduler found wrong, or reports (unattributed inflow): its own state, never touched by a rollback.

    Raised and cleared by ``scheduler.alarms``; read by the API's ``/ready`` and ``/metrics``. Open while
    ``cleared_at`` is null.
    """

    __tablename__ = "alarms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[float] = mapped_column(Float)
    cleared_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (Index("ix_alarms_kind_key", "kind", "key"), Index("ix_alarms_cleared_at", "cleared_at"))


class RelaySubmission(Base):
    """A transaction the relay sent for one request (keyed by the request's digest), so a repeat gets the same one."""

    __tablename__ = "relay_submissions"
    request_key: Mapped[str] = mapped_column(_HASH, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(_ADDRESS)
    transaction_hash: Mapped[str] = mapped_column(_HASH)
    created_at: Mapped[int] = mapped_column(BigInteger)


EVENT_ROW_MODELS: tuple[type[Base], ...] = (
    EventRow,
    Purpose,
    MembershipChange,
    Delegation,
    ConsentChange,
    Contribution,
    ContributionRevocation,
    ContributionDispute,
    Revenue,
    TreasuryMovement,
    DividendPolicy,
    DistributionRound,
    PurposeFunding,
    EarmarkRelease,
    UnattributedBooking,
    Claim,
    Proposal,
    ProposalAction,
    ProposalStateChange,
    Vote,
)
"""Tables whose rows each come from one log (or one proposal action): a rollback deletes them by block."""

ALL_MODELS: tuple[type[Base], ...] = (
    IndexerCursor,
    IndexerStatus,
    Block,
    Member,
    Epoch,
    Plan,
    PlanVerification,
    Alarm,
    RelaySubmission,
    *EVENT_ROW_MODELS,
)
