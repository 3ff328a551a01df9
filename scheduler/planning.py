"""Plans from the indexer's store: the facts of DESIGN §2 read from indexed rows, and the plan each token needs next.

The planner itself (:meth:`treasury.plan.Plan.from_inputs`) is pure; this module only gathers its inputs. Two
readers of the same chain must produce the same plan *hash*, and the plan document names the block range its
facts were read from, so the range is a pure function of the chain too:

- ``fromBlock`` is the deployment block (the first block of any union contract);
- ``toBlock`` is the **closing block** of ``throughEpoch``: the first block whose timestamp is at least
  ``end(throughEpoch) + grace``. Entries of the covered epochs are final from that block on, and every later
  event the planner could use has a timestamp past the range, so nothing after it changes the plan.

A plan starts where the distributor's last funded round ended: its previous cumulative amounts and carries come
from the plan of that round (the stored document when the store holds it, else recomputed the same way — each
round's plan hash is checked against the one the chain recorded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from eth_typing import BlockNumber, ChainId, ChecksumAddress, HexStr
from sqlalchemy import Connection, select
from web3 import Web3

from indexer import models as rows
from indexer.store import Store
from treasury import (
    GENERAL_PURPOSE,
    BlockRange,
    ChainContext,
    ConsentChange,
    ContributionEntry,
    ContributionRevocation,
    DividendPolicy,
    EarmarkRelease,
    EpochId,
    EpochSchedule,
    EventRef,
    Plan,
    PlanInputs,
    PolicyChange,
    RevenueEvent,
    checksum_address,
    purpose_id,
)
from treasury.readers import find_closing_block
from union.errors import StoreStateError
from union.manifest import DeploymentManifest

__all__ = [
    "FundedRound",
    "StorePlanner",
    "chain_context",
    "epoch_schedule",
    "last_closed_epoch",
]

logger = logging.getLogger(__name__)

TimestampOf = Callable[[int], int]
"""A block number's timestamp (one ``eth_getBlockByNumber``)."""


def chain_context(manifest: DeploymentManifest) -> ChainContext:
    """Which deployment a plan is about, from the manifest."""
    return ChainContext(
        chain_id=ChainId(manifest.chain_id),
        membership=manifest.address_of("UnionMembership"),
        ledger=manifest.address_of("ContributionLedger"),
        treasury=manifest.address_of("UnionTreasury"),
        distributor=manifest.address_of("DividendDistributor"),
    )


def epoch_schedule(manifest: DeploymentManifest) -> EpochSchedule:
    """The ledger's clock, from the manifest (the ledger's immutables were read back at deployment)."""
    parameters = manifest.parameters
    return EpochSchedule(parameters.epoch_genesis, parameters.epoch_length, parameters.grace_period)


