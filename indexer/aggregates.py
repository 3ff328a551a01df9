"""The two aggregate projections (members, epochs): pure reducers, and their rebuild after a rollback.

The hot path applies the reducers to each event as it is indexed; a rollback deletes the event rows above the
common ancestor and rebuilds the touched keys by applying the *same* reducers to the rows that remain, so the
aggregates after a reorg equal those of a fresh index by construction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

from sqlalchemy import Connection, delete, insert, select

from indexer.models import (
    Contribution,
    ContributionDispute,
    ContributionRevocation,
    Delegation,
    Epoch,
    Member,
    MembershipChange,
)

__all__ = [
    "EpochTotals",
    "MemberState",
    "apply_contribution",
    "apply_delegation",
    "apply_dispute",
    "apply_membership_change",
    "apply_revocation",
    "epoch_row",
    "member_row",
    "rebuild_epochs",
    "rebuild_members",
]


@dataclass(slots=True)
class MemberState:
    """What the ``members`` table holds for one address."""

    address: str
    is_member: bool
    terms: int
    first_joined_at: int
    joined_at: int
    joined_block: int
    left_at: int | None
    left_block: int | None
    expelled: bool
    delegate: str | None
    last_block: int


def apply_membership_change(
    state: MemberState | None, address: str, kind: str, block: int, timestamp: int
) -> MemberState | None:
    """Admission starts a term (votes back to self); resignation and expulsion end it."""
    if kind == "joined":
        if state is None:
            return MemberState(address, True, 1, timestamp, timestamp, block, None, None, False, None, block)
        state.is_member = True
        state.terms += 1
        state.joined_at = timestamp
        state.joined_block = block
        state.left_at = None
        state.left_block = None
        state.expelled = False
        state.delegate = None
        state.last_block = block
        return state
    if state is None:  # a departure of an address never admitted cannot happen on chain; nothing to record
        return None
    state.is_member = False
    state.left_at = timestamp
    state.left_block = block
    state.expelled = kind == "expelled"
    state.last_block = block
    return state


def apply_delegation(state: MemberState | None, to_delegate: str, block: int) -> MemberState | None:
    """The delegate of the current term; ``None`` means the member votes itself."""
    if state is None:
        return None
    state.delegate = None if to_delegate.lower() == state.address.lower() else to_delegate
    state.last_block = block
    return state


def member_row(state: MemberState) -> dict[str, object]:
    return asdict(state)


@dataclass(slots=True)
class EpochTotals:
    """What the ``epochs`` table holds for one epoch (units as exact integers)."""

    epoch: int
    entries: int = 0
    units: int = 0
    revoked_entries: int = 0
    revoked_units: int = 0
    disputes: int = 0
    last_block: int = 0


def apply_contribution(totals: EpochTotals, units: int, block: int) -> None:
    totals.entries += 1
    totals.units += units
    totals.last_block = max(totals.last_block, block)


def apply_revocation(totals: EpochTotals, revoked_units: int, counted: bool, block: int) -> None:
    if counted:
        totals.revoked_entries += 1
        totals.revoked_units += revoked_units
    totals.last_block = max(totals.last_block, block)


def apply_dispute(totals: EpochTotals, block: int) -> None:
    totals.disputes += 1
    totals.last_block = max(totals.last_block, block)


def epoch_row(totals: EpochTotals) -> dict[str, object]:
    return {
        "epoch": totals.epoch,
        "entries": totals.entries,
        "units": str(totals.units),
        "revoked_entries": totals.revoked_entries,
        "revoked_units": str(totals.revoked_units),
        "net_units": str(totals.units - totals.revoked_units),
        "disputes": totals.disputes,
        "last_block": totals.last_block,
    }


def rebuild_members(conn: Connection, addresses: Collection[str]) -> None:
    """Recompute ``members`` rows for ``addresses`` from the membership and delegation rows in the store."""
    if not addresses:
        return
    keys = sorted(addresses)
    conn.execute(delete(Member).where(Member.address.in_(keys)))
    changes = select(
        MembershipChange.block_number,
        MembershipChange.log_index,
        MembershipChange.block_timestamp,
        MembershipChange.member,
        MembershipChange.kind,
    ).where(MembershipChange.member.in_(keys))
    delegations = select(
        Delegation.block_number,
        Delegation.log_index,
        Delegation.block_timestamp,
        Delegation.delegator,
        Delegation.to_delegate,
    ).where(Delegation.delegator.in_(keys))
    # Both row kinds merged in chain order, tagged with the table they come from.
    merged = [(*row, "change") for row in conn.execute(changes)] + [
        (*row, "delegation") for row in conn.execute(delegations)
    ]
    merged.sort(key=lambda row: (row[0], row[1]))
    states: dict[str, MemberState] = {}
    for block, _log, timestamp, address, value, source in merged:
        current = states.get(address)
        updated = (
            apply_membership_change(current, address, value, block, timestamp)
            if source == "change"
            else apply_delegation(current, value, block)
        )
        if updated is not None:
            states[address] = updated
    if states:
        conn.execute(insert(Member), [member_row(state) for state in states.values()])


def rebuild_epochs(conn: Connection, epochs: Collection[int]) -> None:
    """Recompute ``epochs`` rows for ``epochs`` from the contribution, revocation and dispute rows in the store."""
    if not epochs:
        return
    keys = sorted(epochs)
    conn.execute(delete(Epoch).where(Epoch.epoch.in_(keys)))
    totals: dict[int, EpochTotals] = {}

    def of(epoch: int) -> EpochTotals:
        return totals.setdefault(epoch, EpochTotals(epoch))

    for epoch, units, block in conn.execute(
        select(Contribution.epoch, Contribution.units, Contribution.block_number).where(Contribution.epoch.in_(keys))
    ):
        apply_contribution(of(epoch), int(units), block)
    for epoch, units, counted, block in conn.execute(
        select(
            ContributionRevocation.epoch,
            ContributionRevocation.revoked_units,
            ContributionRevocation.counted,
            ContributionRevocation.block_number,
        ).where(ContributionRevocation.epoch.in_(keys))
    ):
        apply_revocation(of(epoch), int(units), bool(counted), block)
    for epoch, block in conn.execute(
        select(ContributionDispute.epoch, ContributionDispute.block_number).where(ContributionDispute.epoch.in_(keys))
    ):
        apply_dispute(of(epoch), block)
    if totals:
        conn.execute(insert(Epoch), [epoch_row(item) for item in totals.values()])
