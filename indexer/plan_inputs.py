"""The planner's inputs read from the indexer's store: a :class:`~treasury.readers.PlanInputsReader` over its rows.

The store holds the same logs an RPC node serves, decoded by the same decoder (``union.events``), so each table maps
back to the fact :class:`~treasury.readers.RpcPlanInputsReader` builds from its log, value for value: checksummed
addresses, lower-case hex hashes and ids, integers. Fed the same chain, the two readers give equal
:class:`~treasury.readers.ChainFacts`, hence byte-identical plans (``tests/indexer/test_plan_inputs.py`` holds them
to it).

The store knows the chain only up to its cursor, and keeps block headers only for a reorg window, so the reader
treats the cursor as its final block and finds closing blocks by block timestamps read elsewhere (an RPC-backed
``number -> timestamp`` given by the entry point).
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable
from typing import Any

from eth_typing import BlockNumber, ChainId, ChecksumAddress, HexStr
from sqlalchemy import Connection, select

from indexer import models as rows
from indexer.store import Store
from treasury.allocation import PurposeFunding
from treasury.inputs import (
    GENERAL_PURPOSE,
    BlockRange,
    ChainContext,
    ConsentChange,
    ContributionEntry,
    ContributionRevocation,
    EarmarkRelease,
    EpochId,
    EpochSchedule,
    EventRef,
    PolicyChange,
    PurposeId,
    RevenueEvent,
    checksum_address,
    purpose_id,
)
from treasury.plan import Plan
from treasury.policy import DividendPolicy
from treasury.readers import (
    BlockMark,
    ChainFacts,
    ClaimRecord,
    FundedRound,
    ProposalRecord,
    booked_revenue,
    find_closing_block,
)
from union.errors import StoreStateError, UnionValueError
from union.manifest import DeploymentManifest

__all__ = ["StorePlanInputsReader", "TimestampOf"]

logger = logging.getLogger(__name__)

TimestampOf = Callable[[int], int]
"""A block number's timestamp (one ``eth_getBlockByNumber``; the store keeps headers of recent blocks only)."""


def _ref(row: Any) -> EventRef:
    return EventRef(BlockNumber(int(row.block_number)), int(row.log_index), HexStr(str(row.tx_hash).lower()))


def _hex(value: str) -> HexStr:
    return HexStr(value.lower())


