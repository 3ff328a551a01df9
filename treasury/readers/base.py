"""One interface for whatever reads the planner's inputs — an RPC node, or the indexer's store.

A reader answers three questions: which block is final, which block closes an epoch (the first one with a timestamp
at or after ``end(e) + grace``, when no entry of *e* can change any more), and what the chain said up to a block
(:class:`ChainFacts`). Everything else — which facts a plan uses, which plan funded what — is decided here and in
:mod:`treasury.readers.history` by pure functions of those answers, so two readers that agree on the facts give
byte-identical plans.

The block a plan is read up to is part of the plan document (``inputs.toBlock``), so it must be reproducible: it is
the epoch's **closing block**, which anyone can find again from block timestamps alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Protocol, TypeVar

from eth_typing import BlockNumber, ChecksumAddress, HexStr

from treasury.allocation import PurposeFunding
from treasury.inputs import (
    BlockRange,
    ChainContext,
    ConsentChange,
    ContributionEntry,
    ContributionRevocation,
    EarmarkRelease,
    EpochId,
    EpochSchedule,
    EventRef,
    PlanInputs,
    PolicyChange,
    PurposeId,
    RevenueEvent,
)
from union.errors import UnionValueError

__all__ = [
    "BlockMark",
    "ChainFacts",
    "ClaimRecord",
    "FundedRound",
    "PlanInputsReader",
    "ProposalRecord",
    "booked_revenue",
    "find_closing_block",
    "plan_inputs",
]

_chain_order = attrgetter("event.block_number", "event.log_index")


def find_closing_block(timestamp_of: Callable[[int], int], low: int, high: int, moment: int) -> int | None:
    """The first block in ``low..high`` whose timestamp is at least ``moment`` (``None`` if even ``high``'s is not).

    Every reader closes a plan's block range with this search (the plan document names the range, so two readers
    agree on the plan hash only if they agree on the block). Block timestamps never decrease, so a binary search
    needs about log2(high − low) header reads.
    """
    if high < low or timestamp_of(high) < moment:
        return None
    while low < high:
        middle = (low + high) // 2
        if timestamp_of(middle) >= moment:
            high = middle
        else:
            low = middle + 1
    return low


def booked_revenue(schedule: EpochSchedule, revenue: RevenueEvent, logged_epoch: int) -> RevenueEvent:
    """``revenue``, once checked against the epoch the treasury logged it in (``RevenueReceived.epoch``).

    The treasury books revenue in the epoch its block's time falls in; if the reader's epoch clock puts it in another,
    the reader's schedule is not the chain's, and no plan built on it could be right.
    """
    derived = schedule.epoch_at(revenue.timestamp)
    if derived != logged_epoch:
        raise UnionValueError(
            f"revenue {revenue.event.id} was booked in epoch {logged_epoch}, but its block's time {revenue.timestamp} "
            f"falls in epoch {derived}: the schedule does not match the chain"
        )
    return revenue


class _Logged(Protocol):
    @property
    def event(self) -> EventRef: ...


_F = TypeVar("_F", bound=_Logged)


def _upto(facts: Sequence[_F], to_block: int) -> tuple[_F, ...]:
    return tuple(fact for fact in facts if fact.event.block_number <= to_block)


@dataclass(frozen=True, slots=True)
class BlockMark:
    """A block's number and timestamp."""

    number: BlockNumber
    timestamp: int


@dataclass(frozen=True, slots=True)
class FundedRound:
    """``UnionTreasury.DividendsFunded``: what one executed plan put on chain for ``token``, with what it took from
    each purpose's earmark (the ``PurposeFunded`` logs of the same funding)."""

    event: EventRef
    timestamp: int
    token: ChecksumAddress
    from_epoch: EpochId
    through_epoch: EpochId
    amount: int
    reserve_released: int
    root: HexStr
    plan_hash: HexStr
    purposes: Mapping[PurposeId, PurposeFunding] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    """``Governor.ProposalCreated``: the actions a proposal would execute and its description (calldata as hex)."""

    event: EventRef
    timestamp: int
    proposal_id: int
    proposer: ChecksumAddress
    targets: tuple[ChecksumAddress, ...]
    values: tuple[int, ...]
    calldatas: tuple[HexStr, ...]
    description: str


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """``DividendDistributor.Claimed``: ``account`` was paid ``amount`` by proving ``cumulative_amount`` (its leaf)."""

    event: EventRef
    token: ChecksumAddress
    account: ChecksumAddress
    amount: int
    cumulative_amount: int


