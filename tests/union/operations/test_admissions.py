"""Admission lists: plain lines or CSV, malformed and repeated addresses reported by line, members skipped."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address

from union.errors import InputFileError, UnionValueError
from union.operations.admissions import parse_admissions, plan_admissions

ALICE = to_checksum_address("0x" + "a1" * 20)
BOB = to_checksum_address("0x" + "b2" * 20)
CAROL = to_checksum_address("0x" + "c3" * 20)


def test_parse_readsOneAddressPerLineSkippingCommentsAndBlankLines() -> None:
    rows = parse_admissions(f"# first cohort\n{ALICE}\n\n{BOB.lower()}\n")
    assert [(row.line, row.address) for row in rows] == [(2, ALICE), (4, BOB)]


def test_parse_readsTheAddressColumnOfACsvWithAHeader() -> None:
    rows = parse_admissions(f"name,address\nalice,{ALICE}\nbob,{BOB}\n")
    assert [(row.line, row.address) for row in rows] == [(2, ALICE), (3, BOB)]


def test_parse_readsTheFirstColumnOfACsvWithoutAHeader() -> None:
    assert [row.address for row in parse_admissions(f"{ALICE},alice\n")] == [ALICE]


def test_parse_reportsMalformedAndRepeatedAddressesWithLineNumbers() -> None:
    with pytest.raises(InputFileError) as caught:
        parse_admissions(f"{ALICE}\n0x12\n{ALICE.lower()}\n{CAROL}\n0x{'00' * 20}\n", "new.txt")
    assert [line for line, _ in caught.value.problems] == [2, 3, 5]
    assert caught.value.problems[1] == (3, f"{ALICE} is already listed on line 1")
    assert str(caught.value).splitlines()[0] == "new.txt: 3 problems, nothing was sent"


def test_parse_refusesAListWithoutAddresses() -> None:
    with pytest.raises(UnionValueError, match="lists no addresses"):
        parse_admissions("# nobody\n")


def test_plan_skipsCurrentMembersAndBatchesTheRest() -> None:
    rows = parse_admissions(f"{ALICE}\n{BOB}\n{CAROL}\n")
    plan = plan_admissions(rows, {ALICE: False, BOB: True, CAROL: False})
    assert [row.address for row in plan.already_members] == [BOB]
    assert [[row.address for row in batch] for batch in plan.batches(1)] == [[ALICE], [CAROL]]
    with pytest.raises(UnionValueError):
        plan.batches(0)
