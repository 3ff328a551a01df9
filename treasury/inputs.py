"""What the chain said: the facts a dividend plan is computed from, and nothing else.

A chain reader (RPC or the indexer's store) gathers these; the planner is a pure function of them. Each fact
carries the event it was decoded from (:class:`EventRef`), so a plan names its inputs and two readers can be
compared event by event. The models check their own fields when built, so the planner can trust them; they are
slotted frozen dataclasses rather than pydantic models because a plan of a million members is built from millions
of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, NewType

from eth_typing import BlockNumber, ChainId, ChecksumAddress, HexAddress, HexStr

from treasury._keccak import keccak256
from treasury.policy import ZERO_ADDRESS, DividendPolicy
from union.errors import UnionValueError

__all__ = [
    "GENERAL_PURPOSE",
    "BlockRange",
    "ChainContext",
    "ConsentChange",
    "ContributionEntry",
    "ContributionRevocation",
    "EarmarkRelease",
    "EpochId",
    "EpochSchedule",
    "EventRef",
    "PlanInputs",
    "PolicyChange",
    "PurposeId",
    "RevenueEvent",
    "checksum_address",
    "purpose_id",
]

EpochId = NewType("EpochId", int)
"""A ledger epoch, numbered from 1 (0 means "none yet", e.g. nothing funded)."""

PurposeId = NewType("PurposeId", HexStr)
"""A data-use purpose: ``keccak256(name)`` as ``0x`` and 64 lower-case hex digits."""

GENERAL_PURPOSE: Final = PurposeId(HexStr("0x" + "00" * 32))
"""Purpose "general" (donations, grants, plain ETH, booked inflows): id zero, needs no consent."""

_UINT256_LIMIT: Final = 1 << 256
_ADDRESS_RE: Final = re.compile(r"0x[0-9a-fA-F]{40}")
_BYTES32_RE: Final = re.compile(r"0x[0-9a-f]{64}")


_LETTERS: Final = bytes(0x20 if chr(code) in "abcdef" else 0 for code in range(256))
_HIGH_NIBBLES: Final = bytes(0x20 if chr(code) in "89abcdef" else 0 for code in range(256))


@lru_cache(maxsize=1 << 16)
def checksum_address(value: str) -> ChecksumAddress:
    """The EIP-55 form of a ``0x`` hex address in any case (the one spelling a plan uses).

    EIP-55 upper-cases the letters whose nibble in ``keccak256(lower-case hex)`` is 8 or more; flipping bit 0x20
    of exactly those bytes is done on whole 40-byte integers, because readers build millions of these.
    """
    if not isinstance(value, str) or not _ADDRESS_RE.fullmatch(value):
        raise UnionValueError(f"not an address: {value!r}")
    lower = value[2:].lower().encode("ascii")
    letters = int.from_bytes(lower.translate(_LETTERS), "big")
    high = int.from_bytes(keccak256(lower).hex()[:40].encode("ascii").translate(_HIGH_NIBBLES), "big")
    spelled = (int.from_bytes(lower, "big") ^ (letters & high)).to_bytes(40, "big").decode("ascii")
    return ChecksumAddress(HexAddress(HexStr("0x" + spelled)))


def _require_checksum(value: str, what: str) -> None:
    if checksum_address(value) != value:
        raise UnionValueError(f"{what} must be an EIP-55 checksum address, got {value!r}")


def _require_uint(value: object, what: str, *, positive: bool = False) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < _UINT256_LIMIT:
        raise UnionValueError(f"{what} must be a uint256, got {value!r}")
    if positive and value == 0:
        raise UnionValueError(f"{what} must be positive")


def purpose_id(value: bytes | str) -> PurposeId:
    """A purpose id from the 32 bytes of an event topic or from hex in any case."""
    text = "0x" + value.hex() if isinstance(value, bytes) else value.lower()
    if not _BYTES32_RE.fullmatch(text):
        raise UnionValueError(f"not a 32-byte purpose id: {value!r}")
    return PurposeId(HexStr(text))


@dataclass(frozen=True, slots=True, order=True)
class EventRef:
    """Where a fact was logged; ordering is chain order (block, then log index)."""

    block_number: BlockNumber
    log_index: int
    tx_hash: HexStr = field(compare=False)

    def __post_init__(self) -> None:
        """Refuse negative positions and malformed transaction hashes."""
        if self.block_number < 0 or self.log_index < 0:
            raise UnionValueError(f"negative block or log index in {self!r}")
        if not _BYTES32_RE.fullmatch(self.tx_hash):
            raise UnionValueError(f"transaction hash must be 0x and 64 lower-case hex digits: {self.tx_hash!r}")

    @property
    def id(self) -> str:
        """``txhash:logIndex``, the event's name in a plan."""
        return f"{self.tx_hash}:{self.log_index}"