class StorePlanInputsReader:
    """A :class:`~treasury.readers.PlanInputsReader` over the indexer's :class:`~indexer.store.Store`.

    The chain context and the epoch clock come from the manifest (the ledger's immutables were read back when it
    was written); ``timestamp_of`` answers block timestamps for the closing-block search.
    """

    def __init__(self, store: Store, manifest: DeploymentManifest, timestamp_of: TimestampOf) -> None:
        self._store = store
        self._timestamp_of = timestamp_of
        self._deployment_block = BlockNumber(manifest.deployment_block)
        self._chain = ChainContext(
            chain_id=ChainId(manifest.chain_id),
            membership=manifest.address_of("UnionMembership"),
            ledger=manifest.address_of("ContributionLedger"),
            treasury=manifest.address_of("UnionTreasury"),
            distributor=manifest.address_of("DividendDistributor"),
        )
        parameters = manifest.parameters
        self._schedule = EpochSchedule(parameters.epoch_genesis, parameters.epoch_length, parameters.grace_period)
        self._closing: dict[int, BlockMark] = {}

    # ------------------------------------------------------------------ PlanInputsReader

    @property
    def chain(self) -> ChainContext:
        return self._chain

    @property
    def schedule(self) -> EpochSchedule:
        return self._schedule

    @property
    def deployment_block(self) -> BlockNumber:
        """Where the facts start: the first block holding any union contract."""
        return self._deployment_block

    def indexed_block(self) -> int:
        """The store's cursor: the last block whose logs are all in the store (``deployment − 1`` before any)."""
        cursor = self._store.cursor()
        return self._deployment_block - 1 if cursor is None else cursor.block_number

    def final_block(self) -> BlockMark:
        """The store's cursor (it holds no facts past it); :class:`StoreStateError` before it indexed anything."""
        indexed = self.indexed_block()
        if indexed < self._deployment_block:
            raise StoreStateError(
                f"the store has not indexed the deployment block {self._deployment_block} yet; run the indexer"
            )
        return BlockMark(BlockNumber(indexed), self._timestamp_of(indexed))

    def closing_block(self, epoch: EpochId) -> BlockMark | None:
        """The first indexed block at or after ``end(epoch) + grace`` (:func:`find_closing_block`), else ``None``.

        Once found it is remembered: it is at or below the cursor, which the indexer keeps behind the head by its
        confirmations. If a reorg rolled the cursor back below it, it is not answered until the store is back there.
        """
        final = self.final_block()
        closing = self._closing.get(epoch)
        if closing is None:
            closes_at = self._schedule.end(epoch) + self._schedule.grace
            if final.timestamp < closes_at:
                return None
            found = find_closing_block(self._timestamp_of, int(self._deployment_block), int(final.number), closes_at)
            if found is None:
                return None
            closing = BlockMark(BlockNumber(found), self._timestamp_of(found))
            self._closing[epoch] = closing
        return closing if closing.number <= final.number else None

    def facts(self, to_block: BlockNumber) -> ChainFacts:
        """Every fact from the deployment block through ``to_block``: one query per table, each in chain order.

        Refuses (:class:`StoreStateError`) a block past the store's cursor: those facts are not in the store yet.
        """
        if to_block < self._deployment_block:
            raise UnionValueError(f"block {to_block} is before the deployment block {self._deployment_block}")
        with self._store.engine.connect() as connection:
            cursor = connection.execute(select(rows.IndexerCursor.block_number)).scalar_one_or_none()
            if cursor is None or to_block > cursor:
                raise StoreStateError(
                    f"the store has indexed up to block {cursor}, not {to_block}: facts past its cursor are not "
                    "in the store yet; wait for the indexer"
                )
            facts = ChainFacts(
                blocks=BlockRange(self._deployment_block, to_block),
                contributions=_contributions(connection, to_block),
                revocations=_revocations(connection, to_block),
                revenues=self._revenues(connection, to_block),
                consent_changes=_consent_changes(connection, to_block),
                policy_changes=_policy_changes(connection, to_block),
                earmark_releases=_earmark_releases(connection, to_block),
                funded_rounds=_funded_rounds(connection, to_block),
                proposals=_proposals(connection, to_block),
                claims=_claims(connection, to_block),
            )
        logger.info("read union facts from the store through block %d", to_block, extra={"block": to_block})
        return facts

    # ------------------------------------------------------------------ what the scheduler reads besides facts

    def tokens(self) -> list[ChecksumAddress]:
        """Every token ever booked as revenue (paid, or unattributed and booked), in address order."""
        with self._store.engine.connect() as connection:
            paid = set(connection.execute(select(rows.Revenue.token).distinct()).scalars())
            booked = set(connection.execute(select(rows.UnattributedBooking.token).distinct()).scalars())
        return sorted({checksum_address(token) for token in paid | booked}, key=str.lower)

    def stored_plan(self, plan_hash: str) -> Plan | None:
        """The plan document the store holds under ``plan_hash``, parsed (``None`` if it holds none)."""
        with self._store.engine.connect() as connection:
            document = connection.execute(
                select(rows.Plan.document).where(rows.Plan.plan_hash == plan_hash.lower())
            ).scalar_one_or_none()
        return None if document is None else Plan.from_json(document)

    def funded_plan_documents(self) -> list[Plan]:
        """The stored documents of funded rounds (their hash is a ``planHash`` the chain recorded), in chain order.

        What :class:`~treasury.readers.PlanHistory` may build on instead of rebuilding every earlier round.
        """
        with self._store.engine.connect() as connection:
            documents = connection.execute(
                select(rows.Plan.document)
                .join(rows.DistributionRound, rows.DistributionRound.plan_hash == rows.Plan.plan_hash)
                .order_by(rows.DistributionRound.block_number, rows.DistributionRound.log_index)
            ).scalars()
            return [Plan.from_json(document) for document in documents]

    # ------------------------------------------------------------------ tables

    def _revenues(self, connection: Connection, to_block: int) -> list[RevenueEvent]:
        """``RevenueReceived`` rows and ``UnattributedBooked`` rows (general revenue), merged in chain order."""
        paid = [
            self._booked(row, purpose_id(row.purpose_id))
            for row in connection.execute(_in_chain_order(rows.Revenue, to_block))
        ]
        booked = [
            self._booked(row, GENERAL_PURPOSE)
            for row in connection.execute(_in_chain_order(rows.UnattributedBooking, to_block))
        ]
        return list(heapq.merge(paid, booked, key=lambda revenue: revenue.event))

    def _booked(self, row: Any, purpose: PurposeId) -> RevenueEvent:
        """One booked revenue, checked against the epoch the treasury logged (:func:`booked_revenue`)."""
        revenue = RevenueEvent(
            _ref(row), checksum_address(row.token), purpose, int(row.amount), int(row.block_timestamp)
        )
        return booked_revenue(self._schedule, revenue, int(row.epoch))


