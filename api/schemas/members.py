"""Response models of members: the list, and one member's statement."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from api.schemas.common import AmountStr, PublicModel

__all__ = [
    "AllocationPublic",
    "ConsentChangePublic",
    "ConsentPublic",
    "EpochContributionPublic",
    "MemberPublic",
    "MemberStatementPublic",
    "MembershipEventPublic",
    "TokenPositionPublic",
    "VoteCastPublic",
]

MemberStatus = Literal["member", "resigned", "expelled"]
_MEMBER = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"
_ETH = "0x0000000000000000000000000000000000000000"


class MemberPublic(PublicModel):
    """A member (or former member) as the list shows it."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "address": _MEMBER,
                    "status": "member",
                    "joined_at": 1767225600,
                    "first_joined_at": 1767225600,
                    "left_at": None,
                    "terms": 1,
                    "delegate": None,
                }
            ]
        },
    )

    address: str
    status: MemberStatus
    joined_at: int = Field(description="start of the current (or last) membership term")
    first_joined_at: int
    left_at: int | None
    terms: int = Field(description="how many times the address was admitted")
    delegate: str | None = Field(description="where the member's vote goes; null: to themself")


class MembershipEventPublic(PublicModel):
    kind: Literal["joined", "resigned", "expelled"]
    block_number: int
    timestamp: int
    tx_hash: str


class ConsentChangePublic(PublicModel):
    purpose_id: str
    purpose: str | None
    granted: bool
    block_number: int
    timestamp: int = Field(description="counts for epochs starting strictly after this moment")
    tx_hash: str


class ConsentPublic(PublicModel):
    """The member's consent to a purpose now (the latest change)."""

    purpose_id: str
    purpose: str | None
    granted: bool
    since: int


class EpochContributionPublic(PublicModel):
    """A member's recorded contribution in one epoch (revoked entries subtracted)."""

    epoch: int
    entries: int
    units: AmountStr
    revoked_entries: int
    revoked_units: AmountStr
    net_units: AmountStr
    disputed_entries: int


class AllocationPublic(PublicModel):
    """What one funded plan allocated to the member for one epoch (all purposes, operations share included)."""

    token: str
    epoch: int
    amount: AmountStr
    plan_hash: str


class TokenPositionPublic(PublicModel):
    """The member's standing in one token's distributor."""

    token: str
    cumulative: AmountStr = Field(description="everything ever allocated (the leaf of the current root)")
    claimed: AmountStr
    claimable: AmountStr = Field(description="cumulative − claimed: what a claim pays now")
    plan_hash: str | None = Field(description="the funded plan holding the current root")
    claim_url: str | None = Field(description="where the claim arguments (cumulative + proof) are served")


class VoteCastPublic(PublicModel):
    proposal_id: str
    support: Literal["against", "for", "abstain"]
    weight: AmountStr
    reason: str
    relayed: bool = Field(description="a signed ballot submitted by someone else (the relay)")
    block_number: int
    timestamp: int
    tx_hash: str


class MemberStatementPublic(PublicModel):
    """Everything the union knows about one address: membership, consent, work, money and votes."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "address": _MEMBER,
                    "as_of_block": 950,
                    "member": {
                        "address": _MEMBER,
                        "status": "member",
                        "joined_at": 1767225600,
                        "first_joined_at": 1767225600,
                        "left_at": None,
                        "terms": 1,
                        "delegate": None,
                    },
                    "membership_history": [
                        {"kind": "joined", "block_number": 10, "timestamp": 1767225600, "tx_hash": "0x" + "aa" * 32}
                    ],
                    "consents": [],
                    "consent_history": [],
                    "contributions": [
                        {
                            "epoch": 1,
                            "entries": 1,
                            "units": "3",
                            "revoked_entries": 0,
                            "revoked_units": "0",
                            "net_units": "3",
                            "disputed_entries": 0,
                        }
                    ],
                    "allocations": [
                        {"token": _ETH, "epoch": 1, "amount": "6750000000000000000", "plan_hash": "0x" + "42" * 32}
                    ],
                    "tokens": [
                        {
                            "token": _ETH,
                            "cumulative": "6750000000000000000",
                            "claimed": "0",
                            "claimable": "6750000000000000000",
                            "plan_hash": "0x" + "42" * 32,
                            "claim_url": f"/v1/members/{_MEMBER}/claims/{_ETH}",
                        }
                    ],
                    "votes": [],
                }
            ]
        },
    )

    address: str
    as_of_block: int | None
    member: MemberPublic | None = Field(description="null for an account that was never a member (e.g. operations)")
    membership_history: list[MembershipEventPublic]
    consents: list[ConsentPublic]
    consent_history: list[ConsentChangePublic]
    contributions: list[EpochContributionPublic]
    allocations: list[AllocationPublic]
    tokens: list[TokenPositionPublic]
    votes: list[VoteCastPublic]
