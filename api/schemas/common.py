"""Types and envelopes every response shares: addresses, amounts, pages and the one error shape."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Generic, TypeVar

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from union.errors import UnionValueError

__all__ = [
    "ADDRESS_EXAMPLE",
    "ADDRESS_PATTERN",
    "UINT256_DECIMAL_PATTERN",
    "UINT256_MAX",
    "AddressParam",
    "AmountStr",
    "ErrorBodyPublic",
    "ErrorPublic",
    "Hash32Str",
    "PagePublic",
    "PublicModel",
    "Uint256Decimal",
    "decimal_at_most",
    "parse_address",
]

ItemT = TypeVar("ItemT")

ADDRESS_EXAMPLE: Final = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"
_ADDRESS_SHAPE: Final = re.compile(r"0x[0-9a-fA-F]{40}")

AmountStr = Annotated[
    str,
    StringConstraints(pattern=r"^-?[0-9]+$"),
    Field(description="an integer amount in the token's smallest unit (wei), as decimal text: exact beyond 2**53"),
]
Hash32Str = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{64}$"), Field(description="32 bytes, 0x hex")]


def parse_address(value: str) -> ChecksumAddress:
    """An address as the API accepts it: ``0x`` + 40 hex digits, either all lower-case or correctly checksummed.

    Any other spelling (mixed or upper case that is not the EIP-55 checksum) is refused: a wrong checksum is how a
    mistyped address shows itself.
    """
    if not _ADDRESS_SHAPE.fullmatch(value):
        raise UnionValueError(f"{value!r} is not an address: expected 0x followed by 40 hexadecimal digits")
    checksummed = to_checksum_address(value)
    if value != value.lower() and value != checksummed:
        raise UnionValueError(f"{value!r} has a wrong EIP-55 checksum (did you mean {checksummed}?)")
    return checksummed


def _address_or_value_error(value: str) -> ChecksumAddress:
    try:
        return parse_address(value)
    except UnionValueError as exc:  # pydantic turns ValueError into a 422 entry; keep our message
        raise ValueError(str(exc)) from None


ADDRESS_PATTERN: Final = "^0x[0-9a-f]{40}$"
"""What the OpenAPI document promises about an input address: the all-lower-case spelling, always accepted."""

AddressParam = Annotated[
    str,
    AfterValidator(_address_or_value_error),
    Field(
        description="an Ethereum address: 0x and 40 hexadecimal digits, all lower-case (the pattern), or checksummed "
        "by EIP-55 (also accepted; no pattern can express the checksum). Any other mix of cases is refused with 422: "
        "a wrong checksum is how a mistyped address shows itself",
        examples=[ADDRESS_EXAMPLE.lower()],
        # The pattern is the spelling every client can produce and the server always accepts; the validator also
        # accepts the checksummed spelling and says what is wrong with any other input.
        json_schema_extra={"pattern": ADDRESS_PATTERN},
    ),
]


def decimal_at_most(limit: int) -> str:
    """A regular expression (no anchors) matching exactly the decimal numerals of 0..``limit``: up to ``limit``'s
    number of digits, leading zeros allowed (as ``int()`` reads them)."""
    digits = str(limit)
    width = len(digits)
    branches = [f"[0-9]{{1,{width - 1}}}"] if width > 1 else []
    for position, digit in enumerate(digits):
        if digit != "0":  # same digits so far, then a smaller one here, then anything
            rest = width - position - 1
            branches.append(digits[:position] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    branches.append(digits)
    return "(?:" + "|".join(branches) + ")"


UINT256_MAX: Final = 2**256 - 1
UINT256_DECIMAL_PATTERN: Final = f"^{decimal_at_most(UINT256_MAX)}$"
"""A uint256 in decimal, exactly: 0 to 2**256 − 1 (the pattern is long because a regular expression can only say
"at most 2**256 − 1" digit by digit)."""
_DECIMAL_DIGITS: Final = re.compile(r"[0-9]{1,78}")


def _uint256_decimal(value: str) -> str:
    if not _DECIMAL_DIGITS.fullmatch(value) or int(value) > UINT256_MAX:
        raise ValueError(f"{value!r} is not a uint256 in decimal: 0 to 2**256 - 1, digits only")
    return value


Uint256Decimal = Annotated[
    str,
    AfterValidator(_uint256_decimal),
    Field(json_schema_extra={"pattern": UINT256_DECIMAL_PATTERN}),  # the validator's message is the readable one
]
"""A uint256 written in decimal (a proposal id), kept as text; 2**256 and beyond are refused with 422."""


class PublicModel(BaseModel):
    """Base of every response model: immutable, and no field the model does not declare."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PagePublic(PublicModel, Generic[ItemT]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next page (null: this was the last)."""

    items: list[ItemT]
    limit: int = Field(description="the page size asked for (at most 500)")
    next_cursor: str | None = Field(description="opaque position after the last item, or null at the end")


class ErrorBodyPublic(PublicModel):
    """What went wrong, for a person (``message``) and for a program (``code``, ``status``, ``details``)."""

    status: int = Field(description="the HTTP status, repeated")
    code: str = Field(description="stable short code: not_found, invalid_request, not_ready, internal_error …")
    message: str = Field(description="a sentence saying what is wrong")
    details: list[dict[str, Any]] = Field(
        default_factory=list, description="one entry per invalid input: where (loc) and why (msg)"
    )


class ErrorPublic(PublicModel):
    """Every error answer has this shape."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "status": 422,
                        "code": "invalid_request",
                        "message": "path.address: '0x5b38da6a701c568545dcfcb03fcb875f56beddC4' has a wrong EIP-55 "
                        "checksum (did you mean 0x5B38Da6a701c568545dCfcB03FcB875f56beddC4?)",
                        "details": [{"loc": ["path", "address"], "msg": "wrong EIP-55 checksum"}],
                    }
                }
            ]
        },
    )

    error: ErrorBodyPublic
