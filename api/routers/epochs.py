"""``/v1/epochs``: per-epoch totals, revenue, the policy in force and the rounds that paid each epoch."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.deps import ContextDep, SessionDep
from api.pagination import DEFAULT_LIMIT, LimitQuery, NumberCursorQuery
from api.reads import as_of, purpose_names
from api.schemas.common import ErrorPublic, PagePublic
from api.schemas.distributions import PolicyPublic
from api.schemas.epochs import EpochFundingPublic, EpochPublic, EpochRevenuePublic
from indexer.models import Contribution, DistributionRound, DividendPolicy, Epoch, Revenue
from union.errors import RecordNotFoundError

__all__ = ["policies", "policy_in_force", "router"]

router = APIRouter(prefix="/v1/epochs", tags=["epochs"])


def policies(session: Session) -> list[PolicyPublic]:
    """Every policy ever set, in chain order."""
    rows = session.execute(
        select(DividendPolicy).order_by(DividendPolicy.block_number, DividendPolicy.log_index)
    ).scalars()
    return [
        PolicyPublic(
            reserve_bps=row.reserve_bps,
            operations_bps=row.operations_bps,
            floor_bps=row.floor_bps,
            cap_bps=row.cap_bps,
            operations_account=row.operations_account,
            set_at=row.block_timestamp,
            set_in_block=row.block_number,
            tx_hash=row.tx_hash,
        )
        for row in rows
    ]


def policy_in_force(history: list[PolicyPublic], moment: int) -> PolicyPublic | None:
    """The last policy set strictly before ``moment`` (DESIGN §2: epoch e is split by the policy in force at end(e))."""
    found = None
    for policy in history:
        if policy.set_at >= moment:
            break
        found = policy
    return found


def _last_epoch(session: Session, context: ApiContext, now: int | None) -> int:
    candidates = [
        session.execute(select(func.max(Epoch.epoch))).scalar_one_or_none() or 0,
        session.execute(select(func.max(Revenue.epoch))).scalar_one_or_none() or 0,
        context.schedule.epoch_at(now) if now is not None else 0,
    ]
    return max(candidates)


def _epochs(session: Session, context: ApiContext, low: int, high: int) -> list[EpochPublic]:
    now = as_of(session).timestamp
    totals = {
        row.epoch: row
        for row in session.execute(select(Epoch).where(Epoch.epoch >= low, Epoch.epoch <= high)).scalars()
    }
    contributors = dict(
        session.execute(
            select(Contribution.epoch, func.count(func.distinct(Contribution.member)))
            .where(Contribution.epoch >= low, Contribution.epoch <= high)
            .group_by(Contribution.epoch)
        ).all()
    )
    revenue: dict[int, dict[tuple[str, str], list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for epoch, token, purpose_id, amount in session.execute(
        select(Revenue.epoch, Revenue.token, Revenue.purpose_id, Revenue.amount).where(
            Revenue.epoch >= low, Revenue.epoch <= high
        )
    ):
        entry = revenue[epoch][(token, purpose_id.lower())]
        entry[0] += int(amount)
        entry[1] += 1
    names = purpose_names(session)
    history = policies(session)
    rounds = (
        session.execute(
            select(DistributionRound).where(DistributionRound.through_epoch >= low, DistributionRound.from_epoch < high)
        )
        .scalars()
        .all()
    )
    schedule = context.schedule
    answers = []
    for epoch in range(low, high + 1):
        row = totals.get(epoch)
        end = schedule.end(epoch)
        answers.append(
            EpochPublic(
                epoch=epoch,
                start=schedule.start(epoch),
                end=end,
                grace_end=schedule.grace_end(epoch),
                final=now is not None and now >= schedule.grace_end(epoch),
                entries=row.entries if row else 0,
                contributors=contributors.get(epoch, 0),
                units=row.units if row else "0",
                revoked_entries=row.revoked_entries if row else 0,
                revoked_units=row.revoked_units if row else "0",
                net_units=row.net_units if row else "0",
                disputes=row.disputes if row else 0,
                revenue=[
                    EpochRevenuePublic(
                        token=token, purpose_id=purpose, purpose=names.get(purpose), amount=str(total), payments=count
                    )
                    for (token, purpose), (total, count) in sorted(revenue[epoch].items())
                ],
                policy=policy_in_force(history, end),
                funded_by=[
                    EpochFundingPublic(
                        token=funded.token,
                        plan_hash=funded.plan_hash,
                        from_epoch=funded.from_epoch,
                        through_epoch=funded.through_epoch,
                        plan_url=context.link(f"/v1/plans/{funded.plan_hash}"),
                    )
                    for funded in rounds
                    if funded.from_epoch < epoch <= funded.through_epoch
                ],
            )
        )
    return answers


@router.get("", response_model=PagePublic[EpochPublic], summary="Every epoch from 1 to the current one")
def epochs(
    session: SessionDep, context: ContextDep, cursor: NumberCursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> PagePublic[EpochPublic]:
    first = int(cursor) + 1 if cursor else 1
    last = _last_epoch(session, context, as_of(session).timestamp)
    high = min(last, first + limit - 1)
    items = _epochs(session, context, first, high) if first <= high else []
    following = str(high) if high < last else None
    return PagePublic[EpochPublic](items=items, limit=limit, next_cursor=following)


@router.get(
    "/{epoch}",
    response_model=EpochPublic,
    responses={404: {"model": ErrorPublic, "description": "the epoch has not started"}},
    summary="One epoch",
)
def epoch(
    epoch: Annotated[int, Path(ge=1, le=2**63 - 1, description="epoch number (from 1)")],
    session: SessionDep,
    context: ContextDep,
) -> EpochPublic:
    if epoch > _last_epoch(session, context, as_of(session).timestamp):
        raise RecordNotFoundError(f"epoch {epoch} has not started yet")
    return _epochs(session, context, epoch, epoch)[0]
