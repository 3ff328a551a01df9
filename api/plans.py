"""Stored dividend plans as the API serves them: the byte-exact document, the parsed plan, a member's share of it,
claim proofs, and the latest independent verification.

A parsed plan (and its proof index) is kept per plan hash: a plan never changes once stored (its hash is the hash of
its bytes), so the cache never needs invalidating, only bounding.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Final

from sqlalchemy import RowMapping, Table, func, select
from sqlalchemy.orm import Session

from api.schemas.distributions import VerificationPublic
from indexer.models import Base
from treasury.plan import Plan
from treasury.proofs import ProofIndex
from union.errors import StoreStateError, UnionValueError

__all__ = [
    "PLANS",
    "PLAN_VERIFICATIONS",
    "LoadedPlan",
    "PlanLibrary",
    "failed_verifications",
    "latest_verification",
    "latest_verifications",
]


PLANS: Final[Table] = Base.metadata.tables["plans"]
"""The plans the planner stored (one canonical document per plan hash); the indexer's schema owns the table."""

PLAN_VERIFICATIONS: Final[Table] = Base.metadata.tables["plan_verifications"]
"""Each independent recomputation of a plan from chain data (``union verify``) and its outcome."""


@dataclass(frozen=True, slots=True)
class LoadedPlan:
    """A stored plan, parsed once: the model, its proof index and each account's allocation per epoch."""

    plan_hash: str
    plan: Plan
    proofs: ProofIndex
    allocations: dict[str, tuple[tuple[int, int], ...]]
    """lower-case account → ((epoch, amount), …): the member's shares of every purpose, plus operations."""
    cumulative_by_account: dict[str, int]
    """lower-case account → new cumulative amount."""

    def cumulative(self, account: str) -> int:
        """``account``'s cumulative amount after this plan (0 without a leaf)."""
        return self.cumulative_by_account.get(account.lower(), 0)


def _allocations(plan: Plan) -> dict[str, tuple[tuple[int, int], ...]]:
    per_account: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for epoch in plan.epochs:
        for purpose in epoch.purposes:
            for account, amount in purpose.allocations.items():
                per_account[account.lower()][epoch.epoch] += amount
            if purpose.operations and purpose.operations_account is not None:
                per_account[purpose.operations_account.lower()][epoch.epoch] += purpose.operations
    return {
        account: tuple(sorted((epoch, amount) for epoch, amount in epochs.items() if amount))
        for account, epochs in per_account.items()
    }


class PlanLibrary:
    """Parsed plans by hash, at most ``max_plans`` of them (the oldest loaded is dropped first)."""

    def __init__(self, max_plans: int = 64) -> None:
        self._max_plans = max_plans
        self._plans: OrderedDict[str, LoadedPlan] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[str, threading.Lock] = {}

    @staticmethod
    def document(session: Session, plan_hash: str) -> bytes | None:
        """The plan's canonical bytes exactly as stored (their keccak-256 is the plan hash), or None."""
        text = session.execute(
            select(PLANS.c.document).where(PLANS.c.plan_hash == plan_hash.lower())
        ).scalar_one_or_none()
        return None if text is None else text.encode()

    def load(self, session: Session, plan_hash: str) -> LoadedPlan | None:
        """The parsed plan, from the cache or the store; None if the store does not hold it."""
        key = plan_hash.lower()
        with self._lock:
            cached = self._plans.get(key)
            flight = self._flights.setdefault(key, threading.Lock())
        if cached is not None:
            return cached
        with flight:  # one thread parses a plan (seconds for a big one); the others wait and share it
            with self._lock:
                cached = self._plans.get(key)
            return cached if cached is not None else self._parse(session, key)

    def _parse(self, session: Session, key: str) -> LoadedPlan | None:
        document = self.document(session, key)
        if document is None:
            return None
        try:
            plan = Plan.from_json(document)
            proofs = ProofIndex.from_plan(plan, validate=True)
        except UnionValueError as error:
            raise StoreStateError(f"the stored plan {key} is not a valid plan document: {error}") from error
        cumulative = {account.lower(): amount for account, amount in plan.new_cumulative.items()}
        loaded = LoadedPlan(key, plan, proofs, _allocations(plan), cumulative)
        with self._lock:
            self._plans[key] = loaded
            while len(self._plans) > self._max_plans:
                self._plans.popitem(last=False)
        return loaded


def _public(row: RowMapping) -> VerificationPublic:
    try:
        raw = json.loads(row["differences"] or "[]")
    except ValueError:
        raw = [row["differences"]]
    differences = [item if isinstance(item, str) else json.dumps(item, sort_keys=True) for item in raw]
    return VerificationPublic(
        reproduced=bool(row["reproduced"]),
        checked_at=row["checked_at"],
        proposal_id=row["proposal_id"],
        differences=differences,
        alarm=not row["reproduced"],
    )


def latest_verification(session: Session, plan_hash: str) -> VerificationPublic | None:
    """The most recent recomputation of ``plan_hash``, or None if it was never checked."""
    row = (
        session.execute(
            select(PLAN_VERIFICATIONS)
            .where(PLAN_VERIFICATIONS.c.plan_hash == plan_hash.lower())
            .order_by(PLAN_VERIFICATIONS.c.checked_at.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else _public(row)


def latest_verifications(session: Session) -> dict[str, VerificationPublic]:
    """The latest verification of every plan ever checked."""
    table = PLAN_VERIFICATIONS
    latest = (
        select(table.c.plan_hash, func.max(table.c.checked_at).label("checked_at"))
        .group_by(table.c.plan_hash)
        .subquery()
    )
    rows = session.execute(
        select(table).join(
            latest, (table.c.plan_hash == latest.c.plan_hash) & (table.c.checked_at == latest.c.checked_at)
        )
    ).mappings()
    return {row["plan_hash"]: _public(row) for row in rows}


def failed_verifications(session: Session) -> set[str]:
    """Plan hashes whose latest independent recomputation did not reproduce them."""
    return {plan_hash for plan_hash, verification in latest_verifications(session).items() if verification.alarm}
