"""Bounded pages with keyset cursors: a page costs the same however deep it is, and rows added meanwhile never
shift a reader's position (no ``OFFSET``)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Final

from fastapi import Query

from union.errors import UnionValueError

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CursorQuery",
    "LimitQuery",
    "decode_cursor",
    "encode_cursor",
]

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 500
_PREFIX: Final = "k1"

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1 to {MAX_LIMIT}", examples=[DEFAULT_LIMIT])
]
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=300,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="the next_cursor of the previous page; omit for the first page",
    ),
]


def encode_cursor(*key: int | str) -> str:
    """An opaque cursor holding the sort key of the last row of a page."""
    text = "|".join([_PREFIX, *(str(part) for part in key)])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: tuple[type[int] | type[str], ...]) -> tuple[int | str, ...]:
    """The sort key in ``cursor``, each part converted to ``kinds``; refuses a cursor this API did not write."""
    refused = UnionValueError(f"cursor {cursor!r} is not one this endpoint wrote; start again without a cursor")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise refused from None
    parts = text.split("|")
    if parts[0] != _PREFIX or len(parts) != len(kinds) + 1:
        raise refused
    try:
        return tuple(kind(part) for kind, part in zip(kinds, parts[1:], strict=True))
    except ValueError:
        raise refused from None
