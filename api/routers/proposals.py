"""``/v1/proposals``: state, deadlines, quorum and tallies, decoded actions, and every vote (JSON and CSV)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.csv import csv_response
from api.deps import ContextDep, ProposalIdPath, SessionDep
from api.pagination import DEFAULT_LIMIT, LimitQuery, PositionCursorQuery, decode_position, encode_position
from api.plans import PLANS, failed_verifications, latest_verifications
from api.reads import as_of
from api.routers.members import SUPPORT_LABELS
from api.schemas.common import ErrorPublic, PagePublic
from api.schemas.distributions import PurposeFundingPublic, VerificationPublic
from api.schemas.proposals import (
    FundDividendsPublic,
    ProposalActionPublic,
    ProposalPublic,
    ProposalState,
    TallyPublic,
    VotePublic,
)
from indexer.models import (
    DistributionRound,
    EventRow,
    MembershipChange,
    Proposal,
    ProposalAction,
    ProposalStateChange,
    Vote,
)
from union.errors import RecordNotFoundError
from union.quorum import quorum_votes

__all__ = ["router", "verification_alarms"]

router = APIRouter(prefix="/v1/proposals", tags=["proposals"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorPublic, "description": "no such proposal"}}
_VOTE_COLUMNS = (
    "proposal_id",
    "voter",
    "support",
    "weight",
    "reason",
    "relayed",
    "sender",
    "block_number",
    "log_index",
    "timestamp",
    "tx_hash",
)


def _governor_setting_history(session: Session, event: str, field: str) -> list[tuple[int, int]]:
    """(timestamp, new value) of every ``event`` of the governor in chain order: the checkpoints of one of its
    settings (``QuorumNumeratorUpdated``, ``MinQuorumUpdated``), each in force from its block's timestamp on."""
    rows = session.execute(
        select(EventRow.block_timestamp, EventRow.args)
        .where(EventRow.contract == "UnionGovernor", EventRow.event == event)
        .order_by(EventRow.block_number, EventRow.log_index)
    )
    return [(timestamp, int(json.loads(args)[field])) for timestamp, args in rows]


def _value_at(history: list[tuple[int, int]], timepoint: int) -> int | None:
    """The setting in force at ``timepoint`` (the governor's ``upperLookup``); None before its first checkpoint."""
    found = None
    for timestamp, value in history:
        if timestamp > timepoint:
            break
        found = value
    return found


def _members_at(session: Session, timepoint: int) -> int:
    """Members at ``timepoint`` (checkpoints at or before it count, as ``getPastTotalSupply`` reads them)."""
    counts = dict(
        session.execute(
            select(MembershipChange.kind, func.count())
            .where(MembershipChange.block_timestamp <= timepoint)
            .group_by(MembershipChange.kind)
        ).all()
    )
    return int(counts.get("joined", 0)) - int(counts.get("resigned", 0)) - int(counts.get("expelled", 0))


