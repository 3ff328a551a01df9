"""The allocation's column arithmetic against plain-Python references: exact at every size, whatever the dtype."""

from __future__ import annotations

from fractions import Fraction
from operator import itemgetter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treasury._columns import int_column, int_column_of, sort_addresses, sort_records, split_by_largest_remainder
from treasury.allocation import AccountAmounts, split_pro_rata
from treasury.inputs import checksum_address
from union.errors import UnionValueError

COLUMN_SETTINGS = settings(max_examples=300, deadline=None)


def reference_split(total: int, weights: list[int]) -> list[int]:
    """Largest remainder the textbook way: exact fractions, remainders ranked by size then by position."""
    weight = sum(weights)
    quotas = [Fraction(total * w, weight) for w in weights]
    parts = [quota.numerator // quota.denominator for quota in quotas]
    leftover = total - sum(parts)
    ranked = sorted(range(len(weights)), key=lambda index: (-(quotas[index] - parts[index]), index))
    for index in ranked[:leftover]:
        parts[index] += 1
    return parts


weights_small = st.lists(st.integers(1, 1_000), min_size=1, max_size=80)
weights_any = st.lists(st.integers(1, 2**200), min_size=1, max_size=40)
totals = st.integers(0, 2**256 - 1)


@COLUMN_SETTINGS
@given(total=totals, weights=st.one_of(weights_small, weights_any))
def test_split_matches_the_exact_largest_remainder_rule(total: int, weights: list[int]) -> None:
    parts = split_pro_rata(total, weights)
    assert parts == reference_split(total, weights)
    assert sum(parts) == total
    assert all(type(part) is int for part in parts)  # never a numpy scalar in a money column


@COLUMN_SETTINGS
@given(total=st.integers(0, 10**30), count=st.integers(1, 60), weight=st.integers(1, 10**9))
def test_equal_weights_tie_and_the_leftover_goes_to_the_first_positions(total: int, count: int, weight: int) -> None:
    parts = split_pro_rata(total, [weight] * count)
    base, extra = divmod(total, count)
    assert parts == [base + 1] * extra + [base] * (count - extra)


def test_a_column_is_int64_only_while_its_sum_cannot_overflow() -> None:
    assert int_column([1, 2, 3]).dtype == np.int64
    assert int_column([2**62, 1]).dtype == object  # 2 · 2**62 reaches 2**63
    assert int_column([2**70]).dtype == object
    assert int_column([2**70]).tolist() == [2**70]


def test_a_field_column_is_read_into_int64_or_falls_back_to_python_ints() -> None:
    small = int_column_of([(1,), (2,)], itemgetter(0))
    assert small.dtype == np.int64
    assert small.tolist() == [1, 2]
    for values in ([(1,), (2**70,)], [(2**62,), (2**62,)]):  # beyond int64, and a sum that would overflow it
        column = int_column_of(values, itemgetter(0))
        assert column.dtype == object
        assert column.tolist() == [value for (value,) in values]


def test_the_split_is_exact_where_int64_products_would_overflow() -> None:
    weights = [2**40 + 1, 2**40 + 3, 7]  # int64 column, but remainder · weight exceeds 2**63
    total = 10**40 + 12_345
    assert split_pro_rata(total, weights) == reference_split(total, weights)


def test_a_split_among_weights_summing_to_zero_is_refused() -> None:
    with pytest.raises(UnionValueError):
        split_by_largest_remainder(10, int_column([0, 0]))


addresses = st.builds(
    lambda prefix, rest, upper: ("0x" + prefix + rest).upper().replace("0X", "0x") if upper else "0x" + prefix + rest,
    st.sampled_from(["00" * 8, "ab" * 8, "ff" * 8, "0123456789abcdef"]),  # shared first 8 bytes force the full sort
    st.text("0123456789abcdef", min_size=24, max_size=24),
    st.booleans(),
)


@COLUMN_SETTINGS
@given(values=st.lists(addresses, max_size=50))
def test_addresses_sort_stably_by_their_bytes_and_repeats_form_runs(values: list[str]) -> None:
    order = sort_addresses(values)
    assert order.permutation.tolist() == sorted(range(len(values)), key=lambda index: (values[index].lower(), index))
    ordered = [values[index].lower() for index in order.permutation.tolist()]
    assert order.starts.tolist() == [i for i in range(len(ordered)) if i == 0 or ordered[i] != ordered[i - 1]]
    assert order.distinct == (len(set(ordered)) == len(ordered))


shared_heads = st.sampled_from([b"\x00" * 8, b"\xff" * 8, b"\x01" * 8])  # equal first words force the full sort
records = st.lists(
    st.builds(bytes.__add__, shared_heads, st.binary(min_size=24, max_size=24)) | st.binary(min_size=32, max_size=32),
    max_size=60,
)


@COLUMN_SETTINGS
@given(values=records)
def test_records_sort_stably_as_bytes_compare(values: list[bytes]) -> None:
    order = sort_records(b"".join(values), 32).permutation.tolist()
    assert order == sorted(range(len(values)), key=lambda index: (values[index], index))


def test_records_of_another_width_are_refused() -> None:
    with pytest.raises(UnionValueError):
        sort_records(bytes(33), 32)


@pytest.mark.parametrize(
    "bad",
    [
        ["0x" + "1" * 39],  # too short
        ["0x" + "1" * 40, "1x" + "2" * 40],  # no 0x prefix
        ["0x" + "g" * 40],  # not hex
        ["0x" + "1" * 38 + "  "],  # fromhex would skip the spaces
    ],
)
def test_malformed_addresses_are_refused(bad: list[str]) -> None:
    with pytest.raises(UnionValueError):
        sort_addresses(bad)


# Accounts sharing their first 8 bytes, and the extremes of the address range.
ACCOUNTS = [f"0x{n:040x}" for n in (1, 2, 0xAB << 100, (0xAB << 100) + 1, 2**160 - 1)]


@COLUMN_SETTINGS
@given(pairs=st.lists(st.tuples(st.sampled_from(ACCOUNTS), st.integers(0, 2**256 - 1)), max_size=30))
def test_account_amounts_are_summed_per_account_in_address_order_without_zeros(pairs: list[tuple[str, int]]) -> None:
    expected: dict[str, int] = {}
    for account, amount in pairs:
        expected[account] = expected.get(account, 0) + amount
    summed = AccountAmounts.summed([checksum_address(a) for a, _ in pairs], [amount for _, amount in pairs])
    assert [account.lower() for account in summed.accounts] == sorted(a for a, v in expected.items() if v)
    assert summed.amounts == [expected[account.lower()] for account in summed.accounts]
    assert all(type(amount) is int for amount in summed.amounts)
