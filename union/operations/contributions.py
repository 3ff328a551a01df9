"""Contribution sheets: a CSV of (address, units, evidence) in, validated rows and the entries to record out (pure).

The columns are ``address, units, evidence`` in that order, or in any order under a header row naming them
(``address``/``member``/``account``, ``units``, ``evidence``). Blank lines and lines starting with ``#`` are ignored.

Evidence is what the ledger stores as ``bytes32``: a cell of ``0x`` followed by exactly 64 hex digits is taken as the
hash itself; any other text (a URL, a dataset id, a file name …) is hashed with keccak256 of its UTF-8 bytes, after
the spaces around the cell are trimmed (quote the cell in CSV style if it holds a comma). A cell
that starts with ``0x`` but is not 32 bytes of hex is refused as a probably mangled hash rather than hashed as text.

**The skip rule** (what makes a re-run safe). A row and an on-chain entry are *the same contribution* when they name
the same member and the same evidence hash in the same epoch. While the epoch (or its grace window) is open, a row is
skipped if a *live* entry for it is on chain — one that has no revocation naming that entry and epoch. So a re-run
after a failure records only what is missing, and a row whose entry was revoked is recorded again: to keep a revoked
entry out, remove its row from the sheet. Because the pair (member, evidence) identifies a contribution, a sheet may
not list the same pair twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from eth_typing import ChecksumAddress
from eth_utils import keccak

from union.errors import InputFileError, UnionValueError
from union.operations._rows import parse_address, read_rows, split_header
from union.operations.ledger import LedgerEntries, LedgerEntry

__all__ = [
    "ENTRIES_PER_TRANSACTION",
    "MAX_UNITS",
    "ContributionRow",
    "RecordPlan",
    "parse_contributions",
    "parse_evidence",
    "plan_record",
]

ENTRIES_PER_TRANSACTION: Final = 500
"""Entries recorded by one ``record`` call (2.3 M gas measured on anvil: about 4,650 gas an entry)."""

MAX_UNITS: Final = 2**256 - 1

_COLUMNS: Final = ("address", "units", "evidence")


@dataclass(frozen=True, slots=True)
class ContributionRow:
    """One contribution of a sheet: who, how many units, the evidence hash, and where it came from."""

    line: int
    member: ChecksumAddress
    units: int
    evidence: bytes
    evidence_text: str

    @property
    def key(self) -> tuple[ChecksumAddress, bytes]:
        """The identity of a contribution within an epoch (see the skip rule)."""
        return (self.member, self.evidence)


def parse_evidence(text: str) -> tuple[bytes | None, str | None]:
    """The 32-byte evidence hash of a cell, or why it cannot be one (the rule is in the module's docstring)."""
    if not text:
        return None, "the evidence is missing (a 0x 32-byte hash, or text to hash)"
    if text[:2].lower() == "0x":
        digits = text[2:]
        if len(digits) != 64 or any(char not in "0123456789abcdefABCDEF" for char in digits):
            return None, f"evidence {text!r} starts with 0x but is not a 32-byte hash (0x and 64 hex digits)"
        return bytes.fromhex(digits), None
    return keccak(text=text), None


def _parse_units(text: str) -> tuple[int | None, str | None]:
    if not text:
        return None, "units are missing"
    if not text.isascii() or not text.isdigit():
        return None, f"units must be a positive whole number, not {text!r}"
    units = int(text)
    if units == 0:
        return None, "units must be positive, not 0"
    if units > MAX_UNITS:
        return None, "units do not fit in a uint256"
    return units, None


def parse_contributions(text: str, source: str = "contributions") -> list[ContributionRow]:
    """Every row of a contribution sheet, in file order; raises :class:`InputFileError` listing every bad line."""
    header, rows = split_header(read_rows(text), _COLUMNS)
    if header is not None:
        missing = [name for name in _COLUMNS if name not in header]
        if missing:
            raise InputFileError(source, [(1, f"the header names no {', '.join(missing)} column")])
        columns = tuple(header[name] for name in _COLUMNS)
    else:
        columns = (0, 1, 2)
    problems: list[tuple[int, str]] = []
    first_line: dict[tuple[ChecksumAddress, bytes], int] = {}
    parsed: list[ContributionRow] = []
    for row in rows:
        address_cell, units_cell, evidence_cell = (
            row.cells[column] if column < len(row.cells) else "" for column in columns
        )
        if header is None and len(row.cells) > len(_COLUMNS):
            problems.append((row.line, f"expected 3 columns (address, units, evidence), found {len(row.cells)}"))
            continue
        member, address_problem = parse_address(address_cell)
        units, units_problem = _parse_units(units_cell)
        evidence, evidence_problem = parse_evidence(evidence_cell)
        row_problems = [problem for problem in (address_problem, units_problem, evidence_problem) if problem]
        if row_problems or member is None or units is None or evidence is None:
            problems.append((row.line, "; ".join(row_problems)))
            continue
        contribution = ContributionRow(row.line, member, units, evidence, evidence_cell)
        if contribution.key in first_line:
            problems.append(
                (row.line, f"same member and evidence as line {first_line[contribution.key]} (one entry per pair)")
            )
            continue
        first_line[contribution.key] = row.line
        parsed.append(contribution)
    if problems:
        raise InputFileError(source, problems)
    if not parsed:
        raise UnionValueError(f"{source} holds no contributions")
    return parsed


@dataclass(frozen=True, slots=True)
class RecordPlan:
    """What ``record`` will send for one epoch, and what it skips because a live entry already says it."""

    epoch: int
    to_record: tuple[ContributionRow, ...]
    already_recorded: tuple[tuple[ContributionRow, LedgerEntry], ...]

    def batches(self, size: int = ENTRIES_PER_TRANSACTION) -> list[tuple[ContributionRow, ...]]:
        """The entries to record in file order, at most ``size`` per transaction."""
        if size < 1:
            raise UnionValueError(f"a batch holds at least one entry, not {size}")
        return [self.to_record[start : start + size] for start in range(0, len(self.to_record), size)]

    @property
    def units_by_member(self) -> dict[ChecksumAddress, int]:
        """Units about to be recorded per member, in order of first appearance."""
        totals: Counter[ChecksumAddress] = Counter()
        for row in self.to_record:
            totals[row.member] += row.units
        return dict(totals)

    @property
    def total_units(self) -> int:
        return sum(row.units for row in self.to_record)

    @property
    def unit_mismatches(self) -> tuple[tuple[ContributionRow, LedgerEntry], ...]:
        """Skipped rows whose live entry carries other units: revoke the entry and re-run to correct it."""
        return tuple((row, entry) for row, entry in self.already_recorded if row.units != entry.units)


def plan_record(
    epoch: int,
    rows: Sequence[ContributionRow],
    ledger: LedgerEntries,
    is_member: Mapping[ChecksumAddress, bool],
    source: str = "contributions",
) -> RecordPlan:
    """Apply the skip rule against the live entries of ``epoch``; a row to send for a non-member is an input problem.

    A row already on chain is skipped even if its member has left since (nothing is sent for it); every other row
    must name a current member, since the ledger refuses a whole batch for one non-member.
    """
    live = ledger.live_by_key(epoch)
    to_record: list[ContributionRow] = []
    already: list[tuple[ContributionRow, LedgerEntry]] = []
    for row in rows:
        entry = live.get(row.key)
        if entry is None:
            to_record.append(row)
        else:
            already.append((row, entry))
    problems = [
        (row.line, f"{row.member} is not a member of the union") for row in to_record if not is_member[row.member]
    ]
    if problems:
        raise InputFileError(source, problems)
    return RecordPlan(epoch, tuple(to_record), tuple(already))
