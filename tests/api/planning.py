"""Plans for the API tests, computed by the real planner (``treasury.Plan.from_inputs``) from what the indexer
stored: the test plays the steward's planner, reading only the store, as the scheduler will."""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress, HexStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.plans import PLANS
from indexer.models import (
    ConsentChange,
    Contribution,
    ContributionRevocation,
    DistributionRound,
    DividendPolicy,
    EarmarkRelease,
    IndexerCursor,
    Revenue,
)
from indexer.store import Store
from treasury.inputs import (
    BlockRange,
    ChainContext,
    EpochSchedule,
    EventRef,
    PlanInputs,
    PolicyChange,
    purpose_id,
)
from treasury.inputs import ConsentChange as ConsentFact
from treasury.inputs import ContributionEntry as EntryFact
from treasury.inputs import ContributionRevocation as RevocationFact
from treasury.inputs import EarmarkRelease as ReleaseFact
from treasury.inputs import RevenueEvent as RevenueFact
from treasury.plan import Plan
from treasury.policy import DividendPolicy as Policy
from union.manifest import DeploymentManifest

__all__ = ["plan_from_store"]


def _ref(row: Any) -> EventRef:
    return EventRef(row.block_number, row.log_index, HexStr(row.tx_hash.lower()))


def _previous(store: Store, token: str) -> tuple[int, dict[ChecksumAddress, int], dict[Any, int]]:
    """The last funded epoch of ``token`` and that plan's cumulative amounts and carries (none before the first)."""
    with Session(store.engine) as db:
        last = db.execute(
            select(DistributionRound)
            .where(DistributionRound.token == token)
            .order_by(DistributionRound.block_number.desc())
            .limit(1)
        ).scalar_one_or_none()
        if last is None:
            return 0, {}, {}
        document = db.execute(select(PLANS.c.document).where(PLANS.c.plan_hash == last.plan_hash.lower())).scalar_one()
    plan = Plan.from_json(document)
    return last.through_epoch, dict(plan.new_cumulative), {purpose_id(p): c for p, c in plan.totals.carries.items()}


def plan_from_store(store: Store, manifest: DeploymentManifest, token: ChecksumAddress, through_epoch: int) -> Plan:
    """The plan of ``token`` from its last funded epoch through ``through_epoch``, from the store's rows only."""
    from_epoch, previous_cumulative, previous_carries = _previous(store, token)
    parameters = manifest.parameters
    with Session(store.engine) as db:
        cursor = db.execute(select(IndexerCursor.block_number)).scalar_one()
        contributions = [
            EntryFact(_ref(row), row.entry_id, row.epoch, row.member, int(row.units))
            for row in db.execute(select(Contribution)).scalars()
        ]
        revocations = [
            RevocationFact(_ref(row), row.entry_id, row.epoch)
            for row in db.execute(select(ContributionRevocation)).scalars()
        ]
        revenues = [
            RevenueFact(_ref(row), row.token, purpose_id(row.purpose_id.lower()), int(row.amount), row.block_timestamp)
            for row in db.execute(select(Revenue)).scalars()
        ]
        consents = [
            ConsentFact(_ref(row), row.member, purpose_id(row.purpose_id.lower()), row.granted, row.block_timestamp)
            for row in db.execute(select(ConsentChange)).scalars()
        ]
        policies = [
            PolicyChange(
                _ref(row),
                row.block_timestamp,
                Policy(row.reserve_bps, row.operations_bps, row.floor_bps, row.cap_bps, row.operations_account),
            )
            for row in db.execute(select(DividendPolicy)).scalars()
        ]
        releases = [
            ReleaseFact(_ref(row), row.token, purpose_id(row.purpose_id.lower()), int(row.amount), row.block_timestamp)
            for row in db.execute(select(EarmarkRelease)).scalars()
        ]
    contracts = manifest.contracts
    inputs = PlanInputs(
        chain=ChainContext(
            manifest.chain_id,
            contracts["UnionMembership"].address,
            contracts["ContributionLedger"].address,
            contracts["UnionTreasury"].address,
            contracts["DividendDistributor"].address,
        ),
        token=token,
        from_epoch=from_epoch,
        through_epoch=through_epoch,
        schedule=EpochSchedule(parameters.epoch_genesis, parameters.epoch_length, parameters.grace_period),
        blocks=BlockRange(manifest.deployment_block, cursor),
        contributions=contributions,
        revocations=revocations,
        revenues=revenues,
        consent_changes=consents,
        policy_changes=policies,
        earmark_releases=releases,
        previous_cumulative=previous_cumulative,
        previous_carries=previous_carries,
    )
    return Plan.from_inputs(inputs)
