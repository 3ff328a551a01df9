"""Response models of epochs: contribution totals, revenue, the policy in force and the round that paid it."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import AmountStr, PublicModel
from api.schemas.distributions import PolicyPublic

__all__ = ["EpochFundingPublic", "EpochPublic", "EpochRevenuePublic"]


class EpochRevenuePublic(PublicModel):
    token: str
    purpose_id: str
    purpose: str | None
    amount: AmountStr
    payments: int


class EpochFundingPublic(PublicModel):
    """A funded round whose range (from_epoch, through_epoch] includes the epoch."""

    token: str
    plan_hash: str
    from_epoch: int
    through_epoch: int
    plan_url: str


class EpochPublic(PublicModel):
    """One epoch: its window, its contributions, its revenue, the policy that splits it, and whether it was paid."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "epoch": 1,
                    "start": 1767225600,
                    "end": 1767830400,
                    "grace_end": 1768003200,
                    "final": True,
                    "entries": 60,
                    "contributors": 3,
                    "units": "1500",
                    "revoked_entries": 2,
                    "revoked_units": "7",
                    "net_units": "1493",
                    "disputes": 1,
                    "revenue": [],
                    "policy": None,
                    "funded_by": [],
                }
            ]
        },
    )

    epoch: int
    start: int
    end: int
    grace_end: int = Field(description="entries may change until then; after it the epoch can be planned")
    final: bool = Field(description="the last indexed block is past the grace window")
    entries: int
    contributors: int
    units: AmountStr
    revoked_entries: int
    revoked_units: AmountStr
    net_units: AmountStr
    disputes: int
    revenue: list[EpochRevenuePublic]
    policy: PolicyPublic | None = Field(
        description="the policy in force at the epoch's end (the current one while it runs)"
    )
    funded_by: list[EpochFundingPublic]
