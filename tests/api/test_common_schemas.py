"""The patterns the OpenAPI document gives say exactly what the server accepts: a uint256 in decimal (0 to 2**256 − 1,
digit by digit), and a JSON number for a uint256 only while every parser reads it exactly."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from api.relay.models import JSON_SAFE_INTEGER_MAX, Uint256
from api.schemas.common import UINT256_DECIMAL_PATTERN, UINT256_MAX, decimal_at_most


@pytest.mark.parametrize("limit", [0, 7, 9, 10, 19, 100, 305, 1_000, 2_109])
def test_decimal_at_most_matches_exactly_the_numerals_up_to_the_limit(limit: int) -> None:
    pattern = re.compile(decimal_at_most(limit))
    width = len(str(limit))
    for value in range(10 ** (width + 1)):
        for numeral in {str(value), str(value).zfill(width)}:
            expected = value <= limit and len(numeral) <= width
            assert bool(pattern.fullmatch(numeral)) is expected, numeral


_NEAR_THE_LIMIT = st.integers(min_value=UINT256_MAX - 10**70, max_value=UINT256_MAX + 10**70)


@given(value=st.integers(min_value=0, max_value=2 * UINT256_MAX) | _NEAR_THE_LIMIT, zeros=st.integers(0, 3))
@settings(max_examples=500, deadline=None, database=None)
def test_the_uint256_pattern_is_the_server_rule(value: int, zeros: int) -> None:
    numeral = "0" * zeros + str(value)
    documented = re.fullmatch(UINT256_DECIMAL_PATTERN, numeral) is not None
    assert documented is (value <= UINT256_MAX and len(numeral) <= 78)


def test_the_edges_of_uint256() -> None:
    assert re.fullmatch(UINT256_DECIMAL_PATTERN, str(UINT256_MAX))
    assert not re.fullmatch(UINT256_DECIMAL_PATTERN, str(UINT256_MAX + 1))
    assert re.fullmatch(UINT256_DECIMAL_PATTERN, "0")
    assert not re.fullmatch(UINT256_DECIMAL_PATTERN, "")


_UINT256 = TypeAdapter(Uint256)


@pytest.mark.parametrize(
    ("wire", "value"),
    [
        ("12", 12),
        ("0x1f", 31),
        (str(UINT256_MAX), UINT256_MAX),
        ("0x" + "f" * 64, UINT256_MAX),
        (JSON_SAFE_INTEGER_MAX,) * 2,
    ],
)
def test_a_uint256_is_read_from_the_spellings_the_document_gives(wire: object, value: int) -> None:
    assert _UINT256.validate_python(wire) == value


@pytest.mark.parametrize(
    "wire", [JSON_SAFE_INTEGER_MAX + 1, 2**200, True, " 12", "1_000", "+5", "-1", "0X1F", str(UINT256_MAX + 1), "0x"]
)
def test_a_uint256_the_document_does_not_describe_is_refused(wire: object) -> None:
    with pytest.raises(ValidationError):
        _UINT256.validate_python(wire)
