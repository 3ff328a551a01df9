"""Columns of exact integers and sortable address keys: the allocation's arithmetic over a million members at once.

Units and amounts are uint256, far beyond a machine word, yet a union's usual figures (units in the thousands,
members in the millions) fit one easily. So a column is ``int64`` when every value — and every product the caller
will form from it — stays below 2**63, and otherwise holds Python ints (``dtype=object``): the same numpy
operations then run element by element at Python speed, and stay exact. Money columns are always Python ints.

Address order is the order of the addresses' 20 bytes, which is the order of their lower-case hex; a key is those
bytes as a big-endian ``(u8, u8, u4)`` record, so numpy sorts a million addresses without Python comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from union.errors import UnionValueError

__all__ = [
    "AddressOrder",
    "IntColumn",
    "int_column",
    "sort_addresses",
    "split_by_largest_remainder",
]

IntColumn = npt.NDArray[Any]
"""A one-dimensional array of non-negative integers: ``int64`` where safe, Python ints (``object``) otherwise."""

_INT64_LIMIT: Final = 1 << 63
_KEY_DTYPE: Final = np.dtype([("high", ">u8"), ("middle", ">u8"), ("low", ">u4")])
"""An address's 20 bytes as three big-endian words: comparing them in order compares the addresses."""


def int_column(values: Sequence[int]) -> IntColumn:
    """Non-negative ``values`` as a column: ``int64`` if even their sum cannot reach 2**63, else Python ints."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    try:
        column = np.array(values, dtype=np.int64)
    except OverflowError:
        return np.array(values, dtype=object)
    if int(column.min()) < 0 or int(column.max()) * len(column) >= _INT64_LIMIT:
        return np.array(values, dtype=object)
    return column


def _widened(column: IntColumn, factor: int) -> IntColumn:
    """``column`` itself if ``column · factor`` fits in int64, else as Python ints."""
    if column.dtype == object or not len(column):
        return column
    if int(column.max()) * max(factor, 1) < _INT64_LIMIT:
        return column
    return column.astype(object)


def split_by_largest_remainder(total: int, weights: IntColumn) -> IntColumn:
    """``total`` pro-rata to ``weights`` in integers (Python ints), summing to ``total`` exactly.

    Each part is ``⌊total·w/W⌋``; the ``k`` units left over go one each to the ``k`` largest remainders, ties to
    the earlier position. Computed as ``q·w + ⌊r·w/W⌋`` with ``total = q·W + r``: the remainders ``r·w mod W`` are
    below ``W``, so the whole ranking works on small integers (int64 when ``r·max(w)`` fits), and a selection
    (``np.partition``) finds the k-th largest remainder without sorting.
    """
    weight = int(weights.sum())
    if weight <= 0:
        raise UnionValueError("cannot split pro-rata to weights that sum to zero")
    count = len(weights)
    quotient, remainder = divmod(total, weight)
    scaled = _widened(weights, remainder) * remainder
    extra = scaled // weight
    remainders = scaled - extra * weight
    leftover = remainder - int(extra.sum())
    if leftover:
        threshold = np.partition(remainders, count - leftover)[count - leftover]
        above = remainders > threshold
        ties_to_fill = leftover - int(np.count_nonzero(above))
        extra[above] += 1
        extra[np.flatnonzero(remainders == threshold)[:ties_to_fill]] += 1
    # astype(object) turns int64 elements into Python ints: a numpy scalar must never reach a money column.
    parts = extra.astype(object)
    if quotient:
        parts += weights.astype(object) * quotient
    return parts


@dataclass(frozen=True, slots=True)
class AddressOrder:
    """Addresses put in ascending order: ``permutation`` lists their positions sorted (stably), and ``starts`` where
    each distinct address's run begins in that order (``len(starts) == len(permutation)`` when none repeats)."""

    permutation: npt.NDArray[np.intp]
    starts: npt.NDArray[np.intp]

    @property
    def distinct(self) -> bool:
        """Whether every address appears once."""
        return len(self.starts) == len(self.permutation)


def sort_addresses(addresses: Sequence[str]) -> AddressOrder:
    """The ascending order of ``0x`` hex addresses (any letter case): the order of their 20 bytes.

    The addresses become three machine words each, so numpy sorts them without a Python comparison. Sorting on the
    first word alone settles every order whose first 8 bytes differ (then no address repeats, and stability is
    moot); if two sorted neighbours share them, a stable sort on all three words decides.
    """
    count = len(addresses)
    if not count:
        empty = np.zeros(0, dtype=np.intp)
        return AddressOrder(empty, empty)
    words = _address_words(addresses)
    high = words["high"].astype(np.uint64)  # native byte order and contiguous, for the fast sort
    permutation = np.argsort(high)
    ordered = high[permutation]
    if not bool(np.any(ordered[1:] == ordered[:-1])):
        return AddressOrder(permutation, np.arange(count))
    middle, low = words["middle"].astype(np.uint64), words["low"].astype(np.uint32)
    permutation = np.lexsort((low, middle, high))
    differs = np.zeros(count, dtype=bool)
    differs[0] = True
    for word in (high, middle, low):
        run = word[permutation]
        differs[1:] |= run[1:] != run[:-1]
    return AddressOrder(permutation, np.flatnonzero(differs))


def _address_words(addresses: Sequence[str]) -> npt.NDArray[np.void]:
    """Each address's 20 bytes as a big-endian ``(high, middle, low)`` record; comparing records compares addresses."""
    joined = "".join(addresses)
    count = len(addresses)
    # Every address is "0x" and 40 hex digits: check the layout of the joined text, then drop the prefixes at once.
    if len(joined) != 42 * count or joined[0::42] != "0" * count or joined[1::42] != "x" * count:
        raise UnionValueError("every account must be 0x and 40 hex digits")
    try:
        raw = bytes.fromhex(joined.replace("0x", ""))
    except ValueError as error:
        raise UnionValueError(f"an account is not hex: {error}") from None
    if len(raw) != 20 * count:
        raise UnionValueError("every account must be 0x and 40 hex digits")
    return np.frombuffer(raw, dtype=_KEY_DTYPE)
