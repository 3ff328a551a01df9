"""Response models of distribution rounds, stored plans and their independent verification."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import AmountStr, PublicModel

__all__ = [
    "ClaimArgumentsPublic",
    "DistributionPublic",
    "PlanPublic",
    "PolicyPublic",
    "PurposeFundingPublic",
    "VerificationPublic",
]

_HASH = "0x" + "42" * 32
_ETH = "0x0000000000000000000000000000000000000000"


class PolicyPublic(PublicModel):
    """A dividend policy and when it was set."""

    reserve_bps: int
    operations_bps: int
    floor_bps: int
    cap_bps: int
    operations_account: str
    set_at: int = Field(description="timestamp of the block that set it (in force for epochs ending after it)")
    set_in_block: int
    tx_hash: str


class PurposeFundingPublic(PublicModel):
    """What a funding takes from one purpose's earmark: sent to the distributor, and reserve made free."""

    purpose_id: str = Field(description="keccak256 of the purpose's name; 0x00…00 is general")
    amount: AmountStr
    reserve_released: AmountStr


class VerificationPublic(PublicModel):
    """The latest independent recomputation of a plan from chain data (``union verify``)."""

    reproduced: bool = Field(description="true when the recomputed plan is byte-for-byte this plan")
    checked_at: float = Field(description="when it was checked (Unix seconds)")
    proposal_id: str | None
    differences: list[str] = Field(description="what differs, in words; empty when reproduced")
    alarm: bool = Field(description="true when the plan was NOT reproduced: the guardian should cancel its proposal")


class DistributionPublic(PublicModel):
    """One funded round (``DividendsFunded``): what it pays, its plan, who voted it, and whether it checks out."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "token": _ETH,
                    "from_epoch": 0,
                    "through_epoch": 1,
                    "amount": "9000000000000000000",
                    "reserve_released": "1000000000000000000",
                    "purposes": [
                        {
                            "purpose_id": "0x" + "00" * 32,
                            "amount": "9000000000000000000",
                            "reserve_released": "1000000000000000000",
                        }
                    ],
                    "root": "0x" + "ab" * 32,
                    "plan_hash": _HASH,
                    "block_number": 812,
                    "timestamp": 1767225600,
                    "tx_hash": "0x" + "cd" * 32,
                    "funding_proposal_id": "1234567890",
                    "plan_stored": True,
                    "plan_url": f"/v1/plans/{_HASH}",
                    "document_url": f"/v1/plans/{_HASH}/document",
                    "verification": {
                        "reproduced": True,
                        "checked_at": 1767225700.5,
                        "proposal_id": "1234567890",
                        "differences": [],
                        "alarm": False,
                    },
                }
            ]
        },
    )

    token: str
    from_epoch: int = Field(description="epochs (from_epoch, through_epoch] are covered")
    through_epoch: int
    amount: AmountStr = Field(description="sent to the distributor: the sum of the new allocations")
    reserve_released: AmountStr
    purposes: list[PurposeFundingPublic] = Field(description="what each purpose's earmark gave (ascending ids)")
    root: str
    plan_hash: str
    block_number: int
    timestamp: int
    tx_hash: str
    funding_proposal_id: str | None = Field(description="the proposal whose execution funded it")
    plan_stored: bool = Field(description="whether the plan document is in the store (served below)")
    plan_url: str
    document_url: str
    verification: VerificationPublic | None = Field(description="null until a recomputation has been recorded")


class PlanPublic(PublicModel):
    """A stored plan: its headline numbers, where it was funded or proposed, and its verifications."""

    plan_hash: str
    token: str
    from_epoch: int
    through_epoch: int
    root: str
    amount: AmountStr
    reserve_released: AmountStr
    accounts: int = Field(description="leaves of its tree (accounts with a cumulative amount)")
    created_at: float
    document_url: str
    funded_in_block: int | None = Field(description="block of the DividendsFunded event, null if not funded")
    proposal_ids: list[str] = Field(description="proposals whose fundDividends action carries this plan hash")
    verification: VerificationPublic | None


class ClaimArgumentsPublic(PublicModel):
    """The arguments of ``DividendDistributor.claim(token, account, cumulativeAmount, proof)`` for the funded root."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "token": _ETH,
                    "account": "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4",
                    "cumulative_amount": "6750000000000000000",
                    "proof": ["0x" + "11" * 32, "0x" + "22" * 32],
                    "root": "0x" + "ab" * 32,
                    "plan_hash": _HASH,
                    "claimed": "0",
                    "claimable": "6750000000000000000",
                }
            ]
        },
    )

    token: str
    account: str
    cumulative_amount: AmountStr
    proof: list[str]
    root: str = Field(description="the distributor's current root for this token")
    plan_hash: str
    claimed: AmountStr = Field(description="already paid to the account")
    claimable: AmountStr = Field(description="what claim() pays now: cumulative − claimed")
