"""The funded rounds of every token with their parsed plans: what a member's dividends and claim proofs derive from.

The same for every member of a store version, so it is computed once per version (:meth:`ApiContext.shared`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.plans import LoadedPlan
from indexer.models import DistributionRound

__all__ = ["Funding", "fundings"]


@dataclass(frozen=True, slots=True)
class Funding:
    """One funded round and its plan (None when the store lacks the document)."""

    token: str
    plan_hash: str
    root: str
    plan: LoadedPlan | None


def fundings(context: ApiContext, session: Session) -> dict[str, list[Funding]]:
    """Funded rounds per token, in chain order, with their parsed plans."""

    def compute(reader: Session) -> dict[str, list[Funding]]:
        by_token: dict[str, list[Funding]] = defaultdict(list)
        rows = reader.execute(
            select(DistributionRound.token, DistributionRound.plan_hash, DistributionRound.root).order_by(
                DistributionRound.block_number, DistributionRound.log_index
            )
        )
        for token, plan_hash, root in rows:
            by_token[token].append(Funding(token, plan_hash.lower(), root, context.plans.load(reader, plan_hash)))
        return dict(by_token)

    return context.shared("fundings", session, compute)
