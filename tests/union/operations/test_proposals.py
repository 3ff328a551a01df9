"""Proposal checks mirror the treasury's, so a proposal that could never execute is refused before the vote."""

from __future__ import annotations

import re

import pytest
from eth_utils import to_checksum_address

from union.errors import UnionValueError
from union.operations.proposals import check_policy, parse_token, policy_description, transfer_description
from union.types import ZERO_ADDRESS

OPS = to_checksum_address("0x" + "0f" * 20)


def test_checkPolicy_acceptsWhatTheTreasuryAccepts() -> None:
    check_policy(reserve_bps=1_000, operations_bps=500, floor_bps=2_000, cap_bps=0, operations_account=OPS)
    check_policy(
        reserve_bps=10_000, operations_bps=0, floor_bps=10_000, cap_bps=10_000, operations_account=ZERO_ADDRESS
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"reserve_bps": 6_000, "operations_bps": 5_000}, "reserve + operations is 11000 bps"),
        ({"floor_bps": 10_001}, "floor must be 0..10000 bps, not 10001"),
        ({"cap_bps": -1}, "cap must be 0..10000 bps, not -1"),
        ({"operations_account": ZERO_ADDRESS}, "an operations share needs an operations account"),
        ({"operations_bps": 0}, "without an operations share the operations account must be the zero address"),
    ],
)
def test_checkPolicy_refusesWhatTheTreasuryRefuses(fields: dict[str, object], reason: str) -> None:
    policy: dict[str, object] = {
        "reserve_bps": 1_000,
        "operations_bps": 500,
        "floor_bps": 0,
        "cap_bps": 0,
        "operations_account": OPS,
    }
    with pytest.raises(UnionValueError, match=re.escape(reason)):
        check_policy(**(policy | fields))  # type: ignore[arg-type]


def test_parseToken_readsEthOrAnAddress() -> None:
    assert parse_token("eth") == ZERO_ADDRESS
    assert parse_token(OPS.lower()) == OPS
    with pytest.raises(UnionValueError, match="ETH or a token contract's address"):
        parse_token("USDC")


def test_descriptions_sayWhatTheProposalDoes() -> None:
    text = policy_description(reserve_bps=1_000, operations_bps=0, floor_bps=2_550, cap_bps=0, operations_account=OPS)
    assert text == "Set the dividend policy: reserve 10.00%, operations 0.00%, floor 25.50%, cap none"
    assert transfer_description(token=ZERO_ADDRESS, to=OPS, amount=5, memo="audit") == (
        f"Transfer 5 wei of ETH from the treasury to {OPS}: audit"
    )