class _Governance:
    """What deriving a page of proposals needs, read once per request."""

    def __init__(self, session: Session, context: ApiContext) -> None:
        self.session = session
        self.context = context
        self.now = as_of(session).timestamp
        self.percents = _governor_setting_history(session, "QuorumNumeratorUpdated", "newQuorumNumerator")
        self.min_quorums = _governor_setting_history(session, "MinQuorumUpdated", "newMinQuorum")
        self.verifications: dict[str, VerificationPublic] = latest_verifications(session)
        self.stored = set(session.execute(select(PLANS.c.plan_hash)).scalars())

    def proposal(self, row: Proposal) -> ProposalPublic:
        session = self.session
        changes = (
            session.execute(
                select(ProposalStateChange)
                .where(ProposalStateChange.proposal_id == row.proposal_id)
                .order_by(ProposalStateChange.block_number, ProposalStateChange.log_index)
            )
            .scalars()
            .all()
        )
        deadline = row.vote_end
        eta = executed_at = canceled_at = None
        for change in changes:
            if change.state == "extended" and change.extended_deadline is not None:
                deadline = change.extended_deadline
            elif change.state == "queued":
                eta = change.eta
            elif change.state == "executed":
                executed_at = change.block_timestamp
            elif change.state == "canceled":
                canceled_at = change.block_timestamp
        sums: dict[int, int] = defaultdict(int)
        voters = 0
        for support, weight in session.execute(
            select(Vote.support, Vote.weight).where(Vote.proposal_id == row.proposal_id)
        ):
            sums[support] += int(weight)
            voters += 1
        eligible = _members_at(session, row.vote_start)
        percent = _value_at(self.percents, row.vote_start)
        min_quorum = _value_at(self.min_quorums, row.vote_start)
        # The governor's quorum at the snapshot (DESIGN.md §8), from the same checkpoints it reads.
        quorum = None if percent is None or min_quorum is None else quorum_votes(eligible, percent, min_quorum)
        quorum_reached = None if quorum is None else sums[1] + sums[2] >= quorum
        state = self._state(row, deadline, eta, executed_at, canceled_at, quorum_reached, sums)
        tally = TallyPublic(
            for_votes=str(sums[1]),
            against_votes=str(sums[0]),
            abstain_votes=str(sums[2]),
            voters=voters,
            quorum=None if quorum is None else str(quorum),
            quorum_reached=quorum_reached,
            eligible_votes=eligible,
            quorum_percent=percent,
            min_quorum=min_quorum,
        )
        return ProposalPublic(
            proposal_id=row.proposal_id,
            proposer=row.proposer,
            description=row.description,
            state=state,
            created_block=row.block_number,
            created_at=row.block_timestamp,
            vote_start=row.vote_start,
            vote_end=row.vote_end,
            deadline=deadline,
            eta=eta,
            executed_at=executed_at,
            canceled_at=canceled_at,
            tally=tally,
            actions=self._actions(row.proposal_id),
            votes_url=self.context.link(f"/v1/proposals/{row.proposal_id}/votes"),
        )

    def _state(
        self,
        row: Proposal,
        deadline: int,
        eta: int | None,
        executed_at: int | None,
        canceled_at: int | None,
        quorum_reached: bool | None,
        sums: dict[int, int],
    ) -> ProposalState:
        """OZ ``Governor.state`` (with the timelock extension), evaluated at the last indexed block's timestamp."""
        if executed_at is not None:
            return "executed"
        if canceled_at is not None:
            return "canceled"
        now = self.now if self.now is not None else 0
        if row.vote_start >= now:
            return "pending"
        if deadline >= now:
            return "active"
        if not quorum_reached or sums[1] <= sums[0]:
            return "defeated"
        if eta is not None:
            return "queued"
        return "succeeded"

    def _actions(self, proposal_id: str) -> list[ProposalActionPublic]:
        rows = self.session.execute(
            select(ProposalAction)
            .where(ProposalAction.proposal_id == proposal_id)
            .order_by(ProposalAction.action_index)
        ).scalars()
        return [self._action(row) for row in rows]

    def _action(self, row: ProposalAction) -> ProposalActionPublic:
        args: dict[str, Any] = json.loads(row.args) if row.args else {}
        funding = None
        if row.target_contract == "UnionTreasury" and row.function == "fundDividends" and args:
            plan_hash = str(args["planHash"]).lower()
            low, high = int(args["fromEpoch"]), int(args["throughEpoch"])
            purposes = [
                PurposeFundingPublic(
                    purpose_id=str(item["purposeId"]).lower(),
                    amount=str(int(item["amount"])),
                    reserve_released=str(int(item["reserveReleased"])),
                )
                for item in args["purposes"]
            ]
            funding = FundDividendsPublic(
                token=str(args["token"]),
                from_epoch=low,
                through_epoch=high,
                epochs=list(range(low + 1, high + 1)) if high - low <= 1_000 else [],
                amount=str(sum(int(item.amount) for item in purposes)),
                reserve_released=str(sum(int(item.reserve_released) for item in purposes)),
                purposes=purposes,
                root=str(args["newRoot"]).lower(),
                plan_hash=plan_hash,
                plan_url=self.context.link(f"/v1/plans/{plan_hash}"),
                document_url=self.context.link(f"/v1/plans/{plan_hash}/document"),
                plan_stored=plan_hash in self.stored,
                verification=self.verifications.get(plan_hash),
            )
        return ProposalActionPublic(
            index=row.action_index,
            target=row.target,
            target_contract=row.target_contract,
            value=row.value,
            function=row.function,
            signature=row.signature,
            args=args,
            calldata=row.calldata,
            fund_dividends=funding,
        )


_LIVE_STATES = frozenset({"pending", "active", "succeeded", "queued"})


def verification_alarms(session: Session, context: ApiContext) -> int:
    """Plans that failed an independent recomputation and can still pay, or did: funded, or carried by a live
    proposal. A forged plan whose proposal was canceled, defeated or never made is history, not an alarm."""
    failed = failed_verifications(session)
    if not failed:
        return 0
    funded = {plan_hash.lower() for plan_hash in session.execute(select(DistributionRound.plan_hash)).scalars()}
    alarming = failed & funded
    governance: _Governance | None = None
    rows = session.execute(
        select(ProposalAction.proposal_id, ProposalAction.args).where(ProposalAction.function == "fundDividends")
    )
    for proposal_id, args in rows:
        plan_hash = str(json.loads(args).get("planHash", "")).lower() if args else ""
        if plan_hash not in failed or plan_hash in alarming:
            continue
        governance = governance or _Governance(session, context)
        if governance.proposal(_proposal_row(session, proposal_id)).state in _LIVE_STATES:
            alarming.add(plan_hash)
    return len(alarming)


