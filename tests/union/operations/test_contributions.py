"""Contribution sheets: every malformed row reported with its line number, and the skip rule against the ledger."""

from __future__ import annotations

import pytest
from eth_utils import keccak, to_checksum_address

from union.errors import InputFileError, UnionValueError
from union.operations.contributions import ENTRIES_PER_TRANSACTION, parse_contributions, parse_evidence, plan_record
from union.operations.ledger import LedgerEntries, LedgerEntry

ALICE = to_checksum_address("0x" + "a1" * 20)
BOB = to_checksum_address("0x" + "b2" * 20)
HASH = "0x" + "ab" * 32


def _problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(InputFileError) as caught:
        parse_contributions(text, "sheet.csv")
    return caught.value.problems


def test_parse_readsPositionalRowsWithCommentsAndBlankLines() -> None:
    text = f"# epoch 3 contributions\n\n{ALICE},5,{HASH}\n  # Bob's labelling\n{BOB.lower()}, 7 , dataset-42\n"
    rows = parse_contributions(text)
    assert [(row.line, row.member, row.units) for row in rows] == [(3, ALICE, 5), (5, BOB, 7)]
    assert rows[0].evidence == bytes.fromhex("ab" * 32)
    assert rows[1].evidence == keccak(text="dataset-42")


def test_parse_readsColumnsInAnyOrderUnderAHeader() -> None:
    rows = parse_contributions(f"evidence,member,units\n{HASH},{ALICE},9\n")
    assert (rows[0].line, rows[0].member, rows[0].units) == (2, ALICE, 9)


def test_parse_refusesAHeaderWithoutTheUnitsColumn() -> None:
    assert _problems(f"address,evidence\n{ALICE},{HASH}\n") == [(1, "the header names no units column")]


def test_parse_reportsEveryMalformedAddressWithItsLineNumber() -> None:
    problems = _problems(
        f"{ALICE},1,a\n0x1234,1,b\nnot-an-address,1,c\n{ALICE[:-1] + ('a' if ALICE[-1] != 'a' else 'b')},1,d\n"
        f"0x{'00' * 20},1,e\n"
    )
    assert [line for line, _ in problems] == [2, 3, 4, 5]
    assert "is not an address" in problems[0][1]
    assert "EIP-55 checksum" in problems[2][1]
    assert "zero address" in problems[3][1]


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ("0", "units must be positive, not 0"),
        ("-5", "units must be a positive whole number, not '-5'"),
        ("1.5", "units must be a positive whole number, not '1.5'"),
        ("ten", "units must be a positive whole number, not 'ten'"),
        ("", "units are missing"),
        (str(2**256), "units do not fit in a uint256"),
    ],
)
def test_parse_refusesUnitsThatAreNotAPositiveWholeNumber(units: str, message: str) -> None:
    assert _problems(f"{ALICE},1,ok\n{BOB},{units},x\n") == [(2, message)]


@pytest.mark.parametrize("evidence", ["0x1234", "0x" + "zz" * 32, "0x" + "ab" * 33, ""])
def test_parse_refusesEvidenceThatIsNeitherAHashNorText(evidence: str) -> None:
    problems = _problems(f"{ALICE},1,{evidence}\n")
    assert problems[0][0] == 1
    assert "evidence" in problems[0][1]


def test_parseEvidence_hashesTextAndKeepsA32ByteHash() -> None:
    assert parse_evidence("https://example.org/data/7") == (keccak(text="https://example.org/data/7"), None)
    assert parse_evidence("0X" + "CD" * 32) == (bytes.fromhex("cd" * 32), None)


def test_parse_refusesADuplicateMemberAndEvidencePairNamingTheFirstLine() -> None:
    problems = _problems(f"{ALICE},1,same\n{BOB},1,same\n{ALICE.lower()},2,same\n")
    assert problems == [(3, "same member and evidence as line 1 (one entry per pair)")]


def test_parse_refusesExtraColumnsWithoutAHeader() -> None:
    assert _problems(f"{ALICE},1,x,surplus\n") == [(1, "expected 3 columns (address, units, evidence), found 4")]


