"""``/v1/distributions`` and ``/v1/plans``: funded rounds, stored plans (byte-exact), and their verification."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import RowMapping, func, select
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.deps import ContextDep, PlanHashPath, SessionDep
from api.pagination import (
    DEFAULT_LIMIT,
    HashCursorQuery,
    LimitQuery,
    PositionCursorQuery,
    decode_position,
    encode_position,
)
from api.plans import PLANS, latest_verification, latest_verifications
from api.reads import purpose_fundings
from api.schemas.common import AddressParam, ErrorPublic, PagePublic
from api.schemas.distributions import DistributionPublic, PlanPublic, PurposeFundingPublic, VerificationPublic
from indexer.models import DistributionRound, ProposalAction, ProposalStateChange, PurposeFunding
from union.errors import RecordNotFoundError

__all__ = ["funding_proposals", "proposals_carrying", "router"]

router = APIRouter(tags=["distributions"])


def funding_proposals(session: Session) -> dict[str, str]:
    """Transaction hash → proposal id of every executed proposal (a round is funded inside that transaction)."""
    rows = session.execute(
        select(ProposalStateChange.tx_hash, ProposalStateChange.proposal_id).where(
            ProposalStateChange.state == "executed"
        )
    )
    return {tx_hash: proposal_id for tx_hash, proposal_id in rows}


def proposals_carrying(session: Session, plan_hash: str) -> list[str]:
    """Proposals with a ``fundDividends`` action whose ``planHash`` is ``plan_hash``."""
    found = []
    rows = session.execute(
        select(ProposalAction.proposal_id, ProposalAction.args).where(ProposalAction.function == "fundDividends")
    )
    for proposal_id, args in rows:
        if str(json.loads(args).get("planHash", "")).lower() == plan_hash.lower():
            found.append(proposal_id)
    return sorted(set(found), key=int)


def _distribution(
    funded: DistributionRound,
    purposes: list[PurposeFunding],
    context: ApiContext,
    stored: set[str],
    proposals: dict[str, str],
    verifications: dict[str, VerificationPublic],
) -> DistributionPublic:
    plan_hash = funded.plan_hash.lower()
    return DistributionPublic(
        token=funded.token,
        from_epoch=funded.from_epoch,
        through_epoch=funded.through_epoch,
        amount=funded.amount,
        reserve_released=funded.reserve_released,
        purposes=[
            PurposeFundingPublic(purpose_id=row.purpose_id, amount=row.amount, reserve_released=row.reserve_released)
            for row in purposes
        ],
        root=funded.root,
        plan_hash=plan_hash,
        block_number=funded.block_number,
        timestamp=funded.block_timestamp,
        tx_hash=funded.tx_hash,
        funding_proposal_id=proposals.get(funded.tx_hash),
        plan_stored=plan_hash in stored,
        plan_url=context.link(f"/v1/plans/{plan_hash}"),
        document_url=context.link(f"/v1/plans/{plan_hash}/document"),
        verification=verifications.get(plan_hash),
    )


@router.get("/v1/distributions", response_model=PagePublic[DistributionPublic], summary="Funded rounds, oldest first")
def distributions(
    session: SessionDep,
    context: ContextDep,
    token: Annotated[AddressParam | None, Query(description="only this token")] = None,
    cursor: PositionCursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> PagePublic[DistributionPublic]:
    query = select(DistributionRound).order_by(DistributionRound.block_number, DistributionRound.log_index)
    if token is not None:
        query = query.where(DistributionRound.token == token)
    if cursor:
        block, log_index = decode_position(cursor)
        query = query.where(
            (DistributionRound.block_number > block)
            | ((DistributionRound.block_number == block) & (DistributionRound.log_index > log_index))
        )
    rows = session.execute(query.limit(limit + 1)).scalars().all()
    page = rows[:limit]
    hashes = [row.plan_hash.lower() for row in page]
    stored = set(session.execute(select(PLANS.c.plan_hash).where(PLANS.c.plan_hash.in_(hashes))).scalars())
    proposals = funding_proposals(session)
    verifications = latest_verifications(session)
    fundings: dict[str, dict[int, list[PurposeFunding]]] = {}
    for row in page:
        if row.token not in fundings:
            through = [item.through_epoch for item in page if item.token == row.token]
            fundings[row.token] = purpose_fundings(session, row.token, through)
    items = [
        _distribution(row, fundings[row.token][row.through_epoch], context, stored, proposals, verifications)
        for row in page
    ]
    following = encode_position(page[-1].block_number, page[-1].log_index) if len(rows) > limit else None
    return PagePublic[DistributionPublic](items=items, limit=limit, next_cursor=following)


_PLAN_COLUMNS = (
    PLANS.c.plan_hash,
    PLANS.c.token,
    PLANS.c.from_epoch,
    PLANS.c.through_epoch,
    PLANS.c.root,
    PLANS.c.created_at,
)


def _plan(session: Session, context: ApiContext, row: RowMapping) -> PlanPublic:
    plan_hash = str(row["plan_hash"])
    loaded = context.plans.load(session, plan_hash)
    if loaded is None:  # deleted between the two reads: nothing a reader can do but ask again
        raise RecordNotFoundError(f"plan {plan_hash} is not in the store")
    funded = session.execute(
        select(DistributionRound.block_number).where(func.lower(DistributionRound.plan_hash) == plan_hash).limit(1)
    ).scalar_one_or_none()
    return PlanPublic(
        plan_hash=plan_hash,
        token=row["token"],
        from_epoch=row["from_epoch"],
        through_epoch=row["through_epoch"],
        root=row["root"],
        amount=str(loaded.plan.totals.amount),
        reserve_released=str(loaded.plan.totals.reserve_released),
        accounts=len(loaded.proofs),
        created_at=row["created_at"],
        document_url=context.link(f"/v1/plans/{plan_hash}/document"),
        funded_in_block=funded,
        proposal_ids=proposals_carrying(session, plan_hash),
        verification=latest_verification(session, plan_hash),
    )


@router.get("/v1/plans", response_model=PagePublic[PlanPublic], summary="Stored plans, by token and epoch range")
def plans(
    session: SessionDep, context: ContextDep, cursor: HashCursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> PagePublic[PlanPublic]:
    query = select(*_PLAN_COLUMNS).order_by(PLANS.c.plan_hash).limit(limit + 1)
    if cursor:
        query = query.where(PLANS.c.plan_hash > cursor)
    rows = session.execute(query).mappings().all()
    page = rows[:limit]
    following = str(page[-1]["plan_hash"]) if len(rows) > limit else None
    items = [_plan(session, context, row) for row in page]
    return PagePublic[PlanPublic](items=items, limit=limit, next_cursor=following)


_PLAN_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "no plan with this hash is stored"}
}


@router.get("/v1/plans/{plan_hash}", response_model=PlanPublic, responses=_PLAN_NOT_FOUND, summary="One plan")
def plan(plan_hash: PlanHashPath, session: SessionDep, context: ContextDep) -> PlanPublic:
    row = session.execute(select(*_PLAN_COLUMNS).where(PLANS.c.plan_hash == plan_hash.lower())).mappings().first()
    if row is None:
        raise RecordNotFoundError(f"no plan with hash {plan_hash} is stored")
    return _plan(session, context, row)


@router.get(
    "/v1/plans/{plan_hash}/document",
    response_class=Response,
    responses={
        200: {
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "the canonical plan document, byte for byte: keccak-256 of the body is the plan hash",
        },
        **_PLAN_NOT_FOUND,
    },
    summary="The canonical plan document (its keccak-256 is the plan hash)",
)
def plan_document(plan_hash: PlanHashPath, session: SessionDep, context: ContextDep) -> Response:
    document = context.plans.document(session, plan_hash)
    if document is None:
        raise RecordNotFoundError(f"no plan with hash {plan_hash} is stored")
    return Response(content=document, media_type="application/json")
