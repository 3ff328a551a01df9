"""Proposal builders: the actions members vote on, as (targets, values, calldatas, description).

A proposal's id is OZ Governor's ``hashProposal`` — keccak256 of the ABI-encoded actions and the description's
hash — so anyone can recompute it from the proposal's content; :meth:`ProposalSpec.proposal_id` does that locally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode as abi_encode
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_bytes, to_checksum_address
from web3.contract import Contract

from union.types import ProposalId

__all__ = [
    "DividendPolicy",
    "ProposalSpec",
    "ProposalState",
    "book_unattributed_proposal",
    "dividend_policy_proposal",
    "fund_dividends_proposal",
    "quorum_proposal",
    "release_earmark_proposal",
    "transfer_proposal",
]


class ProposalState(IntEnum):
    """OZ ``IGovernor.ProposalState``."""

    PENDING = 0
    ACTIVE = 1
    CANCELED = 2
    DEFEATED = 3
    SUCCEEDED = 4
    QUEUED = 5
    EXPIRED = 6
    EXECUTED = 7


@dataclass(frozen=True, slots=True)
class ProposalSpec:
    """The exact arguments of ``Governor.propose`` (and of ``queue`` / ``execute``, with the description's hash)."""

    targets: tuple[ChecksumAddress, ...]
    values: tuple[int, ...]
    calldatas: tuple[bytes, ...]
    description: str

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    def proposal_id(self) -> ProposalId:
        encoded = abi_encode(
            ["address[]", "uint256[]", "bytes[]", "bytes32"],
            [list(self.targets), list(self.values), list(self.calldatas), self.description_hash],
        )
        return ProposalId(int.from_bytes(keccak(encoded), "big"))

    def propose_args(self) -> tuple[list[ChecksumAddress], list[int], list[bytes], str]:
        return list(self.targets), list(self.values), list(self.calldatas), self.description

    def lifecycle_args(self) -> tuple[list[ChecksumAddress], list[int], list[bytes], bytes]:
        """Arguments of ``queue`` and ``execute``."""
        return list(self.targets), list(self.values), list(self.calldatas), self.description_hash


def _calls(contract: Contract, calls: list[tuple[str, list[Any]]], description: str) -> ProposalSpec:
    """Calls of ``contract``'s functions, in order, with no ETH."""
    calldatas = tuple(bytes.fromhex(contract.encode_abi(function, args=args)[2:]) for function, args in calls)
    target = to_checksum_address(contract.address)
    return ProposalSpec((target,) * len(calls), (0,) * len(calls), calldatas, description)


def _single(contract: Contract, function: str, args: list[Any], description: str) -> ProposalSpec:
    return _calls(contract, [(function, args)], description)


@dataclass(frozen=True, slots=True)
class DividendPolicy:
    """``IUnionTreasury.DividendPolicy``; basis points of each purpose's revenue in an epoch."""

    reserve_bps: int
    operations_bps: int
    floor_bps: int
    cap_bps: int
    operations_account: ChecksumAddress

    def as_tuple(self) -> tuple[int, int, int, int, ChecksumAddress]:
        return (self.reserve_bps, self.operations_bps, self.floor_bps, self.cap_bps, self.operations_account)


def fund_dividends_proposal(
    treasury: Contract,
    *,
    token: ChecksumAddress,
    from_epoch: int,
    through_epoch: int,
    purposes: Sequence[tuple[str | bytes, int, int]],
    new_root: bytes,
    plan_hash: bytes,
    description: str,
) -> ProposalSpec:
    """A distribution: the single ``fundDividends`` action of DESIGN.md §2, taking ``purposes`` — ``(purpose id,
    amount, reserve released)`` in ascending id order, a plan's ``purpose_fundings()`` — out of each purpose's
    earmark (§8)."""
    listed = [
        (purpose if isinstance(purpose, bytes) else to_bytes(hexstr=purpose), amount, reserve)
        for purpose, amount, reserve in purposes
    ]
    return _single(
        treasury, "fundDividends", [token, from_epoch, through_epoch, listed, new_root, plan_hash], description
    )


def dividend_policy_proposal(treasury: Contract, policy: DividendPolicy, description: str) -> ProposalSpec:
    """A change of the dividend policy (takes effect for every epoch ending after execution)."""
    return _single(treasury, "setDividendPolicy", [policy.as_tuple()], description)


def transfer_proposal(
    treasury: Contract, *, token: ChecksumAddress, to: ChecksumAddress, amount: int, memo: str, description: str
) -> ProposalSpec:
    """A memo'd transfer of free (non-earmarked) treasury funds."""
    return _single(treasury, "transfer", [token, to, amount, memo], description)


def quorum_proposal(
    governor: Contract, *, quorum_percent: int | None, min_quorum: int | None, description: str
) -> ProposalSpec:
    """A change of the quorum (DESIGN.md §8): its percent, its minimum, or both in one vote. It applies to proposals
    whose snapshot comes after it executes; the governor checkpoints both, so earlier votes keep their quorum."""
    calls: list[tuple[str, list[Any]]] = []
    if quorum_percent is not None:
        calls.append(("updateQuorumNumerator", [quorum_percent]))
    if min_quorum is not None:
        calls.append(("updateMinQuorum", [min_quorum]))
    if not calls:
        raise ValueError("a quorum proposal changes the percent, the minimum, or both")
    return _calls(governor, calls, description)


def release_earmark_proposal(
    treasury: Contract,
    *,
    token: ChecksumAddress,
    purpose: str | bytes,
    amount: int,
    memo: str,
    description: str,
) -> ProposalSpec:
    """Frees ``amount`` of one purpose's earmark (a carry nobody can take, a refund); at most what that purpose holds
    (DESIGN.md §8). The next plan takes it out of the purpose's carry first, then out of its pending distributable."""
    purpose_bytes = purpose if isinstance(purpose, bytes) else to_bytes(hexstr=purpose)
    return _single(treasury, "releaseEarmark", [token, purpose_bytes, amount, memo], description)


def book_unattributed_proposal(
    treasury: Contract, *, token: ChecksumAddress, amount: int, description: str
) -> ProposalSpec:
    """Books ``amount`` of tokens that arrived without ``payRevenue`` as general revenue of the current epoch."""
    return _single(treasury, "bookUnattributed", [token, amount], description)