def test_parse_reportsEveryProblemOfARowAndOfTheFileAtOnce() -> None:
    problems = _problems("0xnope,0,\nfine?\n")
    assert problems[0][0] == 1
    assert problems[0][1].count(";") == 2
    assert problems[1][0] == 2


def test_parse_refusesAFileWithoutRows() -> None:
    with pytest.raises(UnionValueError, match="holds no contributions"):
        parse_contributions("# nothing yet\n\n")


def _entry(entry_id: int, epoch: int, member: str, units: int, evidence: bytes) -> LedgerEntry:
    return LedgerEntry(entry_id, epoch, to_checksum_address(member), units, evidence, 1)


def test_planRecord_skipsRowsWithALiveEntryForTheSameMemberAndEvidence() -> None:
    rows = parse_contributions(f"{ALICE},5,one\n{ALICE},6,two\n{BOB},7,one\n")
    ledger = LedgerEntries(
        entries={
            1: _entry(1, 3, ALICE, 5, keccak(text="one")),
            2: _entry(2, 2, ALICE, 6, keccak(text="two")),  # another epoch: does not count
        }
    )
    plan = plan_record(3, rows, ledger, {ALICE: True, BOB: True})
    assert [row.line for row in plan.to_record] == [2, 3]
    assert [(row.line, entry.entry_id) for row, entry in plan.already_recorded] == [(1, 1)]
    assert plan.units_by_member == {ALICE: 6, BOB: 7}
    assert plan.total_units == 13


def test_planRecord_recordsARowAgainWhenItsEntryWasRevokedInThatEpoch() -> None:
    rows = parse_contributions(f"{ALICE},5,one\n")
    evidence = keccak(text="one")
    revoked = LedgerEntries(entries={1: _entry(1, 3, ALICE, 5, evidence)}, revocations={(1, 3)})
    assert [row.line for row in plan_record(3, rows, revoked, {ALICE: True}).to_record] == [1]
    wrong_epoch = LedgerEntries(entries={1: _entry(1, 3, ALICE, 5, evidence)}, revocations={(1, 2)})
    assert plan_record(3, rows, wrong_epoch, {ALICE: True}).to_record == ()


def test_planRecord_reportsSkippedRowsWhoseEntryHasOtherUnits() -> None:
    rows = parse_contributions(f"{ALICE},8,one\n")
    ledger = LedgerEntries(entries={4: _entry(4, 1, ALICE, 5, keccak(text="one"))})
    plan = plan_record(1, rows, ledger, {ALICE: True})
    assert plan.to_record == ()
    assert [(row.units, entry.units) for row, entry in plan.unit_mismatches] == [(8, 5)]


def test_planRecord_reportsNonMembersWithTheirLineNumbers() -> None:
    rows = parse_contributions(f"{ALICE},1,a\n# note\n{BOB},1,b\n")
    with pytest.raises(InputFileError) as caught:
        plan_record(1, rows, LedgerEntries(), {ALICE: True, BOB: False}, "sheet.csv")
    assert caught.value.problems == [(3, f"{BOB} is not a member of the union")]
    assert str(caught.value).startswith("sheet.csv: 1 problem, nothing was sent")


def test_planRecord_skipsARowAlreadyOnChainEvenIfItsMemberLeftSince() -> None:
    rows = parse_contributions(f"{ALICE},5,one\n")
    ledger = LedgerEntries(entries={1: _entry(1, 2, ALICE, 5, keccak(text="one"))})
    plan = plan_record(2, rows, ledger, {ALICE: False})
    assert plan.to_record == ()
    assert len(plan.already_recorded) == 1


def test_batches_holdAtMost500EntriesInFileOrder() -> None:
    members = [to_checksum_address(f"0x{i + 1:040x}") for i in range(1_200)]
    rows = parse_contributions("".join(f"{member},1,e{i}\n" for i, member in enumerate(members)))
    plan = plan_record(1, rows, LedgerEntries(), dict.fromkeys(members, True))
    assert [len(batch) for batch in plan.batches()] == [ENTRIES_PER_TRANSACTION, ENTRIES_PER_TRANSACTION, 200]
    assert [row.line for batch in plan.batches() for row in batch] == list(range(1, 1_201))
