"""Request and response models of the relay: what a browser wallet or the CLI sends, and what it gets back.

Request bodies use the names of the signed typed data's ``message`` (``proposalId``, ``purposeId`` …) so a client
copies them as they are (snake_case names are accepted too); responses use the API's snake_case. Every ``uint256``
crosses the wire as a decimal string (a proposal id is a 77-digit number, beyond what JavaScript's
numbers hold exactly) and is accepted as a decimal or hex string, or as a JSON number up to 2**53 − 1; addresses are
accepted all lower-case or checksummed (EIP-55) and returned checksummed; byte strings are ``0x`` hex.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from api.schemas.common import UINT256_DECIMAL_PATTERN, UINT256_MAX, AmountStr
from api.schemas.common import AddressParam as Address
from union.types import ZERO_ADDRESS
from voting.typed_data import VoteSupport

__all__ = [
    "JSON_SAFE_INTEGER_MAX",
    "BallotRequest",
    "ClaimRequest",
    "ConsentRequest",
    "HexData",
    "RelayStatusPublic",
    "SubmissionPublic",
    "TypedDataPublic",
    "Uint256",
    "parse_support",
]


_DECIMAL: Final = re.compile(r"[0-9]{1,78}")
_HEX: Final = re.compile(r"0x[0-9a-fA-F]{1,64}")
JSON_SAFE_INTEGER_MAX: Final = 2**53 - 1
"""The largest JSON number every parser reads exactly (JavaScript's ``Number.MAX_SAFE_INTEGER``); larger uint256
values cross the wire as decimal strings, so that no client rounds a nonce or a proposal id on its way."""


def _parse_uint(value: object) -> object:
    """Decimal or ``0x`` hex strings, exactly as the schema's patterns say, become ints; a boolean (JSON's true is no
    integer) or a JSON number beyond :data:`JSON_SAFE_INTEGER_MAX` is refused; anything else is pydantic's to judge."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an unsigned integer")
    if isinstance(value, int | float) and value > JSON_SAFE_INTEGER_MAX:
        raise ValueError(f"{value} is beyond what a JSON number carries exactly (2**53 - 1): write it as a string")
    if isinstance(value, str):
        if _DECIMAL.fullmatch(value):
            return int(value, 10)
        if _HEX.fullmatch(value):
            return int(value, 16)
        raise ValueError(f"{value!r} is not an unsigned integer: decimal digits, or 0x and at most 64 hex digits")
    return value


def _in_uint256_range(value: int) -> int:
    if not 0 <= value <= UINT256_MAX:
        raise ValueError(f"{value} is not a uint256 (0 ≤ n < 2**256)")
    return value


Uint256 = Annotated[
    int,
    BeforeValidator(_parse_uint),
    AfterValidator(_in_uint256_range),
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": UINT256_DECIMAL_PATTERN},
                {"type": "string", "pattern": "^0x[0-9a-fA-F]{1,64}$"},
                {"type": "integer", "minimum": 0, "maximum": JSON_SAFE_INTEGER_MAX},
            ],
            "description": "a uint256: decimal digits, or 0x hex (or a JSON number up to 2**53 - 1)",
        },
        mode="validation",
    ),
    WithJsonSchema(
        {"type": "string", "pattern": UINT256_DECIMAL_PATTERN, "description": "a uint256, decimal"}, "serialization"
    ),
]
"""A ``uint256``: accepted as a decimal or hex string (or a JSON number up to 2**53 − 1), written as a decimal
string."""

HexData = Annotated[str, Field(pattern=r"^0x([0-9a-fA-F]{2})*$", examples=["0x"])]
"""Bytes as ``0x``-prefixed hex, an even number of digits."""

Signature = Annotated[str, Field(pattern=r"^0x([0-9a-fA-F]{2})+$", max_length=2 + 2 * 4096, description="0x hex")]


def parse_support(value: object) -> object:
    """``for`` / ``against`` / ``abstain`` (any case) or GovernorCountingSimple's 1 / 0 / 2."""
    if isinstance(value, str) and not value.strip().isdigit():
        return int(VoteSupport.parse(value))
    return value


def _support_range(value: int) -> int:
    if value not in (0, 1, 2):
        raise ValueError(f"support is 0 (against), 1 (for) or 2 (abstain), not {value}")
    return value


Support = Annotated[
    int,
    BeforeValidator(parse_support),
    AfterValidator(_support_range),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "enum": [0, 1, 2]},
                {"type": "string", "enum": ["for", "against", "abstain", "0", "1", "2"]},
            ],
            "description": "0 = against, 1 = for, 2 = abstain (or the words)",
        },
        mode="validation",
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class TypedDataPublic(BaseModel):
    """An EIP-712 document exactly as ``eth_signTypedData_v4`` takes it: pass it to the wallet unchanged."""

    model_config = ConfigDict(populate_by_name=True)

    types: dict[str, list[dict[str, str]]]
    primary_type: str = Field(alias="primaryType")
    domain: dict[str, Any]
    message: dict[str, Any]


class BallotRequest(_Model):
    """A signed ballot: the fields of the typed data's ``message`` and the signature over it."""

    proposal_id: Uint256 = Field(alias="proposalId")
    support: Support
    voter: Address
    nonce: Uint256 = Field(description="the nonce the ballot was signed with (the message's nonce)")
    reason: str | None = Field(default=None, max_length=10_000, description="signed reason (ExtendedBallot)")
    params: HexData = Field(default="0x", description="signed params (ExtendedBallot); 0x for none")
    signature: Signature
    chain_id: int | None = Field(
        default=None, alias="chainId", description="the domain's chain id, when known: refused early if wrong"
    )


class ConsentRequest(_Model):
    """A member's signed consent change: the typed data's ``message`` fields and the signature."""

    member: Address
    purpose_id: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$")] = Field(alias="purposeId")
    granted: bool
    nonce: Uint256
    deadline: Uint256
    signature: Signature
    chain_id: int | None = Field(default=None, alias="chainId")


class ClaimRequest(_Model):
    """Claim everything ``account`` can claim of ``token`` (zero address = ETH); the dividend goes to the account."""

    account: Address
    token: Address = ZERO_ADDRESS


class SubmissionPublic(BaseModel):
    """A submitted transaction; ``duplicate`` is true when this exact request had been submitted before."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(description="vote, consent or claim")
    transaction_hash: str
    duplicate: bool = Field(default=False, description="this exact request was sent before: the same transaction")
    block_number: int | None = Field(default=None, description="the block it was mined in (unknown for a duplicate)")


class RelayStatusPublic(BaseModel):
    """Whether the relay accepts submissions, and who pays for them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chain_id: int
    relayer: str
    balance: AmountStr = Field(description="the relayer's balance, in wei")
    balance_floor: AmountStr = Field(description="below this balance the relay refuses submissions, in wei")
    accepting: bool
    claims: bool = Field(description="whether claim arguments (stored plans) are available")
