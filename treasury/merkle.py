"""Merkle trees that are byte-for-byte those of OpenZeppelin's ``@openzeppelin/merkle-tree`` (v1.0.8).

The distributor verifies claims with OZ's ``MerkleProof``, and anyone auditing a distribution reaches for OZ's
JavaScript library, so our trees must be theirs exactly: the same leaf hash
(``keccak256(keccak256(abi.encode(values)))``), leaves sorted by hash (a stable sort, so equal leaves keep their
input order), the same array layout (a complete binary tree in an array of ``2n - 1`` nodes, the sorted leaves at
the end in reverse order, ``node[i] = hash(sorted(node[2i+1], node[2i+2]))``), the same proofs, and the same
``standard-v1`` JSON dump, so each library loads the other's dumps.

Building the tree of a million accounts is the planner's hot path, and nearly all of it is three million calls
of Keccak. The rest is kept small: ``(address, uint256)`` leaves are encoded from bytes instead of ``eth_abi``; the
nodes live in one blob (32 bytes a node) rather than two million objects; the leaves are sorted by numpy on their
machine words. With an executor passed in (the entry point owns the processes), a worker hashes half of the leaves
and the root's right subtree while the calling process hashes the rest: two jobs per tree, whose data crosses as a
few blobs, so little time goes to moving it between processes.
"""

from __future__ import annotations

import binascii
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any, Final, NewType, overload

import numpy as np
from eth_abi import encode as abi_encode
from eth_typing import HexStr

from treasury._columns import address_bytes, sort_records
from treasury._keccak import keccak_256
from union.errors import UnionValueError

__all__ = [
    "ADDRESS_AMOUNT_ENCODING",
    "STANDARD_V1",
    "LeafValue",
    "NodeHex",
    "StandardMerkleTree",
    "encode_leaf",
    "leaf_hash",
    "node_hash",
    "process_proof",
]

STANDARD_V1: Final = "standard-v1"
"""The ``format`` of OZ's standard tree dump."""

ADDRESS_AMOUNT_ENCODING: Final[tuple[str, str]] = ("address", "uint256")
"""The leaf encoding of the distributor: ``(account, cumulative amount)``; it has a fast path."""

NodeHex = NewType("NodeHex", HexStr)
"""A 32-byte node as OZ writes it: ``0x`` and 64 lower-case hex digits."""

LeafValue = Sequence[Any]
"""One leaf's values, one per type of the leaf encoding (e.g. ``["0xAb…", 1000]``)."""

_UINT256_LIMIT: Final = 1 << 256
_ADDRESS_RE: Final = re.compile(r"0x[0-9a-fA-F]{40}")
_HEX_NODE_RE: Final = re.compile(r"0x[0-9a-f]{64}")
_PARALLEL_MIN: Final = 1 << 14
"""Below this many hashes in a step, sending work to another process costs more than it saves."""
_WORKER_SHARE: Final = 48
"""The percentage of the leaves a worker process hashes."""


# --- the leaf encoding: defined here once --------------------------------------------------------------------


def _address_int(value: object) -> int:
    """An address as the integer ``abi.encode`` pads; any hex case is accepted, as OZ's encoder does."""
    if isinstance(value, bytes) and len(value) == 20:
        return int.from_bytes(value, "big")
    if isinstance(value, str) and _ADDRESS_RE.fullmatch(value):
        return int(value, 16)
    raise UnionValueError(f"not an address: {value!r}")


