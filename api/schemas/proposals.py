"""Response models of governance: proposals with state, deadlines, quorum and tallies, decoded actions, votes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from api.schemas.common import AmountStr, PublicModel
from api.schemas.distributions import PurposeFundingPublic, VerificationPublic

__all__ = [
    "FundDividendsPublic",
    "ProposalActionPublic",
    "ProposalPublic",
    "ProposalState",
    "TallyPublic",
    "VotePublic",
]

ProposalState = Literal["pending", "active", "canceled", "defeated", "succeeded", "queued", "executed"]


class TallyPublic(PublicModel):
    for_votes: AmountStr
    against_votes: AmountStr
    abstain_votes: AmountStr
    voters: int
    quorum: AmountStr | None = Field(
        description="votes (for + abstain) the governor requires: quorum_percent of eligible_votes rounded up, at "
        "least min_quorum, at most eligible_votes (DESIGN.md §8); null if the store cannot tell"
    )
    quorum_reached: bool | None
    eligible_votes: int = Field(description="members at the snapshot (the quorum's base)")
    quorum_percent: int | None = Field(description="the governor's quorum percent at the snapshot")
    min_quorum: int | None = Field(description="the governor's minimum quorum at the snapshot")


class FundDividendsPublic(PublicModel):
    """A ``fundDividends`` action in words: which epochs and token it pays, how much, and its plan."""

    token: str
    from_epoch: int
    through_epoch: int
    epochs: list[int] = Field(description="the epochs it pays: from_epoch + 1 … through_epoch")
    amount: AmountStr
    reserve_released: AmountStr
    purposes: list[PurposeFundingPublic] = Field(description="what it takes from each purpose's earmark")
    root: str
    plan_hash: str
    plan_url: str
    document_url: str
    plan_stored: bool
    verification: VerificationPublic | None = Field(description="null until an independent recomputation ran")


class ProposalActionPublic(PublicModel):
    index: int
    target: str
    target_contract: str = Field(description="which union contract is called ('' if none)")
    value: AmountStr
    function: str = Field(description="decoded function name ('' when the calldata is not a union function)")
    signature: str
    args: dict[str, Any] = Field(description="decoded arguments (big integers as decimal strings)")
    calldata: str
    fund_dividends: FundDividendsPublic | None = None


class ProposalPublic(PublicModel):
    """A proposal: who, what, when, and where the vote stands (state as of the last indexed block)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": "71336125066271478346374582416466946441339158474133224853474458085442224946321",
                    "proposer": "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4",
                    "description": "Dividends for epoch 1",
                    "state": "executed",
                    "created_block": 500,
                    "created_at": 1767225600,
                    "vote_start": 1767225601,
                    "vote_end": 1767312001,
                    "deadline": 1767312001,
                    "eta": 1767315601,
                    "executed_at": 1767315700,
                    "canceled_at": None,
                    "tally": {
                        "for_votes": "3",
                        "against_votes": "0",
                        "abstain_votes": "0",
                        "voters": 3,
                        "quorum": "3",
                        "quorum_reached": True,
                        "eligible_votes": 4,
                        "quorum_percent": 10,
                        "min_quorum": 3,
                    },
                    "actions": [],
                    "votes_url": "/v1/proposals/1/votes",
                }
            ]
        },
    )

    proposal_id: str
    proposer: str
    description: str
    state: ProposalState
    created_block: int
    created_at: int
    vote_start: int = Field(description="the snapshot: voting power is read at this timestamp")
    vote_end: int
    deadline: int = Field(description="vote_end, or later if a late quorum extended it")
    eta: int | None = Field(description="when a queued proposal may execute")
    executed_at: int | None
    canceled_at: int | None
    tally: TallyPublic
    actions: list[ProposalActionPublic]
    votes_url: str


class VotePublic(PublicModel):
    proposal_id: str
    voter: str
    support: Literal["against", "for", "abstain"]
    weight: AmountStr
    reason: str
    params: str
    relayed: bool = Field(description="submitted by someone else than the voter (a signed ballot, relayed)")
    sender: str
    block_number: int
    log_index: int
    timestamp: int
    tx_hash: str