def _in_chain_order(model: Any, to_block: int) -> Any:
    return select(model).where(model.block_number <= to_block).order_by(model.block_number, model.log_index)


def _contributions(connection: Connection, to_block: int) -> list[ContributionEntry]:
    return [
        ContributionEntry(
            _ref(row), int(row.entry_id), EpochId(row.epoch), checksum_address(row.member), int(row.units)
        )
        for row in connection.execute(_in_chain_order(rows.Contribution, to_block))
    ]


def _revocations(connection: Connection, to_block: int) -> list[ContributionRevocation]:
    """Every revocation, counted or not (the planner decides which count, as for the RPC reader's)."""
    return [
        ContributionRevocation(_ref(row), int(row.entry_id), EpochId(row.epoch))
        for row in connection.execute(_in_chain_order(rows.ContributionRevocation, to_block))
    ]


def _consent_changes(connection: Connection, to_block: int) -> list[ConsentChange]:
    return [
        ConsentChange(
            _ref(row),
            checksum_address(row.member),
            purpose_id(row.purpose_id),
            bool(row.granted),
            int(row.block_timestamp),
        )
        for row in connection.execute(_in_chain_order(rows.ConsentChange, to_block))
    ]


def _policy_changes(connection: Connection, to_block: int) -> list[PolicyChange]:
    return [
        PolicyChange(
            _ref(row),
            int(row.block_timestamp),
            DividendPolicy(
                int(row.reserve_bps),
                int(row.operations_bps),
                int(row.floor_bps),
                int(row.cap_bps),
                checksum_address(row.operations_account),
            ),
        )
        for row in connection.execute(_in_chain_order(rows.DividendPolicy, to_block))
    ]


def _earmark_releases(connection: Connection, to_block: int) -> list[EarmarkRelease]:
    return [
        EarmarkRelease(
            _ref(row),
            checksum_address(row.token),
            purpose_id(row.purpose_id),
            int(row.amount),
            int(row.block_timestamp),
        )
        for row in connection.execute(_in_chain_order(rows.EarmarkRelease, to_block))
    ]


def _funded_rounds(connection: Connection, to_block: int) -> list[FundedRound]:
    """``DividendsFunded`` rows, each with the ``PurposeFunded`` rows of the same funding (token, through epoch)."""
    purposes: dict[tuple[str, int], dict[PurposeId, PurposeFunding]] = {}
    for row in connection.execute(_in_chain_order(rows.PurposeFunding, to_block)):
        purposes.setdefault((checksum_address(row.token), int(row.through_epoch)), {})[purpose_id(row.purpose_id)] = (
            PurposeFunding(int(row.amount), int(row.reserve_released))
        )
    return [
        FundedRound(
            event=_ref(row),
            timestamp=int(row.block_timestamp),
            token=checksum_address(row.token),
            from_epoch=EpochId(row.from_epoch),
            through_epoch=EpochId(row.through_epoch),
            amount=int(row.amount),
            reserve_released=int(row.reserve_released),
            root=_hex(row.root),
            plan_hash=_hex(row.plan_hash),
            purposes=purposes.get((checksum_address(row.token), int(row.through_epoch)), {}),
        )
        for row in connection.execute(_in_chain_order(rows.DistributionRound, to_block))
    ]


def _proposals(connection: Connection, to_block: int) -> list[ProposalRecord]:
    """``Proposal`` rows with their ``ProposalAction`` rows (one per target, in the order the proposal lists them)."""
    actions: dict[str, list[Any]] = {}
    for action in connection.execute(
        select(rows.ProposalAction)
        .where(rows.ProposalAction.block_number <= to_block)
        .order_by(rows.ProposalAction.proposal_id, rows.ProposalAction.action_index)
    ):
        actions.setdefault(action.proposal_id, []).append(action)
    records = []
    for row in connection.execute(_in_chain_order(rows.Proposal, to_block)):
        listed = actions.get(row.proposal_id, [])
        records.append(
            ProposalRecord(
                event=_ref(row),
                timestamp=int(row.block_timestamp),
                proposal_id=int(row.proposal_id),
                proposer=checksum_address(row.proposer),
                targets=tuple(checksum_address(action.target) for action in listed),
                values=tuple(int(action.value) for action in listed),
                calldatas=tuple(_hex(action.calldata) for action in listed),
                description=row.description,
            )
        )
    return records


def _claims(connection: Connection, to_block: int) -> list[ClaimRecord]:
    return [
        ClaimRecord(
            _ref(row),
            checksum_address(row.token),
            checksum_address(row.account),
            int(row.amount),
            int(row.cumulative_amount),
        )
        for row in connection.execute(_in_chain_order(rows.Claim, to_block))
    ]