@dataclass(frozen=True, slots=True)
class EpochSchedule:
    """The ledger's immutable clock: epoch *e* covers ``[start(e), end(e))``; entries close ``grace`` later."""

    genesis: int
    length: int
    grace: int

    def __post_init__(self) -> None:
        """Refuse a schedule the ledger could not have."""
        if self.genesis < 0 or self.length <= 0 or self.grace < 0:
            raise UnionValueError(f"invalid epoch schedule {self!r}")

    def start(self, epoch: int) -> int:
        """``start(e) = genesis + (e − 1)·length``."""
        if epoch < 1:
            raise UnionValueError(f"epochs are numbered from 1, got {epoch}")
        return self.genesis + (epoch - 1) * self.length

    def end(self, epoch: int) -> int:
        """``end(e) = start(e) + length``, the first timestamp after the epoch."""
        return self.start(epoch) + self.length

    def epoch_at(self, timestamp: int) -> EpochId:
        """The epoch whose window contains ``timestamp`` (0 before genesis)."""
        if timestamp < self.genesis:
            return EpochId(0)
        return EpochId((timestamp - self.genesis) // self.length + 1)


@dataclass(frozen=True, slots=True)
class ChainContext:
    """Which chain and which deployment a plan is about (it is part of what the plan hash commits to)."""

    chain_id: ChainId
    membership: ChecksumAddress
    ledger: ChecksumAddress
    treasury: ChecksumAddress
    distributor: ChecksumAddress

    def __post_init__(self) -> None:
        """Refuse a non-positive chain id or non-checksummed contract addresses."""
        if self.chain_id <= 0:
            raise UnionValueError(f"chain id must be positive, got {self.chain_id}")
        for name in ("membership", "ledger", "treasury", "distributor"):
            _require_checksum(getattr(self, name), name)


@dataclass(frozen=True, slots=True)
class BlockRange:
    """The blocks the reader read logs from, both ends included."""

    from_block: BlockNumber
    to_block: BlockNumber

    def __post_init__(self) -> None:
        """Refuse an empty or negative range."""
        if not 0 <= self.from_block <= self.to_block:
            raise UnionValueError(f"invalid block range {self.from_block}..{self.to_block}")


@dataclass(frozen=True, slots=True)
class ContributionEntry:
    """``ContributionLedger.ContributionRecorded``: ``units`` of work by ``member`` in ``epoch``."""

    event: EventRef
    entry_id: int
    epoch: EpochId
    member: ChecksumAddress
    units: int

    def __post_init__(self) -> None:
        """Refuse what the ledger cannot log: entry id or epoch 0, zero units, a malformed member."""
        if self.entry_id < 1 or self.epoch < 1:
            raise UnionValueError(f"entry id and epoch start at 1: {self!r}")
        _require_uint(self.units, "units", positive=True)
        _require_checksum(self.member, "member")


@dataclass(frozen=True, slots=True)
class ContributionRevocation:
    """``ContributionLedger.ContributionRevoked``; it counts only if ``epoch`` is the entry's own epoch."""

    event: EventRef
    entry_id: int
    epoch: EpochId

    def __post_init__(self) -> None:
        """Refuse entry id or epoch 0, which the ledger never logs."""
        if self.entry_id < 1 or self.epoch < 1:
            raise UnionValueError(f"entry id and epoch start at 1: {self!r}")


@dataclass(frozen=True, slots=True)
class RevenueEvent:
    """``UnionTreasury.RevenueReceived`` (or ``UnattributedBooked``, as general revenue), at its block's time."""

    event: EventRef
    token: ChecksumAddress
    purpose: PurposeId
    amount: int
    timestamp: int

    def __post_init__(self) -> None:
        """Refuse a zero amount (the treasury reverts on it) or malformed ids."""
        _require_uint(self.amount, "revenue amount", positive=True)
        _require_checksum(self.token, "token")
        if purpose_id(self.purpose) != self.purpose:
            raise UnionValueError(f"purpose id must be lower-case hex: {self.purpose!r}")


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """``UnionMembership.ConsentChanged`` at its block's time."""

    event: EventRef
    member: ChecksumAddress
    purpose: PurposeId
    granted: bool
    timestamp: int

    def __post_init__(self) -> None:
        """Refuse malformed ids and consent to "general", which needs none and cannot be set."""
        _require_checksum(self.member, "member")
        if purpose_id(self.purpose) != self.purpose or self.purpose == GENERAL_PURPOSE:
            raise UnionValueError(f"not a consentable purpose id: {self.purpose!r}")


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """``UnionTreasury.DividendPolicySet`` at its block's time."""

    event: EventRef
    timestamp: int
    policy: DividendPolicy

    def __post_init__(self) -> None:
        """Refuse a non-checksummed operations account (the policy itself checked its numbers)."""
        if self.policy.operations_account != ZERO_ADDRESS:
            _require_checksum(self.policy.operations_account, "operations account")


@dataclass(frozen=True, slots=True)
class EarmarkRelease:
    """``UnionTreasury.EarmarkReleased``: governance freed part of a purpose's earmark (carry or pending revenue)."""

    event: EventRef
    token: ChecksumAddress
    purpose: PurposeId
    amount: int
    timestamp: int

    def __post_init__(self) -> None:
        """Refuse malformed ids and amounts."""
        _require_uint(self.amount, "released amount")
        _require_checksum(self.token, "token")
        if purpose_id(self.purpose) != self.purpose:
            raise UnionValueError(f"purpose id must be lower-case hex: {self.purpose!r}")


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """Everything a plan for ``token`` over epochs ``(from_epoch, through_epoch]`` depends on.

    Event lists may hold more than the plan needs (other tokens, other epochs) and may come in any order; the
    planner keeps what is relevant, in chain order. ``previous_cumulative``, ``previous_carries`` and
    ``previous_releases_owed`` come from the plan that funded ``from_epoch`` (all empty when ``from_epoch`` is 0): the
    carries are those after its last epoch, i.e. after the earmark releases with a timestamp before
    ``end(from_epoch)``, and the releases owed those it could not honour yet (``treasury.allocation``).
    """

    chain: ChainContext
    token: ChecksumAddress
    from_epoch: EpochId
    through_epoch: EpochId
    schedule: EpochSchedule
    blocks: BlockRange
    contributions: Sequence[ContributionEntry] = ()
    revocations: Sequence[ContributionRevocation] = ()
    revenues: Sequence[RevenueEvent] = ()
    consent_changes: Sequence[ConsentChange] = ()
    policy_changes: Sequence[PolicyChange] = ()
    earmark_releases: Sequence[EarmarkRelease] = ()
    previous_cumulative: Mapping[ChecksumAddress, int] = field(default_factory=dict)
    previous_carries: Mapping[PurposeId, int] = field(default_factory=dict)
    previous_releases_owed: Mapping[PurposeId, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse an empty or negative range and malformed carried-over amounts."""
        _require_checksum(self.token, "token")
        if not 0 <= self.from_epoch < self.through_epoch:
            raise UnionValueError(f"a plan covers (fromEpoch, throughEpoch] with from < through: {self.from_epoch}")
        for account, amount in self.previous_cumulative.items():
            _require_checksum(account, "account")
            _require_uint(amount, "previous cumulative amount")
        for what, amounts in (("carry", self.previous_carries), ("release owed", self.previous_releases_owed)):
            for purpose, amount in amounts.items():
                if purpose_id(purpose) != purpose:
                    raise UnionValueError(f"purpose id must be lower-case hex: {purpose!r}")
                _require_uint(amount, what)
