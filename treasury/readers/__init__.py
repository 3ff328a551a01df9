"""Readers of the planner's inputs (chain facts) and the plan history rebuilt from them.

:class:`PlanInputsReader` is the one interface; :class:`RpcPlanInputsReader` implements it over JSON-RPC (``union
verify``), and :class:`indexer.plan_inputs.StorePlanInputsReader` over the indexer's store (the scheduler); both give
identical facts, hence identical plans. :class:`PlanHistory` rebuilds a token's funded plans round by round and builds
the next one.
"""

from treasury.readers.base import (
    BlockMark,
    ChainFacts,
    ClaimRecord,
    FundedRound,
    PlanInputsReader,
    ProposalRecord,
    booked_revenue,
    find_closing_block,
    plan_inputs,
)
from treasury.readers.history import PlanHistory, RebuiltRound
from treasury.readers.rpc import RpcPlanInputsReader

__all__ = [
    "BlockMark",
    "ChainFacts",
    "ClaimRecord",
    "FundedRound",
    "PlanHistory",
    "PlanInputsReader",
    "ProposalRecord",
    "RebuiltRound",
    "RpcPlanInputsReader",
    "booked_revenue",
    "find_closing_block",
    "plan_inputs",
]
