"""The dividend engine: policy, exact allocation, OpenZeppelin-compatible Merkle trees, plans and proofs.

Everything here is pure: a chain reader gathers :class:`PlanInputs` (the facts: contribution entries and
revocations, revenue, consent changes, policies, earmark releases, the previous plan's cumulative amounts and
carries), :meth:`Plan.from_inputs` turns them into the canonical plan document (:func:`allocate` →
:func:`cumulative_amounts` → :func:`distribution_tree`), :func:`plan_differences` compares a recomputed plan with a
published one, and :class:`ProofIndex` serves claim arguments from a stored plan. Processes (an executor that
shares the hashing) are created by entry points and passed in.
"""

from treasury.allocation import (
    ALGORITHM_VERSION,
    AccountAmounts,
    EpochOutcome,
    PurposeOutcome,
    RangeAllocation,
    allocate,
    cumulative_amounts,
    split_equally,
    split_pro_rata,
)
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
    PlanInputs,
    PolicyChange,
    PurposeId,
    RevenueEvent,
    checksum_address,
    purpose_id,
)
from treasury.merkle import ADDRESS_AMOUNT_ENCODING, StandardMerkleTree, encode_leaf, leaf_hash
from treasury.plan import EMPTY_ROOT, PLAN_SCHEMA_VERSION, Plan, distribution_tree, plan_differences
from treasury.policy import BPS, ZERO_ADDRESS, DividendPolicy
from treasury.proofs import ClaimArguments, ProofIndex

__all__ = [
    "ADDRESS_AMOUNT_ENCODING",
    "ALGORITHM_VERSION",
    "BPS",
    "EMPTY_ROOT",
    "GENERAL_PURPOSE",
    "PLAN_SCHEMA_VERSION",
    "ZERO_ADDRESS",
    "AccountAmounts",
    "BlockRange",
    "ChainContext",
    "ClaimArguments",
    "ConsentChange",
    "ContributionEntry",
    "ContributionRevocation",
    "DividendPolicy",
    "EarmarkRelease",
    "EpochId",
    "EpochOutcome",
    "EpochSchedule",
    "EventRef",
    "Plan",
    "PlanInputs",
    "PolicyChange",
    "ProofIndex",
    "PurposeId",
    "PurposeOutcome",
    "RangeAllocation",
    "RevenueEvent",
    "StandardMerkleTree",
    "allocate",
    "checksum_address",
    "cumulative_amounts",
    "distribution_tree",
    "encode_leaf",
    "leaf_hash",
    "plan_differences",
    "purpose_id",
    "split_equally",
    "split_pro_rata",
]