def _uint_int(value: object, bits: int = 256) -> int:
    """A ``uintN`` from an int or the decimal/hex string a JSON dump carries."""
    if isinstance(value, bool):
        raise UnionValueError(f"not an unsigned integer: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value, 16) if value[:2] in ("0x", "0X") else int(value, 10)
        except ValueError:
            raise UnionValueError(f"not an unsigned integer: {value!r}") from None
    else:
        raise UnionValueError(f"not an unsigned integer: {value!r}")
    if not 0 <= number < (1 << bits):
        raise UnionValueError(f"uint{bits} out of range: {value!r}")
    return number


_ADDRESS_PAD: Final = bytes(12)


def _encode_address_amounts(accounts: Sequence[str], amounts: Sequence[int]) -> list[bytes]:
    """``abi.encode(address, uint256)`` of each pair: 12 zero bytes, the 20 address bytes, the 32-byte amount.

    Built from bytes instead of ``eth_abi`` (the hot path of a million-leaf plan). Accounts are ``0x`` and 40 hex
    digits (any letter case), amounts in ``[0, 2**256)``.
    """
    return _encode_raw_address_amounts(address_bytes(accounts), amounts)


def _encode_raw_address_amounts(raw_accounts: bytes, amounts: Sequence[int]) -> list[bytes]:
    """:func:`_encode_address_amounts` of accounts given as their 20 bytes each, back to back."""
    if len(raw_accounts) != 20 * len(amounts):
        raise UnionValueError(f"{len(raw_accounts) // 20} accounts but {len(amounts)} amounts")
    pad = _ADDRESS_PAD
    try:
        return [
            pad + raw_accounts[start : start + 20] + amount.to_bytes(32, "big")
            for start, amount in zip(range(0, len(raw_accounts), 20), amounts, strict=True)
        ]
    except (OverflowError, AttributeError) as error:
        raise UnionValueError(f"not a uint256 amount: {error}") from error


def _encode_address_amount(value: LeafValue) -> bytes:
    """One ``(address, uint256)`` leaf's bytes: the fast path of :func:`encode_leaf`."""
    if len(value) != 2:
        raise UnionValueError(f"expected (address, uint256), got {value!r}")
    return _ADDRESS_PAD + _address_int(value[0]).to_bytes(20, "big") + _uint_int(value[1]).to_bytes(32, "big")


def _abi_ready(abi_type: str, value: object) -> object:
    """Turn a JSON-dump value (decimal strings, hex strings) into what ``eth_abi`` encodes."""
    if abi_type.endswith("]"):
        element_type = abi_type[: abi_type.rindex("[")]
        if not isinstance(value, list | tuple):
            raise UnionValueError(f"expected a list for {abi_type}, got {value!r}")
        return [_abi_ready(element_type, item) for item in value]
    if abi_type == "address":
        return "0x" + _address_int(value).to_bytes(20, "big").hex()
    if abi_type.startswith(("uint", "int")) and isinstance(value, str):
        return int(value, 16) if value[:2] in ("0x", "0X") else int(value, 10)
    if abi_type.startswith("bytes") and isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return value


def encode_leaf(leaf_encoding: Sequence[str], value: LeafValue) -> bytes:
    """``abi.encode(value…)`` for the given types: the one definition of a leaf's bytes in this project.

    ``(address, uint256)`` leaves take an integer fast path that yields the same bytes as ``eth_abi``; every other
    encoding goes through ``eth_abi``. Values may be Python values or the strings of a JSON dump.
    """
    if tuple(leaf_encoding) == ADDRESS_AMOUNT_ENCODING:
        return _encode_address_amount(value)
    if len(value) != len(leaf_encoding):
        raise UnionValueError(f"{len(value)} values for {len(leaf_encoding)} types {list(leaf_encoding)}")
    try:
        return bytes(
            abi_encode(list(leaf_encoding), [_abi_ready(t, v) for t, v in zip(leaf_encoding, value, strict=True)])
        )
    except (TypeError, ValueError, OverflowError) as error:
        raise UnionValueError(f"cannot encode {value!r} as {list(leaf_encoding)}: {error}") from error


def _hash_encoded_leaf(encoded: bytes) -> bytes:
    """The standard leaf hash of already-encoded values: hashed twice against second-preimage attacks."""
    return keccak_256(keccak_256(encoded).digest()).digest()  # type: ignore[no-any-return]


def leaf_hash(leaf_encoding: Sequence[str], value: LeafValue) -> bytes:
    """The standard leaf hash: ``keccak256(keccak256(abi.encode(value…)))``."""
    return _hash_encoded_leaf(encode_leaf(leaf_encoding, value))


def node_hash(a: bytes, b: bytes) -> bytes:
    """The hash of two sibling nodes, concatenated in ascending order (as OZ ``MerkleProof`` expects)."""
    return keccak_256(a + b if a <= b else b + a).digest()  # type: ignore[no-any-return]


def process_proof(leaf: bytes, proof: Iterable[bytes | str]) -> bytes:
    """The root a proof leads to from a leaf hash."""
    node = leaf
    for sibling in proof:
        node = node_hash(node, _node_bytes(sibling))
    return node


# --- workers: top-level functions so a process pool can run them -------------------------------------------------
#
# Nodes cross between processes as blobs (32 bytes a node, back to back) and accounts as their raw 20 bytes: one
# copy each way, where a list of a million small objects costs a Python call per element to pickle and unpickle.


def _address_amount_leaves(accounts: Sequence[str], amounts: Sequence[int]) -> bytes:
    """The leaf hashes (back to back, in value order) of ``(address, uint256)`` leaves."""
    return _leaves(_encode_address_amounts(accounts, amounts))


def _raw_address_amount_leaves(raw_accounts: bytes, amounts: Sequence[int]) -> bytes:
    """:func:`_address_amount_leaves` of accounts given as 20 bytes each (what crosses to a worker fastest)."""
    return _leaves(_encode_raw_address_amounts(raw_accounts, amounts))


def _leaves(encoded: list[bytes]) -> bytes:
    """The leaf hashes of encoded values, back to back in value order."""
    return b"".join([keccak_256(keccak_256(item).digest()).digest() for item in encoded])


def _parents(children: bytes) -> bytes:
    """The parents of consecutive pairs of 32-byte nodes given back to back, back to back."""
    nodes = iter([children[start : start + 32] for start in range(0, len(children), 32)])
    return b"".join(
        [
            keccak_256(a + b).digest() if a <= b else keccak_256(b + a).digest()
            for a, b in zip(nodes, nodes, strict=True)
        ]
    )


# --- the tree -----------------------------------------------------------------------------------------------------


def _node_bytes(node: bytes | str) -> bytes:
    if isinstance(node, bytes) and len(node) == 32:
        return node
    if isinstance(node, str) and _HEX_NODE_RE.fullmatch(node.lower()):
        return bytes.fromhex(node[2:])
    raise UnionValueError(f"not a 32-byte Merkle node: {node!r}")


def _node_hex(node: bytes) -> NodeHex:
    return NodeHex(HexStr("0x" + node.hex()))


def _nodes_hex(nodes: bytes) -> list[NodeHex]:
    """Every node of a blob as OZ writes it (``0x`` and 64 lower-case hex digits)."""
    digits = nodes.hex()
    return [NodeHex(HexStr("0x" + digits[start : start + 64])) for start in range(0, len(digits), 64)]


def _nodes_from_hex(nodes: Sequence[object]) -> bytes:
    """The blob of nodes written as ``0x`` and 64 hex digits each (any letter case, as OZ's ``load`` accepts)."""
    texts = [node for node in nodes if isinstance(node, str) and len(node) == 66]
    if len(texts) != len(nodes):
        raise UnionValueError("every Merkle node must be 0x and 64 hex digits")
    rows = np.frombuffer("".join(texts).encode("ascii", "replace"), dtype=np.uint8).reshape(-1, 66)
    if not (bool((rows[:, 0] == ord("0")).all()) and bool((rows[:, 1] == ord("x")).all())):
        raise UnionValueError("every Merkle node must be 0x and 64 hex digits")
    try:
        return binascii.unhexlify(rows[:, 2:].tobytes())
    except binascii.Error:
        raise UnionValueError("every Merkle node must be 0x and 64 hex digits") from None


def _json_value(value: object) -> object:
    """A leaf value as a JSON dump carries it: integers as decimal strings, bytes as hex (as OZ users write them)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    raise UnionValueError(f"cannot put {value!r} in a tree dump")


def _internal_levels(size: int) -> list[tuple[int, int]]:
    """The ``[first, end)`` ranges of internal nodes per array level, deepest first, for a tree of ``size`` nodes."""
    leaves = (size + 1) // 2
    levels: list[tuple[int, int]] = []
    first = 0
    while first < leaves - 1:
        levels.append((first, min(2 * first + 1, leaves - 1)))
        first = 2 * first + 1
    return levels[::-1]


_LeafJob = tuple[Callable[..., bytes], tuple[Any, ...]]
"""A picklable call that returns the leaf hashes of a slice of the values, back to back."""


def _sorted_leaves(jobs: Sequence[_LeafJob], executor: Executor | None) -> tuple[bytes, array[int]]:
    """Run the leaf jobs (all but the last on the executor, the last here), which hash the values in order; return
    their leaves sorted (back to back) and each value's index in the node array.

    Leaves are sorted as bytes compare, which numpy does on the hashes' machine words; the sort is stable, so equal
    leaves (duplicate values) take consecutive places in value order, as in OZ's stable sort. Sorted place ``p`` is
    node ``2n - 2 - p``.
    """
    *remote, (local_call, local_args) = jobs
    if remote and executor is None:
        raise UnionValueError("parallel leaf jobs need an executor")
    pending: list[Future[bytes]] = [executor.submit(call, *args) for call, args in remote] if executor else []
    local = local_call(*local_args)
    leaves = b"".join([*(future.result() for future in pending), local])  # the workers' shares come first
    order = sort_records(leaves, 32).permutation
    count = len(order)
    places = np.empty(count, dtype=np.uint64)
    places[order] = np.arange(2 * count - 2, count - 2, -1, dtype=np.int64).astype(np.uint64)
    tree_indices = array("Q")
    tree_indices.frombytes(places.tobytes())
    return np.frombuffer(leaves, dtype=np.uint8).reshape(count, 32)[order].tobytes(), tree_indices


def _split(count: int, executor: Executor | None) -> list[tuple[int, int]]:
    """The value ranges to hash: the worker's first, then this process's; everything here without a worker.

    The worker takes a little less than half: its share crosses to it and back, this process's does not.
    """
    if executor is None or count < _PARALLEL_MIN:
        return [(0, count)]
    cut = count * _WORKER_SHARE // 100
    return [(0, cut), (cut, count)]


def _subtree_levels(size: int, root: int) -> list[tuple[int, int]]:
    """The ``[first, end)`` node ranges of the subtree under ``root``, level by level from its top, clipped."""
    ranges: list[tuple[int, int]] = []
    first, width = root, 1
    while first < size:
        ranges.append((first, min(first + width, size)))
        first, width = 2 * first + 1, 2 * width
    return ranges


def _subtree_leaves(nodes: bytes | bytearray, root: int) -> list[bytes]:
    """Per level of the subtree under ``root``, its leaf nodes in array order, as one blob per level."""
    size = len(nodes) // 32
    internal = (size - 1) // 2
    return [bytes(nodes[32 * max(first, internal) : 32 * end]) for first, end in _subtree_levels(size, root)]


def _subtree_internal_nodes(size: int, root: int, leaves_by_level: list[bytes]) -> list[bytes]:
    """The internal nodes of the subtree under ``root``, one blob per level from its top, hashed bottom-up.

    In each array level the internal nodes come first and the leaves after them, and the children of a level's
    internal nodes start at the next level's first index; so each level is the parents of a prefix of the level
    below. Runs in a worker process as one job: no round trip per level.
    """
    ranges = _subtree_levels(size, root)
    internal_count = (size - 1) // 2
    internal_by_level = [b""] * len(ranges)
    below = b""
    for depth in reversed(range(len(ranges))):
        first, end = ranges[depth]
        internal_end = max(first, min(end, internal_count))
        if internal_end > first:
            internal_by_level[depth] = _parents(below[: 64 * (internal_end - first)])
        below = internal_by_level[depth] + leaves_by_level[depth]
    return internal_by_level


def _build_nodes(leaves: bytes, executor: Executor | None) -> bytes:
    """The OZ node array of the leaves (given in order, back to back): internal nodes first, then the leaves reversed.

    With an executor, the root's right subtree is hashed in a worker while this process hashes the left one (never
    the smaller: a heap fills leftmost first, and the worker's share also crosses to it and back); then the root
    joins the two.
    """
    count = len(leaves) // 32
    size = 2 * count - 1
    nodes = bytearray(32 * (count - 1)) + np.frombuffer(leaves, dtype=np.uint8).reshape(count, 32)[::-1].tobytes()
    if executor is None or count < _PARALLEL_MIN:
        for first, end in _internal_levels(size):
            nodes[32 * first : 32 * end] = _parents(bytes(nodes[32 * (2 * first + 1) : 32 * (2 * end + 1)]))
        return bytes(nodes)
    right: Future[list[bytes]] = executor.submit(_subtree_internal_nodes, size, 2, _subtree_leaves(nodes, 2))
    left = _subtree_internal_nodes(size, 1, _subtree_leaves(nodes, 1))
    for root, levels in ((1, left), (2, right.result())):
        for (first, _end), internal in zip(_subtree_levels(size, root), levels, strict=True):
            nodes[32 * first : 32 * first + len(internal)] = internal
    nodes[:32] = node_hash(bytes(nodes[32:64]), bytes(nodes[64:96]))
    return bytes(nodes)


class _Pairs(Sequence[LeafValue]):
    """``zip(accounts, amounts)`` as a sequence, so a million-leaf tree keeps two lists instead of a million tuples."""

    __slots__ = ("accounts", "amounts")

    def __init__(self, accounts: Sequence[str], amounts: Sequence[int]) -> None:
        self.accounts = accounts
        self.amounts = amounts

    def __len__(self) -> int:
        return len(self.accounts)

    def __iter__(self) -> Iterator[LeafValue]:
        return zip(self.accounts, self.amounts, strict=True)

    @overload
    def __getitem__(self, index: int) -> LeafValue: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[LeafValue]: ...
    def __getitem__(self, index: int | slice) -> LeafValue | Sequence[LeafValue]:
        if isinstance(index, slice):
            return list(zip(self.accounts[index], self.amounts[index], strict=True))
        return (self.accounts[index], self.amounts[index])


class StandardMerkleTree:
    """OZ's ``StandardMerkleTree``: same tree, root, proofs and ``standard-v1`` dump.

    Build one with :meth:`of` (or :meth:`load` a dump). Values are kept as given; :meth:`dump` writes integers as
    decimal strings, the way JSON dumps made with OZ's library carry them.
    """

    __slots__ = ("_hash_lookup", "_leaf_encoding", "_nodes", "_tree_indices", "_values")

    def __init__(
        self,
        nodes: bytes,
        values: Sequence[LeafValue],
        tree_indices: Sequence[int],
        leaf_encoding: Sequence[str],
    ) -> None:
        """Wrap an already-built tree; use :meth:`of` or :meth:`load` instead.

        ``nodes`` is OZ's node array, 32 bytes a node, back to back (one object instead of two million);
        ``tree_indices`` gives each value's place in it.
        """
        self._nodes = nodes
        self._values = values
        self._tree_indices = tree_indices
        self._leaf_encoding: tuple[str, ...] = tuple(leaf_encoding)
        self._hash_lookup: dict[bytes, int] | None = None

    @property
    def _size(self) -> int:
        """The number of nodes."""
        return len(self._nodes) // 32

    def _node(self, index: int) -> bytes:
        """Node ``index`` of the array."""
        return self._nodes[32 * index : 32 * index + 32]

    def _value_leaves(self) -> bytes:
        """Every value's leaf hash, in value order, back to back (the fast path for the distributor's leaves)."""
        values = self._values
        if isinstance(values, _Pairs):
            return _address_amount_leaves(values.accounts, values.amounts)
        if self._leaf_encoding == ADDRESS_AMOUNT_ENCODING and all(len(value) == 2 for value in values):
            accounts = [value[0] for value in values]
            if all(type(account) is str for account in accounts):
                return _address_amount_leaves(accounts, [_uint_int(value[1]) for value in values])
        return b"".join([leaf_hash(self._leaf_encoding, value) for value in values])

    # construction

    @classmethod
    def of(
        cls,
        values: Sequence[LeafValue],
        leaf_encoding: Sequence[str],
        *,
        sort_leaves: bool = True,
        executor: Executor | None = None,
    ) -> StandardMerkleTree:
        """Build the tree of ``values`` (OZ ``StandardMerkleTree.of(values, leafEncoding, {sortLeaves})``).

        ``executor`` (a process pool owned by the caller) takes half of the hashing of large trees; the result is
        the same with or without it.
        """
        if not values:
            raise UnionValueError("a Merkle tree needs at least one leaf")
        encoding = tuple(leaf_encoding)
        encoded = [encode_leaf(encoding, value) for value in values]
        if not sort_leaves:
            last = 2 * len(encoded) - 2
            tree_indices = array("Q", range(last, last - len(encoded), -1))
            return cls(_build_nodes(_leaves(encoded), executor), list(values), tree_indices, encoding)
        jobs: list[_LeafJob] = [(_leaves, (encoded[first:end],)) for first, end in _split(len(encoded), executor)]
        del encoded
        leaves, tree_indices = _sorted_leaves(jobs, executor)
        return cls(_build_nodes(leaves, executor), list(values), tree_indices, encoding)

    @classmethod
    def of_address_amounts(
        cls, accounts: Sequence[str], amounts: Sequence[int], *, executor: Executor | None = None
    ) -> StandardMerkleTree:
        """The fast path for the distributor's ``(address, uint256)`` leaves: ``of(zip(accounts, amounts))``.

        ``accounts`` are ``0x`` hex addresses (any case) and ``amounts`` integers; the tree, its dump and its
        proofs are those :meth:`of` gives for ``[[account, amount], …]`` with ``ADDRESS_AMOUNT_ENCODING``.
        """
        if not accounts:
            raise UnionValueError("a Merkle tree needs at least one leaf")
        if len(accounts) != len(amounts):
            raise UnionValueError(f"{len(accounts)} accounts but {len(amounts)} amounts")
        *remote, (first, end) = _split(len(accounts), executor)
        jobs: list[_LeafJob] = [
            (_raw_address_amount_leaves, (address_bytes(accounts[low:high]), list(amounts[low:high])))
            for low, high in remote
        ]
        jobs.append((_address_amount_leaves, (accounts[first:end], amounts[first:end])))
        leaves, tree_indices = _sorted_leaves(jobs, executor)
        return cls(_build_nodes(leaves, executor), _Pairs(accounts, amounts), tree_indices, ADDRESS_AMOUNT_ENCODING)

    @classmethod
    def load(cls, dump: Mapping[str, Any], *, validate: bool = True) -> StandardMerkleTree:
        """Load a ``standard-v1`` dump written by OZ's library or by :meth:`dump`.

        With ``validate`` (the default, as OZ's ``load``) every node and every value's leaf is re-hashed; a
        process that reloads a dump it wrote itself may skip that.
        """
        if dump.get("format") != STANDARD_V1:
            raise UnionValueError(f"unknown Merkle tree format {dump.get('format')!r}")
        leaf_encoding = dump.get("leafEncoding")
        if not isinstance(leaf_encoding, list) or not all(isinstance(t, str) for t in leaf_encoding):
            raise UnionValueError("expected a leaf encoding (a list of ABI types)")
        raw_tree = dump.get("tree")
        raw_values = dump.get("values")
        if not isinstance(raw_tree, list) or not isinstance(raw_values, list):
            raise UnionValueError("a tree dump needs a list of nodes and a list of values")
        nodes = _nodes_from_hex(raw_tree)
        values: list[LeafValue] = []
        tree_indices: list[int] = []
        for entry in raw_values:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("value"), list):
                raise UnionValueError(f"malformed value entry {entry!r}")
            index = entry.get("treeIndex")
            if not isinstance(index, int) or isinstance(index, bool):
                raise UnionValueError(f"malformed tree index in {entry!r}")
            values.append(entry["value"])
            tree_indices.append(index)
        loaded = cls(nodes, values, tree_indices, leaf_encoding)
        if validate:
            loaded.validate()
        return loaded

    def validate(self) -> None:
        """Check the tree as OZ's ``load`` does: each value hashes to its leaf, each parent to its children."""
        nodes = self._nodes
        size = self._size
        if size == 0 or size % 2 == 0:
            raise UnionValueError(f"a Merkle tree has an odd, non-zero number of nodes, not {size}")
        leaves = (size + 1) // 2
        outside = [index for index, place in enumerate(self._tree_indices) if not leaves - 1 <= place < size]
        if outside:
            place = self._tree_indices[outside[0]]
            raise UnionValueError(f"value {outside[0]} points at {place}, which is not a leaf")
        places = np.asarray(self._tree_indices, dtype=np.int64)
        node_rows = np.frombuffer(nodes, dtype=np.uint8).reshape(size, 32)
        value_rows = np.frombuffer(self._value_leaves(), dtype=np.uint8).reshape(-1, 32)
        wrong = np.flatnonzero((node_rows[places] != value_rows).any(axis=1))
        if len(wrong):
            raise UnionValueError(f"value {int(wrong[0])} does not hash to its leaf")
        for first, end in _internal_levels(size):
            if nodes[32 * first : 32 * end] != _parents(nodes[32 * (2 * first + 1) : 32 * (2 * end + 1)]):
                raise UnionValueError("the Merkle tree is invalid: a node is not the hash of its children")

    def dump(self) -> dict[str, Any]:
        """The ``standard-v1`` dump, as OZ's ``tree.dump()`` (JSON-ready)."""
        return {
            "format": STANDARD_V1,
            "leafEncoding": list(self._leaf_encoding),
            "tree": _nodes_hex(self._nodes),
            "values": [
                {"treeIndex": tree_index, "value": value}
                for value, tree_index in zip(self._json_values(), self._tree_indices, strict=True)
            ],
        }

    def _json_values(self) -> list[Any]:
        values = self._values
        if isinstance(values, _Pairs):
            return [[account, str(amount)] for account, amount in zip(values.accounts, values.amounts, strict=True)]
        return [_json_value(value) for value in values]

    # reading

    @property
    def root(self) -> NodeHex:
        """The root, ``0x``-prefixed hex."""
        return _node_hex(self.root_bytes)

    @property
    def root_bytes(self) -> bytes:
        """The root as 32 bytes."""
        return self._node(0)

    @property
    def leaf_encoding(self) -> tuple[str, ...]:
        """The ABI types of a leaf's values."""
        return self._leaf_encoding

    @property
    def values(self) -> list[LeafValue]:
        """The values in the order they were given (the ``values`` order of the dump)."""
        return list(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def at(self, index: int) -> LeafValue:
        """The value at ``index`` in input order."""
        return self._values[index]

    def tree_index(self, index: int) -> int:
        """Where value ``index`` sits in the node array."""
        return self._tree_indices[index]

    def leaf_lookup(self, value: LeafValue) -> int:
        """The index of a value given by content (OZ ``leafLookup``)."""
        if self._hash_lookup is None:
            self._hash_lookup = {self._node(ti): vi for vi, ti in enumerate(self._tree_indices)}
        found = self._hash_lookup.get(leaf_hash(self._leaf_encoding, value))
        if found is None:
            raise UnionValueError(f"leaf is not in tree: {value!r}")
        return found

    def get_proof(self, leaf: int | LeafValue) -> list[NodeHex]:
        """The sibling hashes from the leaf to the root, given the value's index or the value itself."""
        value_index = leaf if isinstance(leaf, int) else self.leaf_lookup(leaf)
        if not 0 <= value_index < len(self._values):
            raise UnionValueError(f"index {value_index} out of bounds")
        node = self._tree_indices[value_index]
        proof: list[NodeHex] = []
        while node > 0:
            proof.append(_node_hex(self._node(node - 1 if node % 2 == 0 else node + 1)))
            node = (node - 1) // 2
        return proof

    def verify(self, leaf: int | LeafValue, proof: Sequence[bytes | str]) -> bool:
        """Whether ``proof`` proves ``leaf`` (an index or a value) against this tree's root."""
        value = self._values[leaf] if isinstance(leaf, int) else leaf
        return process_proof(leaf_hash(self._leaf_encoding, value), proof) == self.root_bytes

    @staticmethod
    def verify_proof(
        root: bytes | str, leaf_encoding: Sequence[str], leaf: LeafValue, proof: Sequence[bytes | str]
    ) -> bool:
        """OZ's static ``StandardMerkleTree.verify(root, leafEncoding, leaf, proof)``."""
        return process_proof(leaf_hash(leaf_encoding, leaf), proof) == _node_bytes(root)
