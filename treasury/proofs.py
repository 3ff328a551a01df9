"""Claim arguments for any member, straight from a stored plan: ``(cumulative amount, proof)`` in microseconds.

The index is built once when a plan is loaded (one dictionary from account to leaf); a lookup then walks the
~20 siblings of a million-leaf tree through the dump's own hex strings, with no hashing, so the API and the relay
can answer every member without touching the chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from eth_typing import ChecksumAddress, HexStr

from treasury._gc import cycle_collection_paused
from treasury.merkle import ADDRESS_AMOUNT_ENCODING, StandardMerkleTree
from treasury.plan import Plan
from union.errors import UnionValueError

__all__ = ["ClaimArguments", "ProofIndex"]


@dataclass(frozen=True, slots=True)
class ClaimArguments:
    """The arguments of ``DividendDistributor.claim(token, account, cumulativeAmount, proof)``."""

    token: ChecksumAddress
    account: ChecksumAddress
    cumulative_amount: int
    proof: tuple[HexStr, ...]


class ProofIndex:
    """Every account's leaf of one plan's tree, indexed by account (any letter case)."""

    __slots__ = ("_accounts", "_amounts", "_nodes", "_places", "_positions", "root", "token")

    def __init__(self, token: ChecksumAddress, tree_dump: Mapping[str, Any] | None, root: HexStr) -> None:
        """Index a ``standard-v1`` dump of ``(address, uint256)`` leaves; use :meth:`from_plan` or :meth:`from_json`.

        The index is flat (one dict from lower-case account to position, parallel lists of strings and ints), so a
        million leaves add almost nothing for the garbage collector to walk and lookups keep a flat latency.
        """
        self.token = token
        self.root = root
        self._nodes: list[HexStr] = []
        self._accounts: list[ChecksumAddress] = []
        self._amounts: list[int] = []
        self._places: list[int] = []
        self._positions: dict[str, int] = {}
        if tree_dump is None:
            return
        if tuple(tree_dump.get("leafEncoding", ())) != ADDRESS_AMOUNT_ENCODING:
            raise UnionValueError("a distribution tree has (address, uint256) leaves")
        self._nodes = list(tree_dump["tree"])
        if not self._nodes or self._nodes[0] != root:
            raise UnionValueError(f"the tree's root is not the plan's root {root}")
        entries = tree_dump["values"]
        self._accounts = [entry["value"][0] for entry in entries]
        amounts = [entry["value"][1] for entry in entries]
        if any(isinstance(amount, float) for amount in amounts):  # a parser's stand-in for a big JSON number
            raise UnionValueError("tree amounts are decimal strings, not floating-point numbers")
        self._amounts = list(map(int, amounts))
        self._places = [entry["treeIndex"] for entry in entries]
        self._positions = {account.lower(): position for position, account in enumerate(self._accounts)}

    @classmethod
    def from_plan(cls, plan: Plan, *, validate: bool = True) -> ProofIndex:
        """Index a plan; with ``validate`` its tree is re-hashed first (as OZ's ``load`` does)."""
        if validate and plan.tree is not None:
            StandardMerkleTree.load(plan.tree, validate=True)
        return cls(plan.token, plan.tree, plan.root)

    @classmethod
    def from_json(cls, data: bytes | str, *, validate: bool = True) -> ProofIndex:
        """Index a stored plan document without building the whole :class:`Plan` model (fast for big plans)."""
        with cycle_collection_paused():  # parsing creates two containers per leaf
            try:
                document = orjson.loads(data)
                token, root, tree = document["token"], document["root"], document["tree"]
            except (ValueError, KeyError, TypeError) as error:  # orjson.JSONDecodeError is a ValueError
                raise UnionValueError(f"not a dividend plan document: {error}") from error
            if validate and tree is not None:
                StandardMerkleTree.load(tree, validate=True)
            return cls(token, tree, root)

    def __len__(self) -> int:
        return len(self._positions)

    def __contains__(self, account: object) -> bool:
        return isinstance(account, str) and account.lower() in self._positions

    def claim(self, account: str) -> ClaimArguments:
        """The claim arguments of ``account``; raises :class:`UnionValueError` if the plan gives it nothing."""
        position = self._positions.get(account.lower())
        if position is None:
            raise UnionValueError(f"{account} has no allocation in this plan")
        node = self._places[position]
        nodes = self._nodes
        proof: list[HexStr] = []
        while node > 0:
            proof.append(nodes[node - 1 if node % 2 == 0 else node + 1])
            node = (node - 1) // 2
        return ClaimArguments(
            token=self.token,
            account=self._accounts[position],
            cumulative_amount=self._amounts[position],
            proof=tuple(proof),
        )
