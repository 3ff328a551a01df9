"""Admission lists: a file of addresses in, validated rows and the batches to admit out (pure, no I/O).

The file holds one address per line, or is a CSV whose first column (or the column headed ``address``, ``member``
or ``account``) holds the address. Blank lines and lines starting with ``#`` are ignored. A malformed address or an
address listed twice is reported with its line number, and then nothing is admitted: the list is fixed first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from eth_typing import ChecksumAddress

from union.errors import InputFileError, UnionValueError
from union.operations._rows import parse_address, read_rows, split_header

__all__ = [
    "ADMISSIONS_PER_TRANSACTION",
    "AdmissionPlan",
    "AdmissionRow",
    "parse_admissions",
    "plan_admissions",
]

ADMISSIONS_PER_TRANSACTION: Final = 100
"""Accounts admitted by one ``admit`` call (about 2.8 M gas: well inside any L2 block, cheap to retry)."""


@dataclass(frozen=True, slots=True)
class AdmissionRow:
    """An address to admit, with the line of the file it came from."""

    line: int
    address: ChecksumAddress


def parse_admissions(text: str, source: str = "admissions") -> list[AdmissionRow]:
    """Every address of an admission list, in file order; raises :class:`InputFileError` listing every bad line."""
    columns, rows = split_header(read_rows(text), ())
    column = columns["address"] if columns else 0
    problems: list[tuple[int, str]] = []
    first_line: dict[ChecksumAddress, int] = {}
    parsed: list[AdmissionRow] = []
    for row in rows:
        cell = row.cells[column] if column < len(row.cells) else ""
        address, problem = parse_address(cell)
        if address is None:
            problems.append((row.line, problem or "not an address"))
        elif address in first_line:
            problems.append((row.line, f"{address} is already listed on line {first_line[address]}"))
        else:
            first_line[address] = row.line
            parsed.append(AdmissionRow(row.line, address))
    if problems:
        raise InputFileError(source, problems)
    if not parsed:
        raise UnionValueError(f"{source} lists no addresses")
    return parsed


@dataclass(frozen=True, slots=True)
class AdmissionPlan:
    """Who will be admitted, and who is skipped because they are members already."""

    to_admit: tuple[AdmissionRow, ...]
    already_members: tuple[AdmissionRow, ...]

    def batches(self, size: int = ADMISSIONS_PER_TRANSACTION) -> list[tuple[AdmissionRow, ...]]:
        """The admissions in file order, ``size`` per transaction."""
        if size < 1:
            raise UnionValueError(f"a batch holds at least one admission, not {size}")
        return [self.to_admit[start : start + size] for start in range(0, len(self.to_admit), size)]


def plan_admissions(rows: Sequence[AdmissionRow], is_member: Mapping[ChecksumAddress, bool]) -> AdmissionPlan:
    """Split the list into new members and current members (the contract would refuse the whole batch for one)."""
    to_admit = tuple(row for row in rows if not is_member[row.address])
    already = tuple(row for row in rows if is_member[row.address])
    return AdmissionPlan(to_admit, already)