@router.get("", response_model=PagePublic[ProposalPublic], summary="Proposals, newest first")
def proposals(
    session: SessionDep,
    context: ContextDep,
    state: Annotated[ProposalState | None, Query(description="only proposals in this state")] = None,
    cursor: PositionCursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> PagePublic[ProposalPublic]:
    governance = _Governance(session, context)
    position = decode_position(cursor) if cursor else None
    items: list[ProposalPublic] = []
    last: tuple[int, int] | None = None
    exhausted = False
    while len(items) < limit and not exhausted:
        query = select(Proposal).order_by(Proposal.block_number.desc(), Proposal.log_index.desc()).limit(limit)
        if position is not None:
            block, log_index = position
            query = query.where(
                (Proposal.block_number < block) | ((Proposal.block_number == block) & (Proposal.log_index < log_index))
            )
        rows = session.execute(query).scalars().all()
        exhausted = len(rows) < limit
        for row in rows:
            position = last = (row.block_number, row.log_index)
            public = governance.proposal(row)
            if state is None or public.state == state:
                items.append(public)
                if len(items) == limit:
                    break
    following = None
    if last is not None and len(items) == limit:
        more = session.execute(
            select(Proposal.proposal_id)
            .where(
                (Proposal.block_number < last[0])
                | ((Proposal.block_number == last[0]) & (Proposal.log_index < last[1]))
            )
            .limit(1)
        ).first()
        following = encode_position(*last) if more is not None else None
    return PagePublic[ProposalPublic](items=items, limit=limit, next_cursor=following)


def _proposal_row(session: Session, proposal_id: str) -> Proposal:
    row = session.execute(select(Proposal).where(Proposal.proposal_id == proposal_id)).scalar_one_or_none()
    if row is None:
        raise RecordNotFoundError(f"no proposal {proposal_id} has been created")
    return row


@router.get("/{proposal_id}", response_model=ProposalPublic, responses=_NOT_FOUND, summary="One proposal")
def proposal(proposal_id: ProposalIdPath, session: SessionDep, context: ContextDep) -> ProposalPublic:
    proposal_id = str(int(proposal_id))
    return _Governance(session, context).proposal(_proposal_row(session, proposal_id))


def _vote(row: Vote) -> VotePublic:
    return VotePublic(
        proposal_id=row.proposal_id,
        voter=row.voter,
        support=SUPPORT_LABELS.get(row.support, "abstain"),
        weight=row.weight,
        reason=row.reason,
        params=row.params,
        relayed=row.relayed,
        sender=row.tx_from,
        block_number=row.block_number,
        log_index=row.log_index,
        timestamp=row.block_timestamp,
        tx_hash=row.tx_hash,
    )


def _votes_after(session: Session, proposal_id: str, position: tuple[int, int] | None, limit: int) -> list[Vote]:
    query = select(Vote).where(Vote.proposal_id == proposal_id)
    if position is not None:
        block, log_index = position
        query = query.where((Vote.block_number > block) | ((Vote.block_number == block) & (Vote.log_index > log_index)))
    return list(session.execute(query.order_by(Vote.block_number, Vote.log_index).limit(limit)).scalars())


@router.get(
    "/{proposal_id}/votes",
    response_model=PagePublic[VotePublic],
    responses=_NOT_FOUND,
    summary="Every vote on a proposal, in the order cast",
)
def votes(
    proposal_id: ProposalIdPath,
    session: SessionDep,
    cursor: PositionCursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> PagePublic[VotePublic]:
    proposal_id = str(int(proposal_id))
    _proposal_row(session, proposal_id)
    position = decode_position(cursor) if cursor else None
    rows = _votes_after(session, proposal_id, position, limit + 1)
    page = rows[:limit]
    following = encode_position(page[-1].block_number, page[-1].log_index) if len(rows) > limit else None
    return PagePublic[VotePublic](items=[_vote(row) for row in page], limit=limit, next_cursor=following)


@router.get(
    "/{proposal_id}/votes.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "every vote as CSV"},
        **_NOT_FOUND,
    },
    summary="Every vote on a proposal as CSV",
)
def votes_csv(proposal_id: ProposalIdPath, context: ContextDep) -> StreamingResponse:
    proposal_id = str(int(proposal_id))
    with context.read() as session:
        _proposal_row(session, proposal_id)

    def rows() -> Iterator[tuple[object, ...]]:
        position: tuple[int, int] | None = None
        while True:
            with context.read() as session:
                batch = _votes_after(session, proposal_id, position, 2_000)
            for row in batch:
                vote = _vote(row).model_dump()
                yield tuple(vote[column] for column in _VOTE_COLUMNS)
            if len(batch) < 2_000:
                return
            position = (batch[-1].block_number, batch[-1].log_index)

    return csv_response(_VOTE_COLUMNS, rows(), filename=f"votes-{proposal_id}.csv")
