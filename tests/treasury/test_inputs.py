"""The planner's input facts refuse what the chain could not have said."""

from __future__ import annotations

import pytest
from eth_typing import BlockNumber, ChecksumAddress, HexStr
from eth_utils import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from tests.treasury.builders import SCHEDULE, addr
from treasury.inputs import (
    ContributionEntry,
    EpochId,
    EventRef,
    checksum_address,
    purpose_id,
)
from treasury.policy import ZERO_ADDRESS, DividendPolicy
from union.errors import UnionValueError

EVENT = EventRef(BlockNumber(1), 0, HexStr("0x" + "ab" * 32))


@given(raw=st.binary(min_size=20, max_size=20), upper=st.booleans())
def test_checksum_address_is_eip55(raw: bytes, upper: bool) -> None:
    text = "0x" + (raw.hex().upper() if upper else raw.hex())
    assert checksum_address(text) == to_checksum_address(raw)


def test_a_member_that_is_not_checksummed_is_refused() -> None:
    member = addr(0xABCDEF)
    with pytest.raises(UnionValueError, match="checksum"):
        ContributionEntry(EVENT, 1, EpochId(1), ChecksumAddress(member.lower()), 5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("entry_id", "epoch", "units"), [(0, 1, 1), (1, 0, 1), (1, 1, 0), (1, 1, 2**256)])
def test_an_entry_the_ledger_cannot_log_is_refused(entry_id: int, epoch: int, units: int) -> None:
    with pytest.raises(UnionValueError):
        ContributionEntry(EVENT, entry_id, EpochId(epoch), addr(1), units)


def test_event_refs_order_as_the_chain_does_and_name_themselves() -> None:
    later = EventRef(BlockNumber(1), 3, HexStr("0x" + "00" * 32))
    assert later > EVENT
    assert EVENT.id == "0x" + "ab" * 32 + ":0"
    with pytest.raises(UnionValueError):
        EventRef(BlockNumber(1), 0, HexStr("0x" + "AB" * 32))


def test_epoch_windows_are_half_open() -> None:
    assert SCHEDULE.epoch_at(SCHEDULE.start(1) - 1) == 0
    assert SCHEDULE.epoch_at(SCHEDULE.start(2) - 1) == 1
    assert SCHEDULE.epoch_at(SCHEDULE.end(1)) == 2


def test_policy_is_checked_as_the_treasury_checks_it() -> None:
    with pytest.raises(UnionValueError, match="exceeds"):
        DividendPolicy(6_000, 5_000, 0, 0, addr(1))
    with pytest.raises(UnionValueError, match="operations account"):
        DividendPolicy(0, 100, 0, 0, ZERO_ADDRESS)
    with pytest.raises(UnionValueError, match="operations account"):
        DividendPolicy(0, 0, 0, 0, addr(1))


def test_purpose_ids_are_lower_case_bytes32() -> None:
    assert purpose_id(b"\xaa" * 32) == "0x" + "aa" * 32
    assert purpose_id("0x" + "AA" * 32) == "0x" + "aa" * 32
    with pytest.raises(UnionValueError):
        purpose_id("0x1234")
