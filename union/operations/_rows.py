"""Reading stewards' input files: lines, comments, CSV cells, an optional header, and addresses.

Line numbers are those of the file as a text editor shows them (from 1), so every problem can be found and fixed.
Each line is parsed on its own as CSV (a quoted cell may hold commas, not line breaks), which keeps the numbers exact.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from eth_typing import ChecksumAddress
from eth_utils import is_checksum_address, is_hex_address, to_checksum_address

from union.types import ZERO_ADDRESS

ADDRESS_HEADERS: Final = frozenset({"address", "member", "account"})
"""Names under which a header row may announce the address column."""


@dataclass(frozen=True, slots=True)
class InputRow:
    """One non-blank, non-comment line of an input file, split into stripped CSV cells."""

    line: int
    cells: tuple[str, ...]


def read_rows(text: str) -> list[InputRow]:
    """The data lines of ``text``: blank lines and lines starting with ``#`` are skipped, a UTF-8 BOM is ignored."""
    rows: list[InputRow] = []
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = next(csv.reader([stripped], skipinitialspace=True), [])
        rows.append(InputRow(number, tuple(cell.strip() for cell in cells)))
    return rows


def split_header(rows: Sequence[InputRow], names: Iterable[str]) -> tuple[dict[str, int] | None, list[InputRow]]:
    """Detect a header row: the first row, if none of its cells is an address and one names the address column.

    Returns the column index of every known name found in the header (``None`` without a header) and the data rows.
    """
    if not rows:
        return None, []
    first = rows[0]
    lowered = [cell.lower() for cell in first.cells]
    if any(is_hex_address(cell) for cell in first.cells) or not ADDRESS_HEADERS.intersection(lowered):
        return None, list(rows)
    wanted = set(names) | ADDRESS_HEADERS
    columns = {name: lowered.index(name) for name in wanted if name in lowered}
    for alias in ADDRESS_HEADERS:
        if alias in columns:
            columns.setdefault("address", columns[alias])
    return columns, list(rows[1:])


def parse_address(text: str) -> tuple[ChecksumAddress | None, str | None]:
    """An account address, or why ``text`` is not one.

    All-lowercase and all-uppercase hex are accepted; mixed case must carry a valid EIP-55 checksum, so a mistyped
    character in a checksummed address is caught instead of sending to the wrong account. The zero address is refused.
    """
    if not text:
        return None, "the address is missing"
    if not is_hex_address(text) or not text.startswith(("0x", "0X")):
        return None, f"{text!r} is not an address (0x followed by 40 hex digits)"
    body = text[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(text):
        return None, f"{text} has a wrong EIP-55 checksum (a mistyped character?)"
    address = to_checksum_address(text)
    if address == ZERO_ADDRESS:
        return None, "the zero address cannot be a member"
    return address, None
