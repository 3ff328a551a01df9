"""Checks and wording for the proposals any member may make from the CLI: a dividend policy, a treasury transfer,
the release of part of a purpose's earmark, the quorum.

The governor accepts any actions; the treasury checks them only when the proposal executes, weeks later. These
checks mirror the treasury's own (``UnionTreasury._setDividendPolicy``, ``transfer``), so a proposal that could never
execute is refused before members spend a vote on it.
"""

from __future__ import annotations

from typing import Final

from eth_typing import ChecksumAddress
from eth_utils import is_hex_address, to_checksum_address

from union.errors import UnionValueError
from union.quorum import describe_quorum_rule
from union.types import ZERO_ADDRESS

__all__ = [
    "BPS",
    "check_policy",
    "parse_token",
    "policy_description",
    "quorum_description",
    "release_description",
    "transfer_description",
]

BPS: Final = 10_000
"""Basis points in a whole."""


def check_policy(
    *, reserve_bps: int, operations_bps: int, floor_bps: int, cap_bps: int, operations_account: ChecksumAddress
) -> None:
    """Refuse a policy the treasury would refuse (``TreasuryInvalidPolicy``), naming every reason."""
    problems: list[str] = []
    for name, value in (
        ("reserve", reserve_bps),
        ("operations", operations_bps),
        ("floor", floor_bps),
        ("cap", cap_bps),
    ):
        if not 0 <= value <= BPS:
            problems.append(f"{name} must be 0..{BPS} bps, not {value}")
    if reserve_bps + operations_bps > BPS:
        problems.append(f"reserve + operations is {reserve_bps + operations_bps} bps, more than the whole ({BPS})")
    if operations_bps > 0 and operations_account == ZERO_ADDRESS:
        problems.append("an operations share needs an operations account (not the zero address)")
    if operations_bps == 0 and operations_account != ZERO_ADDRESS:
        problems.append("without an operations share the operations account must be the zero address")
    if problems:
        raise UnionValueError("invalid dividend policy: " + "; ".join(problems))


def _percent(bps: int) -> str:
    return f"{bps / 100:.2f}%"


def policy_description(
    *, reserve_bps: int, operations_bps: int, floor_bps: int, cap_bps: int, operations_account: ChecksumAddress
) -> str:
    """The default description of a policy proposal: what every field becomes, in words."""
    operations = f"operations {_percent(operations_bps)}"
    if operations_bps:
        operations += f" to {operations_account}"
    cap = _percent(cap_bps) if cap_bps else "none"
    return (
        f"Set the dividend policy: reserve {_percent(reserve_bps)}, {operations}, "
        f"floor {_percent(floor_bps)}, cap {cap}"
    )


def parse_token(text: str) -> ChecksumAddress:
    """``ETH`` (or the zero address) for native ETH, else an ERC-20 contract's address."""
    if text.strip().upper() == "ETH":
        return ZERO_ADDRESS
    if not is_hex_address(text):
        raise UnionValueError(f"--token is ETH or a token contract's address, not {text!r}")
    return to_checksum_address(text)


def transfer_description(*, token: ChecksumAddress, to: ChecksumAddress, amount: int, memo: str) -> str:
    """The default description of a transfer proposal."""
    what = f"{amount} wei of ETH" if token == ZERO_ADDRESS else f"{amount} base units of token {token}"
    return f"Transfer {what} from the treasury to {to}: {memo}"


def quorum_description(*, quorum_percent: int, min_quorum: int, was_percent: int, was_min_quorum: int) -> str:
    """The default description of a quorum proposal: the rule it sets and the one it replaces."""
    return (
        f"Set the quorum: {describe_quorum_rule(quorum_percent, min_quorum)} "
        f"(was {describe_quorum_rule(was_percent, was_min_quorum)})"
    )


def release_description(*, token: ChecksumAddress, purpose: str, amount: int, memo: str) -> str:
    """The default description of a release of earmarked revenue (``purpose`` as the member named it)."""
    what = f"{amount} wei of ETH" if token == ZERO_ADDRESS else f"{amount} base units of token {token}"
    return f"Release {what} of the {purpose!r} earmark (free to transfer afterwards): {memo}"
