"""Bounded pages with keyset cursors: a page costs the same however deep it is, and rows added meanwhile never
shift a reader's position (no ``OFFSET`` on growing tables).

A cursor is the sort key of the last row of the previous page, written plainly and documented by a pattern, so
every cursor the pattern admits is a valid position (a reader may also start from a position of their own):

- chain positions ``<block>.<log index>`` (ledger, distributions, votes, proposals);
- addresses (members), plan hashes (plans);
- plain numbers: the last epoch, or the index of the next row of a short aggregate list (flows, revenue).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Query

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "AddressCursorQuery",
    "HashCursorQuery",
    "LimitQuery",
    "NumberCursorQuery",
    "PositionCursorQuery",
    "decode_position",
    "encode_position",
]

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 500

_NEXT = "the next_cursor of the previous page; omit for the first page"

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1 to {MAX_LIMIT}", examples=[DEFAULT_LIMIT])
]
PositionCursorQuery = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{1,18}\.[0-9]{1,9}$", description=f"{_NEXT}: <block>.<log index>", examples=["812.3"]),
]
AddressCursorQuery = Annotated[
    str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$", description=f"{_NEXT}: the last address of that page")
]
HashCursorQuery = Annotated[
    str | None, Query(pattern=r"^0x[0-9a-f]{64}$", description=f"{_NEXT}: the last plan hash of that page")
]
NumberCursorQuery = Annotated[
    str | None, Query(pattern=r"^[0-9]{1,9}$", description=f"{_NEXT}: a number", examples=["12"])
]


def encode_position(block_number: int, log_index: int) -> str:
    """The cursor of a chain position."""
    return f"{block_number}.{log_index}"


def decode_position(cursor: str) -> tuple[int, int]:
    """``(block, log index)`` of a position cursor (its pattern was checked by the query's validation)."""
    block, log_index = cursor.split(".")
    return int(block), int(log_index)
