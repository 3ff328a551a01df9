"""``/v1/members``: the member list, one member's statement, and their claim arguments per token."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.deps import AddressPath, ContextDep, SessionDep
from api.fundings import fundings
from api.pagination import DEFAULT_LIMIT, AddressCursorQuery, LimitQuery
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
from api.sql import Prepared
from indexer.models import (
    Claim,
    ConsentChange,
    Contribution,
    ContributionDispute,
    ContributionRevocation,
    Member,
    MembershipChange,
    Vote,
)
from union.errors import RecordNotFoundError

__all__ = ["SUPPORT_LABELS", "router"]

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


_ACCOUNT: BindParameter[str] = bindparam("account")
_MEMBER = Prepared(
    select(
        Member.address,
        Member.is_member,
        Member.expelled,
        Member.joined_at,
        Member.first_joined_at,
        Member.left_at,
        Member.terms,
        Member.delegate,
    ).where(Member.address == _ACCOUNT)
)
_MEMBERSHIP_HISTORY = Prepared(
    select(
        MembershipChange.kind, MembershipChange.block_number, MembershipChange.block_timestamp, MembershipChange.tx_hash
    )
    .where(MembershipChange.member == _ACCOUNT)
    .order_by(MembershipChange.block_number, MembershipChange.log_index)
)
_CLAIMED = Prepared(select(Claim.token, Claim.amount).where(Claim.account == _ACCOUNT))
_CLAIMED_TOKEN = Prepared(select(Claim.amount).where(Claim.account == _ACCOUNT, Claim.token == bindparam("token")))
_REVOKED = (
    select(ContributionRevocation.revoked_units)
    .where(ContributionRevocation.entry_id == Contribution.entry_id, ContributionRevocation.counted.is_(True))
    .limit(1)
    .scalar_subquery()
)
_DISPUTED = (
    select(func.count()).select_from(ContributionDispute).where(ContributionDispute.entry_id == Contribution.entry_id)
).scalar_subquery()
_CONTRIBUTIONS = Prepared(
    select(Contribution.epoch, Contribution.units, _REVOKED, _DISPUTED).where(Contribution.member == _ACCOUNT)
)
_CONSENTS = Prepared(
    select(ConsentChange.purpose_id, ConsentChange.granted, ConsentChange.block_number, ConsentChange.block_timestamp,
           ConsentChange.tx_hash)
    .where(ConsentChange.member == _ACCOUNT)
    .order_by(ConsentChange.block_number, ConsentChange.log_index)
)  # fmt: skip
_VOTES = Prepared(
    select(Vote.proposal_id, Vote.support, Vote.weight, Vote.reason, Vote.relayed, Vote.block_number,
           Vote.block_timestamp, Vote.tx_hash)
    .where(Vote.voter == _ACCOUNT)
    .order_by(Vote.block_number, Vote.log_index)
)  # fmt: skip


def _claimed(session: Session, account: str) -> dict[str, int]:
    claimed: dict[str, int] = defaultdict(int)
    for token, amount in _CLAIMED.rows(session, {"account": account}):
        claimed[token] += int(amount)
    return claimed


def _contributions(session: Session, account: str) -> list[EpochContributionPublic]:
    per_epoch: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for epoch, units, revoked_units, disputes in _CONTRIBUTIONS.rows(session, {"account": account}):
        totals = per_epoch[epoch]
        totals[0] += 1
        totals[1] += int(units)
        if revoked_units is not None:
            totals[2] += 1
            totals[3] += int(revoked_units)
        if disputes:
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


def _consents(
    session: Session, context: ApiContext, account: str
) -> tuple[list[ConsentPublic], list[ConsentChangePublic]]:
    names = context.shared("purpose_names", session, purpose_names)
    history = [
        ConsentChangePublic(
            purpose_id=purpose_id,
            purpose=names.get(purpose_id.lower()),
            granted=bool(granted),
            block_number=block_number,
            timestamp=timestamp,
            tx_hash=tx_hash,
        )
        for purpose_id, granted, block_number, timestamp, tx_hash in _CONSENTS.rows(session, {"account": account})
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
    return [
        VoteCastPublic(
            proposal_id=proposal_id,
            support=SUPPORT_LABELS.get(support, "abstain"),
            weight=weight,
            reason=reason,
            relayed=bool(relayed),
            block_number=block_number,
            timestamp=timestamp,
            tx_hash=tx_hash,
        )
        for proposal_id, support, weight, reason, relayed, block_number, timestamp, tx_hash in _VOTES.rows(
            session, {"account": account}
        )
    ]


def _member_row(session: Session, account: str) -> MemberPublic | None:
    rows = _MEMBER.rows(session, {"account": account})
    if not rows:
        return None
    address, is_member, expelled, joined_at, first_joined_at, left_at, terms, delegate = rows[0]
    status: Literal["member", "resigned", "expelled"] = (
        "member" if is_member else "expelled" if expelled else "resigned"
    )
    return MemberPublic(
        address=address,
        status=status,
        joined_at=joined_at,
        first_joined_at=first_joined_at,
        left_at=left_at,
        terms=terms,
        delegate=delegate if delegate and delegate != address else None,
    )


@router.get(
    "/{address}",
    response_model=MemberStatementPublic,
    responses=_NOT_FOUND,
    summary="One member's statement: membership, consent, contributions, dividends, votes",
)
def statement(address: AddressPath, session: SessionDep, context: ContextDep) -> MemberStatementPublic:
    member = _member_row(session, address)
    history = [
        MembershipEventPublic(kind=kind, block_number=block_number, timestamp=timestamp, tx_hash=tx_hash)
        for kind, block_number, timestamp, tx_hash in _MEMBERSHIP_HISTORY.rows(session, {"account": address})
    ]
    claimed = _claimed(session, address)
    allocations: list[AllocationPublic] = []
    tokens: list[TokenPositionPublic] = []
    for token, rounds in sorted(fundings(context, session).items()):
        cumulative = 0
        for funding in rounds:
            if funding.plan is None:
                continue
            cumulative = funding.plan.cumulative(address)
            allocations.extend(
                AllocationPublic(token=token, epoch=epoch, amount=str(amount), plan_hash=funding.plan_hash)
                for epoch, amount in funding.plan.allocations.get(address.lower(), ())
            )
        if cumulative or claimed.get(token):
            tokens.append(
                TokenPositionPublic(
                    token=token,
                    cumulative=str(cumulative),
                    claimed=str(claimed.get(token, 0)),
                    claimable=str(max(cumulative - claimed.get(token, 0), 0)),
                    plan_hash=rounds[-1].plan_hash,
                    claim_url=context.link(f"/v1/members/{address}/claims/{token}") if cumulative else None,
                )
            )
    if member is None and not tokens and not allocations:
        raise RecordNotFoundError(f"{address} was never a member and was never allocated dividends")
    consents, consent_history = _consents(session, context, address)
    return MemberStatementPublic(
        address=address,
        as_of_block=context.shared("as_of", session, as_of).block,
        member=member,
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
    rounds = fundings(context, session).get(token)
    if not rounds:
        raise RecordNotFoundError(f"no dividends have been funded in token {token} yet")
    latest = rounds[-1]
    if latest.plan is None:
        raise RecordNotFoundError(f"the plan {latest.plan_hash} funded on-chain is not in the store")
    if address not in latest.plan.proofs:
        raise RecordNotFoundError(f"{address} has no allocation in token {token} (plan {latest.plan_hash})")
    arguments = latest.plan.proofs.claim(address)
    claimed = sum(int(amount) for (amount,) in _CLAIMED_TOKEN.rows(session, {"account": address, "token": token}))
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