def last_closed_epoch(schedule: EpochSchedule, timestamp: int) -> int:
    """The last epoch whose grace window closed at or before ``timestamp`` (0 when none has)."""
    elapsed = timestamp - schedule.grace - schedule.genesis
    return max(0, elapsed // schedule.length) if elapsed >= 0 else 0


def block_timestamp_reader(w3: Web3) -> TimestampOf:
    """``number -> timestamp`` over RPC."""

    def timestamp_of(number: int) -> int:
        return int(w3.eth.get_block(BlockNumber(number))["timestamp"])

    return timestamp_of


def _ref(row: Any) -> EventRef:
    return EventRef(BlockNumber(int(row.block_number)), int(row.log_index), HexStr(str(row.tx_hash).lower()))


@dataclass(frozen=True, slots=True)
class FundedRound:
    """A ``DividendsFunded`` the store holds: what the chain committed to for one token."""

    token: ChecksumAddress
    from_epoch: int
    through_epoch: int
    amount: int
    reserve_released: int
    root: str
    plan_hash: str
    block_number: int


class StorePlanner:
    """Builds plans from the store's rows up to a closing block (the store must have indexed that block)."""

    def __init__(self, store: Store, manifest: DeploymentManifest, timestamp_of: TimestampOf) -> None:
        self.store = store
        self.manifest = manifest
        self.context = chain_context(manifest)
        self.schedule = epoch_schedule(manifest)
        self.timestamp_of = timestamp_of
        self._closing: dict[int, int] = {}

    # ------------------------------------------------------------------ chain positions

    def indexed_block(self) -> int:
        cursor = self.store.cursor()
        return -1 if cursor is None else cursor.block_number

    def closing_block(self, epoch: int, final_block: int) -> int | None:
        """The closing block of ``epoch`` if it exists at or below ``final_block`` (cached once found: it is final)."""
        if epoch in self._closing:
            return self._closing[epoch]
        moment = self.schedule.end(epoch) + self.schedule.grace
        found = find_closing_block(self.timestamp_of, self.manifest.deployment_block, final_block, moment)
        if found is not None:
            self._closing[epoch] = found
        return found

    # ------------------------------------------------------------------ reads

    def tokens(self) -> list[ChecksumAddress]:
        """Every token that was ever booked as revenue (paid or unattributed-and-booked), in address order."""
        with self.store.engine.connect() as connection:
            paid = set(connection.execute(select(rows.Revenue.token).distinct()).scalars())
            booked = set(connection.execute(select(rows.UnattributedBooking.token).distinct()).scalars())
        return sorted({checksum_address(token) for token in paid | booked}, key=str.lower)

    def funded_rounds(self, token: ChecksumAddress) -> list[FundedRound]:
        """The token's funded rounds in chain order."""
        with self.store.engine.connect() as connection:
            found = connection.execute(
                select(rows.DistributionRound)
                .where(rows.DistributionRound.token.in_({token, token.lower()}))
                .order_by(rows.DistributionRound.block_number, rows.DistributionRound.log_index)
            )
            return [
                FundedRound(
                    token=token,
                    from_epoch=row.from_epoch,
                    through_epoch=row.through_epoch,
                    amount=int(row.amount),
                    reserve_released=int(row.reserve_released),
                    root=row.root.lower(),
                    plan_hash=row.plan_hash.lower(),
                    block_number=row.block_number,
                )
                for row in found
            ]

    def stored_plan(self, plan_hash: str) -> Plan | None:
        with self.store.engine.connect() as connection:
            document = connection.execute(
                select(rows.Plan.document).where(rows.Plan.plan_hash == plan_hash.lower())
            ).scalar_one_or_none()
        return None if document is None else Plan.from_json(document)

    # ------------------------------------------------------------------ plans

    def plan(self, token: ChecksumAddress, from_epoch: int, through_epoch: int, previous: Plan | None) -> Plan:
        """The plan for ``(from_epoch, through_epoch]`` after ``previous`` (the plan that funded ``from_epoch``).

        Raises :class:`StoreStateError` if the closing block of ``through_epoch`` is not indexed yet.
        """
        closing = self._closing.get(through_epoch)
        if closing is None or closing > self.indexed_block():
            raise StoreStateError(
                f"epoch {through_epoch}'s closing block is not indexed yet (indexed up to {self.indexed_block()})"
            )
        with self.store.engine.connect() as connection:
            inputs = self._inputs(connection, token, from_epoch, through_epoch, closing, previous)
        return Plan.from_inputs(inputs)

    def previous_plan(self, token: ChecksumAddress, rounds: list[FundedRound], final_block: int) -> Plan | None:
        """The plan of the token's last funded round: stored, or recomputed round by round (hash-checked)."""
        previous: Plan | None = None
        for funded in rounds:
            plan = self.stored_plan(funded.plan_hash)
            if plan is None:
                if self.closing_block(funded.through_epoch, final_block) is None:
                    raise StoreStateError(f"round through epoch {funded.through_epoch} has no closing block yet")
                plan = self.plan(token, funded.from_epoch, funded.through_epoch, previous)
                if plan.plan_hash != funded.plan_hash:
                    raise StoreStateError(
                        f"the funded round ({funded.from_epoch}, {funded.through_epoch}] of {token} carries plan hash "
                        f"{funded.plan_hash}, but recomputing it gives {plan.plan_hash}; its document is not stored"
                    )
            previous = plan
        return previous

    def _inputs(
        self,
        connection: Connection,
        token: ChecksumAddress,
        from_epoch: int,
        through_epoch: int,
        closing: int,
        previous: Plan | None,
    ) -> PlanInputs:
        tokens = {token, token.lower()}
        epochs = (rows.Contribution.epoch > from_epoch) & (rows.Contribution.epoch <= through_epoch)
        contributions = [
            ContributionEntry(_ref(row), row.entry_id, EpochId(row.epoch), checksum_address(row.member), int(row.units))
            for row in connection.execute(
                select(rows.Contribution).where(epochs, rows.Contribution.block_number <= closing)
            )
        ]
        revocations = [
            ContributionRevocation(_ref(row), row.entry_id, EpochId(row.epoch))
            for row in connection.execute(
                select(rows.ContributionRevocation).where(
                    rows.ContributionRevocation.epoch > from_epoch,
                    rows.ContributionRevocation.epoch <= through_epoch,
                    rows.ContributionRevocation.block_number <= closing,
                )
            )
        ]
        revenues = [
            RevenueEvent(_ref(row), token, purpose_id(row.purpose_id), int(row.amount), int(row.block_timestamp))
            for row in connection.execute(
                select(rows.Revenue).where(rows.Revenue.token.in_(tokens), rows.Revenue.block_number <= closing)
            )
        ]
        revenues.extend(
            RevenueEvent(_ref(row), token, GENERAL_PURPOSE, int(row.amount), int(row.block_timestamp))
            for row in connection.execute(
                select(rows.UnattributedBooking).where(
                    rows.UnattributedBooking.token.in_(tokens), rows.UnattributedBooking.block_number <= closing
                )
            )
        )
        consents = [
            ConsentChange(
                _ref(row),
                checksum_address(row.member),
                purpose_id(row.purpose_id),
                bool(row.granted),
                int(row.block_timestamp),
            )
            for row in connection.execute(select(rows.ConsentChange).where(rows.ConsentChange.block_number <= closing))
        ]
        policies = [
            PolicyChange(
                _ref(row),
                int(row.block_timestamp),
                DividendPolicy(
                    row.reserve_bps,
                    row.operations_bps,
                    row.floor_bps,
                    row.cap_bps,
                    checksum_address(row.operations_account),
                ),
            )
            for row in connection.execute(
                select(rows.DividendPolicy).where(rows.DividendPolicy.block_number <= closing)
            )
        ]
        releases = [
            EarmarkRelease(_ref(row), token, purpose_id(row.purpose_id), int(row.amount), int(row.block_timestamp))
            for row in connection.execute(
                select(rows.EarmarkRelease).where(
                    rows.EarmarkRelease.token.in_(tokens), rows.EarmarkRelease.block_number <= closing
                )
            )
        ]
        return PlanInputs(
            chain=self.context,
            token=token,
            from_epoch=EpochId(from_epoch),
            through_epoch=EpochId(through_epoch),
            schedule=self.schedule,
            blocks=BlockRange(BlockNumber(self.manifest.deployment_block), BlockNumber(closing)),
            contributions=contributions,
            revocations=revocations,
            revenues=revenues,
            consent_changes=consents,
            policy_changes=policies,
            earmark_releases=releases,
            previous_cumulative=dict(previous.new_cumulative) if previous is not None else {},
            previous_carries=cast(dict[Any, int], dict(previous.totals.carries)) if previous is not None else {},
        )
