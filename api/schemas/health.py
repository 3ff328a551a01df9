"""Response models of liveness and readiness."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import PublicModel

__all__ = ["AlarmPublic", "HealthPublic", "ReadyPublic"]


class HealthPublic(PublicModel):
    """The process is up (says nothing about the store)."""

    status: Literal["ok"]


class AlarmPublic(PublicModel):
    """An open alarm of the scheduler (a failure makes the service unready; a report does not)."""

    kind: str = Field(examples=["plan_not_reproduced"])
    key: str = Field(description="what it is about", examples=["token:0x0000000000000000000000000000000000000000"])
    message: str
    raised_at: float
    failure: bool


class ReadyPublic(PublicModel):
    """Whether the answers are current: the indexer is near the head, healthy, and no plan failed verification."""

    ready: bool
    reasons: list[str] = Field(description="why not ready; empty when ready")
    chain_id: int | None
    cursor: int | None = Field(description="last block whose logs are all in the store")
    head: int | None = Field(description="chain head the indexer last saw")
    lag: int | None = Field(description="head − cursor, in blocks")
    last_error: str | None
    last_error_at: float | None
    updated_at: float | None = Field(description="when the indexer last reported (Unix seconds)")
    alarms: list[AlarmPublic] = Field(description="the scheduler's open alarms")
    verification_alarms: int = Field(
        description="plans that failed their latest independent recomputation and were funded or are still live"
    )