@dataclass(frozen=True, slots=True)
class ChainFacts:
    """Every fact a plan can depend on, logged in ``blocks`` (the deployment block through ``blocks.to_block``).

    ``revenues`` holds ``RevenueReceived`` and ``UnattributedBooked`` (as general revenue) alike; ``policy_changes``
    starts with the one the treasury's constructor set; ``proposals`` are every governor proposal (verification
    looks for ``fundDividends`` actions among them) and ``claims`` every distributor claim (a claim proves one leaf of
    the root it was made under). Each list is in chain order.
    """

    blocks: BlockRange
    contributions: Sequence[ContributionEntry] = ()
    revocations: Sequence[ContributionRevocation] = ()
    revenues: Sequence[RevenueEvent] = ()
    consent_changes: Sequence[ConsentChange] = ()
    policy_changes: Sequence[PolicyChange] = ()
    earmark_releases: Sequence[EarmarkRelease] = ()
    funded_rounds: Sequence[FundedRound] = ()
    proposals: Sequence[ProposalRecord] = ()
    claims: Sequence[ClaimRecord] = ()

    def through_block(self, to_block: BlockNumber) -> ChainFacts:
        """The facts logged up to ``to_block`` included (what a reader stopping there would have returned)."""
        if to_block > self.blocks.to_block:
            raise UnionValueError(f"facts were read up to block {self.blocks.to_block}, not {to_block}")
        if to_block == self.blocks.to_block:
            return self

        return ChainFacts(
            blocks=BlockRange(self.blocks.from_block, to_block),
            contributions=_upto(self.contributions, to_block),
            revocations=_upto(self.revocations, to_block),
            revenues=_upto(self.revenues, to_block),
            consent_changes=_upto(self.consent_changes, to_block),
            policy_changes=_upto(self.policy_changes, to_block),
            earmark_releases=_upto(self.earmark_releases, to_block),
            funded_rounds=_upto(self.funded_rounds, to_block),
            proposals=_upto(self.proposals, to_block),
            claims=_upto(self.claims, to_block),
        )

    def rounds_of(self, token: ChecksumAddress) -> list[FundedRound]:
        """The funded rounds of ``token``, in chain order (each starts where the previous one ended)."""
        return sorted((item for item in self.funded_rounds if item.token == token), key=_chain_order)

    def earmarks(self, token: ChecksumAddress) -> dict[PurposeId, int]:
        """Each purpose's earmark of ``token`` after these facts, as the treasury keeps it (DESIGN §8): revenue booked
        for it (unattributed bookings are general) less what fundings and releases took from it (no zeros)."""
        held: dict[PurposeId, int] = defaultdict(int)
        for revenue in self.revenues:
            if revenue.token == token:
                held[revenue.purpose] += revenue.amount
        for funded in self.rounds_of(token):
            for purpose, funding in funded.purposes.items():
                held[purpose] -= funding.taken
        for release in self.earmark_releases:
            if release.token == token:
                held[release.purpose] -= release.amount
        return {purpose: amount for purpose, amount in sorted(held.items()) if amount}


class PlanInputsReader(Protocol):
    """Where the planner's facts come from: :class:`~treasury.readers.rpc.RpcPlanInputsReader` (an RPC node) and
    :class:`indexer.plan_inputs.StorePlanInputsReader` (the indexer's store, up to its cursor).

    Fed the same chain, both give identical facts, hence identical plans.
    """

    @property
    def chain(self) -> ChainContext:
        """The chain id and the union's contract addresses."""
        ...

    @property
    def schedule(self) -> EpochSchedule:
        """The ledger's epoch clock."""
        ...

    def final_block(self) -> BlockMark:
        """The newest block the reader treats as final (the head minus the confirmations)."""
        ...

    def closing_block(self, epoch: EpochId) -> BlockMark | None:
        """The first block with a timestamp at or after ``end(epoch) + grace``, or ``None`` if no final block is."""
        ...

    def facts(self, to_block: BlockNumber) -> ChainFacts:
        """Every fact from the deployment block through ``to_block`` (which must be final)."""
        ...


def plan_inputs(
    reader_chain: ChainContext,
    schedule: EpochSchedule,
    facts: ChainFacts,
    *,
    token: ChecksumAddress,
    from_epoch: int,
    through_epoch: int,
    previous_cumulative: Mapping[ChecksumAddress, int] | None = None,
    previous_carries: Mapping[PurposeId, int] | None = None,
    previous_releases_owed: Mapping[PurposeId, int] | None = None,
) -> PlanInputs:
    """The planner's inputs for ``token`` over ``(from_epoch, through_epoch]`` from facts read up to a closing block.

    The planner itself keeps only what the range needs (this token, these epochs, consents before each start,
    policies before each end); passing every fact lets the plan name exactly the events it used.
    """
    return PlanInputs(
        chain=reader_chain,
        token=token,
        from_epoch=EpochId(from_epoch),
        through_epoch=EpochId(through_epoch),
        schedule=schedule,
        blocks=facts.blocks,
        contributions=facts.contributions,
        revocations=facts.revocations,
        revenues=facts.revenues,
        consent_changes=facts.consent_changes,
        policy_changes=facts.policy_changes,
        earmark_releases=facts.earmark_releases,
        previous_cumulative=dict(previous_cumulative or {}),
        previous_carries=dict(previous_carries or {}),
        previous_releases_owed=dict(previous_releases_owed or {}),
    )
