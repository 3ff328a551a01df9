"""When an epoch's entries may change (pure): from its start until its end plus the grace period (DESIGN.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from union.errors import EpochWindowError, UnionValueError

__all__ = ["EpochWindow", "format_timestamp"]


def format_timestamp(timestamp: int) -> str:
    """A chain timestamp as a readable UTC time."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True, slots=True)
class EpochWindow:
    """Epoch ``epoch`` covers ``[opens_at, ends_at)``; its entries may be recorded or revoked until ``closes_at``."""

    epoch: int
    opens_at: int
    ends_at: int
    closes_at: int

    @classmethod
    def of(cls, epoch: int, *, genesis: int, length: int, grace: int) -> EpochWindow:
        if epoch < 1:
            raise UnionValueError(f"epochs are numbered from 1, not {epoch}")
        opens_at = genesis + (epoch - 1) * length
        return cls(epoch, opens_at, opens_at + length, opens_at + length + grace)

    def is_open(self, now: int) -> bool:
        return self.opens_at <= now < self.closes_at

    def require_open(self, now: int) -> None:
        """Refuse, saying when, unless entries of this epoch may change at ``now`` (a block timestamp)."""
        if now < self.opens_at:
            raise EpochWindowError(
                f"epoch {self.epoch} is not open yet: it opens at {format_timestamp(self.opens_at)} "
                f"(in {self.opens_at - now} s); nothing was sent"
            )
        if now >= self.closes_at:
            raise EpochWindowError(
                f"epoch {self.epoch} is closed since {format_timestamp(self.closes_at)} (its grace window is over): "
                "its entries are final; nothing was sent"
            )
