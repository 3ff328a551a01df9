"""Where the relay finds a member's claim arguments: the cumulative amount and Merkle proof of the funded plan.

The distributor keeps one cumulative root per token; a claim needs the account's leaf in the tree of the plan that
set that root. :class:`PlanSource` is what the relay asks. :class:`StorePlanSource` answers from the store's
``plans`` table (the planner's canonical documents, the read API's source too), choosing the plan whose root the
distributor holds now — never a newer plan still being voted on; :class:`TreePlanSource` answers from trees in
memory (a local chain, tests).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from sqlalchemy import Engine, func, inspect, select
from web3.contract import Contract

from api.plans import PLANS
from treasury.merkle import StandardMerkleTree
from treasury.proofs import ProofIndex

__all__ = ["ClaimArguments", "PlanSource", "StorePlanSource", "TreePlanSource"]


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
    """Claim arguments from in-memory Merkle trees of ``(address, uint256)`` leaves, one per token."""

    trees: Mapping[str, StandardMerkleTree] = field(default_factory=dict)
    _indices: dict[str, dict[str, int]] = field(default_factory=dict, init=False)

    def claim_arguments(self, token: ChecksumAddress, account: ChecksumAddress) -> ClaimArguments | None:
        tree = self.trees.get(to_checksum_address(token))
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


class StorePlanSource:
    """Claim arguments from the stored plan whose root the distributor holds for the token now.

    A proof index is built once per root (a stored plan never changes: its hash is the hash of its bytes) and kept;
    a newly funded plan is picked up on the first claim after its root lands, without a restart.
    """

    def __init__(self, engine: Engine, distributor: Contract) -> None:
        self._engine = engine
        self._distributor = distributor
        self._indices: dict[str, ProofIndex] = {}
        self._lock = threading.Lock()

    def claim_arguments(self, token: ChecksumAddress, account: ChecksumAddress) -> ClaimArguments | None:
        root = bytes(self._distributor.functions.merkleRoot(token).call())
        index = self._index(to_checksum_address(token), "0x" + root.hex())
        if index is None or account not in index:
            return None
        leaf = index.claim(account)
        return ClaimArguments(leaf.cumulative_amount, tuple(bytes.fromhex(node[2:]) for node in leaf.proof), root)

    def _index(self, token: ChecksumAddress, root: str) -> ProofIndex | None:
        with self._lock:
            cached = self._indices.get(root)
        if cached is not None:
            return cached
        if not inspect(self._engine).has_table(PLANS.name):
            return None
        with self._engine.connect() as connection:
            document = connection.execute(
                select(PLANS.c.document).where(PLANS.c.token == token, func.lower(PLANS.c.root) == root)
            ).scalar()
        if document is None:
            return None
        index = ProofIndex.from_json(document)
        with self._lock:
            self._indices[root] = index
        return index
