"""The dividend policy the members voted for, and which one applies to an epoch (DESIGN §2 "Policy").

The treasury's ``DividendPolicySet`` event carries every field; the policy used for epoch *e* is the last one set
strictly before ``end(e)``, so a vote that passes during an epoch already governs that epoch's split.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, TypeVar

from eth_typing import ChecksumAddress, HexAddress, HexStr

from union.errors import UnionValueError

__all__ = ["BPS", "ZERO_ADDRESS", "DividendPolicy", "bps_of", "last_before"]

_T = TypeVar("_T")

BPS: Final = 10_000
"""Basis points in a whole: policy shares are ``bps / 10_000``."""

ZERO_ADDRESS: Final = ChecksumAddress(HexAddress(HexStr("0x0000000000000000000000000000000000000000")))


def bps_of(amount: int, bps: int) -> int:
    """``⌊amount · bps / 10⁴⌋``: every policy share rounds down, so the parts never exceed the whole."""
    return amount * bps // BPS


@dataclass(frozen=True, slots=True)
class DividendPolicy:
    """The fields of ``UnionTreasury.DividendPolicy``, checked as the contract checks them.

    ``reserve_bps`` of each purpose's gross revenue stays in the treasury, ``operations_bps`` goes to
    ``operations_account``; of the rest (plus the purpose's carry) ``floor_bps`` is split equally among the eligible
    members and the remainder pro-rata to units; ``cap_bps`` (0 = none) caps any member's share of it.
    """

    reserve_bps: int
    operations_bps: int
    floor_bps: int
    cap_bps: int
    operations_account: ChecksumAddress

    def __post_init__(self) -> None:
        """Refuse a policy the treasury would refuse, so a plan never rests on an impossible policy."""
        for name in ("reserve_bps", "operations_bps", "floor_bps", "cap_bps"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= BPS:
                raise UnionValueError(f"{name} must be an integer in [0, {BPS}], got {value!r}")
        if self.reserve_bps + self.operations_bps > BPS:
            raise UnionValueError("reserve_bps + operations_bps exceeds 10000")
        if (self.operations_account != ZERO_ADDRESS) != (self.operations_bps > 0):
            raise UnionValueError("an operations account is set if and only if operations_bps > 0")

    @property
    def has_cap(self) -> bool:
        """Whether a per-member cap applies (``cap_bps`` 0 means none)."""
        return self.cap_bps > 0

    def split_gross(self, gross: int) -> tuple[int, int, int]:
        """``(reserve, operations, rest)`` of a purpose's gross revenue; they sum to ``gross`` exactly."""
        reserve = bps_of(gross, self.reserve_bps)
        operations = bps_of(gross, self.operations_bps)
        return reserve, operations, gross - reserve - operations


def last_before(changes: Iterable[tuple[int, _T]], moment: int) -> _T | None:
    """The value of the last change with a timestamp strictly before ``moment``.

    ``changes`` must be in chain order (timestamp, then block and log index); later changes with the same
    timestamp win, as they did on chain.
    """
    found: _T | None = None
    for timestamp, value in changes:
        if timestamp >= moment:
            break
        found = value
    return found
