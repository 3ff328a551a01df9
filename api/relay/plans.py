"""Where the relay finds a member's claim arguments: the cumulative amount and Merkle proof of the latest plan.

The distributor keeps one cumulative root per token; a claim needs the account's leaf in the tree of the plan that
set that root. :class:`PlanSource` is what the relay asks; :class:`TreePlanSource` answers from the trees of the
funded plans (each plan document carries its tree dump, OZ ``standard-v1``), given per token or loaded on demand
by a callable — e.g. from the store's ``plans`` table, latest plan per token.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from treasury.merkle import StandardMerkleTree

__all__ = ["ClaimArguments", "PlanSource", "TreePlanSource"]


@dataclass(frozen=True, slots=True)
class ClaimArguments:
    """The account's leaf: everything ever allocated to it in ``token``, and the proof against the current root."""

    cumulative_amount: int
    proof: tuple[bytes, ...]
    root: bytes


class PlanSource(Protocol):
    """Claim arguments from the latest funded plan of a token; ``None`` when the account has no leaf in it."""

    def claim_arguments(self, token: ChecksumAddress, account: ChecksumAddress) -> ClaimArguments | None: ...


@dataclass
class TreePlanSource:
    """Claim arguments from Merkle trees of ``(address, uint256)`` leaves, one per token.

    ``trees`` is consulted first; ``loader`` (if given) is asked for a token missing there — returning the tree of
    the token's latest plan, or ``None`` — on every call, so a newly funded plan is picked up without a restart.
    """

    trees: Mapping[str, StandardMerkleTree] = field(default_factory=dict)
    loader: Callable[[ChecksumAddress], StandardMerkleTree | None] | None = None
    _indices: dict[str, dict[str, int]] = field(default_factory=dict, init=False)

    def claim_arguments(self, token: ChecksumAddress, account: ChecksumAddress) -> ClaimArguments | None:
        tree = self.trees.get(to_checksum_address(token))
        if tree is None and self.loader is not None:
            tree = self.loader(to_checksum_address(token))
        if tree is None:
            return None
        index = self._index(tree).get(account.lower())
        if index is None:
            return None
        _, amount = tree.at(index)
        proof = tuple(bytes.fromhex(node[2:]) for node in tree.get_proof(index))
        return ClaimArguments(int(str(amount)), proof, tree.root_bytes)

    def _index(self, tree: StandardMerkleTree) -> dict[str, int]:
        """Account → leaf index, built once per tree (a tree of a million accounts is searched once)."""
        cached = self._indices.get(tree.root)
        if cached is None:
            cached = {str(value[0]).lower(): i for i, value in enumerate(tree.values)}
            self._indices[tree.root] = cached
        return cached
