"""``/v1/members``: the member list, one member's statement, and their claim arguments per token."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.deps import AddressPath, ContextDep, SessionDep
from api.pagination import DEFAULT_LIMIT, AddressCursorQuery, LimitQuery
from api.plans import LoadedPlan
from api.reads import as_of, purpose_names
from api.schemas.common import ErrorPublic, PagePublic
from api.schemas.distributions import ClaimArgumentsPublic
from api.schemas.members import (
    AllocationPublic,
    ConsentChangePublic,
    ConsentPublic,
    EpochContributionPublic,
    MemberPublic,
    MembershipEventPublic,
    MemberStatementPublic,
    TokenPositionPublic,
    VoteCastPublic,
)
from indexer.models import (
    Claim,
    ConsentChange,
    Contribution,
    ContributionDispute,
    ContributionRevocation,
    DistributionRound,
    Member,
    MembershipChange,
    Vote,
)
from union.errors import RecordNotFoundError

__all__ = ["SUPPORT_LABELS", "funded_rounds", "router"]

router = APIRouter(prefix="/v1/members", tags=["members"])

SUPPORT_LABELS: dict[int, Literal["against", "for", "abstain"]] = {0: "against", 1: "for", 2: "abstain"}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "nothing is known about this address"}
}


def _member(row: Member) -> MemberPublic:
    status: Literal["member", "resigned", "expelled"] = (
        "member" if row.is_member else "expelled" if row.expelled else "resigned"
    )
    return MemberPublic(
        address=row.address,
        status=status,
        joined_at=row.joined_at,
        first_joined_at=row.first_joined_at,
        left_at=row.left_at,
        terms=row.terms,
        delegate=row.delegate if row.delegate and row.delegate != row.address else None,
    )


@router.get("", response_model=PagePublic[MemberPublic], summary="Members and former members, by address")
def members(
    session: SessionDep,
    status: Annotated[
        Literal["member", "former", "all"], Query(description="current members, former members, or both")
    ] = "all",
    cursor: AddressCursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> PagePublic[MemberPublic]:
    query = select(Member).order_by(Member.address).limit(limit + 1)
    if status != "all":
        query = query.where(Member.is_member.is_(status == "member"))
    if cursor:
        query = query.where(Member.address > cursor)
    rows = session.execute(query).scalars().all()
    page = rows[:limit]
    following = page[-1].address if len(rows) > limit else None
    return PagePublic[MemberPublic](items=[_member(row) for row in page], limit=limit, next_cursor=following)


def funded_rounds(session: Session, token: str | None = None) -> list[DistributionRound]:
    """Every funded round (of ``token``), in chain order."""
    query = select(DistributionRound).order_by(DistributionRound.block_number, DistributionRound.log_index)
    if token is not None:
        query = query.where(DistributionRound.token == token)
    return list(session.execute(query).scalars())


def _claimed(session: Session, account: str) -> dict[str, int]:
    claimed: dict[str, int] = defaultdict(int)
    for token, amount in session.execute(select(Claim.token, Claim.amount).where(Claim.account == account)):
        claimed[token] += int(amount)
    return claimed


def _contributions(session: Session, account: str) -> list[EpochContributionPublic]:
    entries = session.execute(
        select(Contribution.entry_id, Contribution.epoch, Contribution.units).where(Contribution.member == account)
    ).all()
    revoked = dict(
        session.execute(
            select(ContributionRevocation.entry_id, ContributionRevocation.revoked_units)
            .join(Contribution, Contribution.entry_id == ContributionRevocation.entry_id)
            .where(Contribution.member == account, ContributionRevocation.counted.is_(True))
        ).all()
    )
    disputed = set(
        session.execute(
            select(ContributionDispute.entry_id)
            .join(Contribution, Contribution.entry_id == ContributionDispute.entry_id)
            .where(Contribution.member == account)
        ).scalars()
    )
    per_epoch: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for entry_id, epoch, units in entries:
        totals = per_epoch[epoch]
        totals[0] += 1
        totals[1] += int(units)
        if entry_id in revoked:
            totals[2] += 1
            totals[3] += int(revoked[entry_id])
        if entry_id in disputed:
            totals[4] += 1
    return [
        EpochContributionPublic(
            epoch=epoch,
            entries=count,
            units=str(units),
            revoked_entries=revoked_count,
            revoked_units=str(revoked_units),
            net_units=str(units - revoked_units),
            disputed_entries=disputes,
        )
        for epoch, (count, units, revoked_count, revoked_units, disputes) in sorted(per_epoch.items())
    ]


def _consents(session: Session, account: str) -> tuple[list[ConsentPublic], list[ConsentChangePublic]]:
    names = purpose_names(session)
    rows = session.execute(
        select(ConsentChange)
        .where(ConsentChange.member == account)
        .order_by(ConsentChange.block_number, ConsentChange.log_index)
    ).scalars()
    history = [
        ConsentChangePublic(
            purpose_id=row.purpose_id,
            purpose=names.get(row.purpose_id.lower()),
            granted=row.granted,
            block_number=row.block_number,
            timestamp=row.block_timestamp,
            tx_hash=row.tx_hash,
        )
        for row in rows
    ]
    current: dict[str, ConsentChangePublic] = {change.purpose_id: change for change in history}
    consents = [
        ConsentPublic(
            purpose_id=change.purpose_id, purpose=change.purpose, granted=change.granted, since=change.timestamp
        )
        for _, change in sorted(current.items())
    ]
    return consents, history


def _votes(session: Session, account: str) -> list[VoteCastPublic]:
    rows = session.execute(
        select(Vote).where(Vote.voter == account).order_by(Vote.block_number, Vote.log_index)
    ).scalars()
    return [
        VoteCastPublic(
            proposal_id=row.proposal_id,
            support=SUPPORT_LABELS.get(row.support, "abstain"),
            weight=row.weight,
            reason=row.reason,
            relayed=row.relayed,
            block_number=row.block_number,
            timestamp=row.block_timestamp,
            tx_hash=row.tx_hash,
        )
        for row in rows
    ]


def _plans_by_token(
    session: Session, context: ApiContext
) -> dict[str, list[tuple[DistributionRound, LoadedPlan | None]]]:
    by_token: dict[str, list[tuple[DistributionRound, LoadedPlan | None]]] = defaultdict(list)
    for funded in funded_rounds(session):
        by_token[funded.token].append((funded, context.plans.load(session, funded.plan_hash)))
    return by_token


@router.get(
    "/{address}",
    response_model=MemberStatementPublic,
    responses=_NOT_FOUND,
    summary="One member's statement: membership, consent, contributions, dividends, votes",
)
def statement(address: AddressPath, session: SessionDep, context: ContextDep) -> MemberStatementPublic:
    member = session.execute(select(Member).where(Member.address == address)).scalar_one_or_none()
    history = [
        MembershipEventPublic(
            kind=row.kind,
            block_number=row.block_number,
            timestamp=row.block_timestamp,
            tx_hash=row.tx_hash,
        )
        for row in session.execute(
            select(MembershipChange)
            .where(MembershipChange.member == address)
            .order_by(MembershipChange.block_number, MembershipChange.log_index)
        ).scalars()
    ]
    claimed = _claimed(session, address)
    allocations: list[AllocationPublic] = []
    tokens: list[TokenPositionPublic] = []
    for token, rounds in sorted(_plans_by_token(session, context).items()):
        cumulative = 0
        current_plan: str | None = None
        for funded, loaded in rounds:
            current_plan = funded.plan_hash
            if loaded is None:
                continue
            cumulative = loaded.cumulative(address)
            allocations.extend(
                AllocationPublic(token=token, epoch=epoch, amount=str(amount), plan_hash=funded.plan_hash)
                for epoch, amount in loaded.allocations.get(address.lower(), ())
            )
        if cumulative or claimed.get(token):
            tokens.append(
                TokenPositionPublic(
                    token=token,
                    cumulative=str(cumulative),
                    claimed=str(claimed.get(token, 0)),
                    claimable=str(max(cumulative - claimed.get(token, 0), 0)),
                    plan_hash=current_plan,
                    claim_url=context.link(f"/v1/members/{address}/claims/{token}") if cumulative else None,
                )
            )
    if member is None and not tokens and not allocations:
        raise RecordNotFoundError(f"{address} was never a member and was never allocated dividends")
    consents, consent_history = _consents(session, address)
    return MemberStatementPublic(
        address=address,
        as_of_block=as_of(session).block,
        member=_member(member) if member is not None else None,
        membership_history=history,
        consents=consents,
        consent_history=consent_history,
        contributions=_contributions(session, address),
        allocations=allocations,
        tokens=tokens,
        votes=_votes(session, address),
    )


@router.get(
    "/{address}/claims/{token}",
    response_model=ClaimArgumentsPublic,
    responses={
        404: {"model": ErrorPublic, "description": "no funded root for this token, or no leaf for this account"}
    },
    summary="Claim arguments (cumulative amount + Merkle proof) under the token's current root",
)
def claim_arguments(
    address: AddressPath, token: AddressPath, session: SessionDep, context: ContextDep
) -> ClaimArgumentsPublic:
    latest = session.execute(
        select(DistributionRound)
        .where(DistributionRound.token == token)
        .order_by(DistributionRound.block_number.desc(), DistributionRound.log_index.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is None:
        raise RecordNotFoundError(f"no dividends have been funded in token {token} yet")
    loaded = context.plans.load(session, latest.plan_hash)
    if loaded is None:
        raise RecordNotFoundError(f"the plan {latest.plan_hash} funded on-chain is not in the store")
    if address not in loaded.proofs:
        raise RecordNotFoundError(f"{address} has no allocation in token {token} (plan {latest.plan_hash})")
    arguments = loaded.proofs.claim(address)
    claimed = _claimed(session, address).get(token, 0)
    return ClaimArgumentsPublic(
        token=token,
        account=arguments.account,
        cumulative_amount=str(arguments.cumulative_amount),
        proof=list(arguments.proof),
        root=latest.root,
        plan_hash=latest.plan_hash,
        claimed=str(claimed),
        claimable=str(max(arguments.cumulative_amount - claimed, 0)),
    )
