"""Our StandardMerkleTree is OpenZeppelin's: checked against the real @openzeppelin/merkle-tree under node."""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode as abi_encode
from hypothesis import given
from hypothesis import strategies as st

from treasury._keccak import keccak256
from treasury.merkle import (
    ADDRESS_AMOUNT_ENCODING,
    StandardMerkleTree,
    encode_leaf,
    leaf_hash,
)
from union.errors import UnionValueError

REPO = Path(__file__).resolve().parents[2]
OZ_HELPER = REPO / "tests" / "helpers" / "oz_merkle.mjs"
ENCODING = list(ADDRESS_AMOUNT_ENCODING)


def run_oz(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run jobs through OpenZeppelin's library (one node process for all of them)."""
    completed = subprocess.run(
        ["node", str(OZ_HELPER)], input=json.dumps(jobs), capture_output=True, text=True, check=True, cwd=REPO
    )
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results


def random_values(count: int, rng: random.Random) -> list[list[str]]:
    """Account/amount leaves as a JSON dump carries them, with a few duplicates and zero amounts mixed in."""
    values = [
        ["0x" + rng.randbytes(20).hex(), str(rng.choice([0, 1, rng.getrandbits(64), rng.getrandbits(256)]))]
        for _ in range(count)
    ]
    if count > 3:
        values[-1] = list(values[0])  # a duplicate leaf: OZ keeps both, in input order
    return values


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    """A one-worker process pool, as the planner's entry points pass in."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as executor:
        yield executor


SIZES = [1, 2, 3, 4, 7, 33, 5000]


def test_of_matchesOpenZeppelin_rootProofsAndDump_forRandomTreesOf1To5000Leaves() -> None:
    rng = random.Random(20261122)
    cases = [random_values(size, rng) for size in SIZES]
    results = run_oz([{"op": "of", "values": values, "leafEncoding": ENCODING} for values in cases])
    for values, oz in zip(cases, results, strict=True):
        ours = StandardMerkleTree.of(values, ENCODING)
        assert ours.root == oz["root"]
        assert ours.dump() == oz["dump"]
        assert [ours.get_proof(index) for index in range(len(values))] == oz["proofs"]


def test_each_library_loads_the_others_dump() -> None:
    rng = random.Random(7)
    cases = [random_values(size, rng) for size in (1, 2, 3, 5000)]
    ours = [StandardMerkleTree.of(values, ENCODING) for values in cases]
    oz_built = run_oz([{"op": "of", "values": values, "leafEncoding": ENCODING} for values in cases])
    oz_loaded = run_oz([{"op": "load", "dump": tree.dump()} for tree in ours])
    for tree, built, loaded in zip(ours, oz_built, oz_loaded, strict=True):
        assert loaded["root"] == tree.root
        assert loaded["proofs"] == [tree.get_proof(i) for i in range(len(tree))]
        reloaded = StandardMerkleTree.load(built["dump"])
        assert reloaded.root == built["root"]
        assert reloaded.dump() == built["dump"]


def test_of_matchesOpenZeppelin_forOtherLeafEncodings() -> None:
    encoding = ["uint256", "bytes32", "bool", "string", "address[]"]
    values = [
        ["5", "0x" + "11" * 32, True, "purpose", ["0x" + "22" * 20]],
        ["0x10", "0x" + "33" * 32, False, "", []],
        ["340282366920938463463374607431768211456", "0x" + "00" * 32, True, "é", ["0x" + "44" * 20] * 3],
    ]
    (oz,) = run_oz([{"op": "of", "values": values, "leafEncoding": encoding}])
    ours = StandardMerkleTree.of(values, encoding)
    assert ours.root == oz["root"]
    assert ours.dump() == oz["dump"]
    assert StandardMerkleTree.load(oz["dump"]).get_proof(values[1]) == oz["proofs"][1]


def test_of_with_unsorted_leaves_keeps_input_order_like_openzeppelin() -> None:
    values = random_values(9, random.Random(3))
    tree = StandardMerkleTree.of(values, ENCODING, sort_leaves=False)
    reloaded = StandardMerkleTree.load(tree.dump())
    assert reloaded.root == tree.root
    assert [tree.tree_index(i) for i in range(9)] == [16 - i for i in range(9)]
    assert all(tree.verify(i, tree.get_proof(i)) for i in range(9))


@given(
    address=st.binary(min_size=20, max_size=20),
    amount=st.integers(min_value=0, max_value=2**256 - 1),
    upper=st.booleans(),
)
def test_encode_leaf_fastPathForAddressAmount_equalsEthAbi(address: bytes, amount: int, upper: bool) -> None:
    text = "0x" + (address.hex().upper() if upper else address.hex())
    expected = abi_encode(["address", "uint256"], ["0x" + address.hex(), amount])
    assert encode_leaf(ENCODING, [text, amount]) == expected
    assert encode_leaf(ENCODING, [text, str(amount)]) == expected


def test_of_address_amounts_builds_the_same_tree_as_of() -> None:
    rng = random.Random(11)
    values = [("0x" + rng.randbytes(20).hex(), rng.getrandbits(100)) for _ in range(300)]
    fast = StandardMerkleTree.of_address_amounts([v[0] for v in values], [v[1] for v in values])
    assert fast.dump() == StandardMerkleTree.of(values, ENCODING).dump()


def test_parallel_build_with_a_process_pool_gives_the_same_tree(pool: ProcessPoolExecutor) -> None:
    rng = random.Random(5)
    accounts = ["0x" + rng.randbytes(20).hex() for _ in range(40_000)]
    amounts = [rng.getrandbits(90) for _ in accounts]
    alone = StandardMerkleTree.of_address_amounts(accounts, amounts)
    shared = StandardMerkleTree.of_address_amounts(accounts, amounts, executor=pool)
    assert shared.root == alone.root
    assert shared.get_proof(12_345) == alone.get_proof(12_345)
    assert shared.tree_index(39_999) == alone.tree_index(39_999)


@pytest.mark.parametrize("count", [16_384, 24_577, 32_769])
def test_split_build_matches_the_sequential_one_at_level_boundaries(count: int) -> None:
    rng = random.Random(count)
    accounts = ["0x" + rng.randbytes(20).hex() for _ in range(count)]
    amounts = [rng.getrandbits(64) for _ in accounts]
    with ThreadPoolExecutor(max_workers=1) as threads:
        split = StandardMerkleTree.of_address_amounts(accounts, amounts, executor=threads)
    alone = StandardMerkleTree.of_address_amounts(accounts, amounts)
    assert split.dump() == alone.dump()


def test_proofs_verify_by_index_value_and_static_root() -> None:
    values = random_values(50, random.Random(9))
    tree = StandardMerkleTree.of(values, ENCODING)
    assert tree.leaf_lookup(values[0]) == 49  # a duplicate leaf resolves to its last copy, as in OZ's hashLookup
    for index in (5, 17, 48):
        proof = tree.get_proof(values[index])
        assert proof == tree.get_proof(index)
        assert tree.verify(index, proof)
        assert StandardMerkleTree.verify_proof(tree.root, ENCODING, values[index], proof)
        assert not StandardMerkleTree.verify_proof(tree.root, ENCODING, [values[index][0], "12345"], proof)


def test_get_proof_refuses_a_value_not_in_the_tree() -> None:
    tree = StandardMerkleTree.of(random_values(5, random.Random(1)), ENCODING)
    with pytest.raises(UnionValueError, match="not in tree"):
        tree.get_proof(["0x" + "00" * 20, "1"])


def test_load_refuses_a_tampered_dump() -> None:
    tree = StandardMerkleTree.of(random_values(6, random.Random(2)), ENCODING)
    tampered_value = tree.dump()
    tampered_value["values"][2]["value"][1] = "999"
    with pytest.raises(UnionValueError, match="does not hash to its leaf"):
        StandardMerkleTree.load(tampered_value)
    tampered_node = tree.dump()
    tampered_node["tree"][1] = "0x" + "ab" * 32
    with pytest.raises(UnionValueError, match="invalid"):
        StandardMerkleTree.load(tampered_node)
    with pytest.raises(UnionValueError, match="unknown Merkle tree format"):
        StandardMerkleTree.load({**tree.dump(), "format": "simple-v1"})


@pytest.mark.parametrize(
    "bad_node",
    ["0x" + "ab" * 31, "0X" + "ab" * 32, "0x" + "zz" * 32, "ab" * 33, 12345, "0x" + "é" * 64],
)
def test_load_refuses_a_malformed_node(bad_node: object) -> None:
    dump = StandardMerkleTree.of(random_values(4, random.Random(3)), ENCODING).dump()
    dump["tree"][2] = bad_node
    with pytest.raises(UnionValueError, match="Merkle node"):
        StandardMerkleTree.load(dump)


@pytest.mark.parametrize("place", [0, 2**64, -1])
def test_load_refuses_a_value_that_points_at_no_leaf(place: int) -> None:
    dump = StandardMerkleTree.of(random_values(4, random.Random(3)), ENCODING).dump()
    dump["values"][1]["treeIndex"] = place
    with pytest.raises(UnionValueError, match="value 1 points at"):
        StandardMerkleTree.load(dump)


def test_load_accepts_nodes_in_upper_case_hex() -> None:
    tree = StandardMerkleTree.of(random_values(4, random.Random(3)), ENCODING)
    dump = tree.dump()
    dump["tree"] = ["0x" + node[2:].upper() for node in dump["tree"]]
    assert StandardMerkleTree.load(dump).root == tree.root


@pytest.mark.parametrize(
    ("account", "amount"),
    [("0x" + "ab" * 19 + "  ", 1), ("0x" + "zz" * 20, 1), ("0x" + "ab" * 20, -1), ("0x" + "ab" * 20, 2**256)],
)
def test_of_address_amounts_refuses_malformed_leaves(account: str, amount: int) -> None:
    with pytest.raises(UnionValueError):
        StandardMerkleTree.of_address_amounts(["0x" + "01" * 20, account], [5, amount])


def test_a_tree_needs_at_least_one_leaf() -> None:
    with pytest.raises(UnionValueError, match="at least one leaf"):
        StandardMerkleTree.of([], ENCODING)


def test_leaf_hash_is_double_keccak_of_the_abi_encoding() -> None:
    value = ["0x" + "12" * 20, 10**18]
    assert leaf_hash(ENCODING, value) == keccak256(keccak256(abi_encode(ENCODING, value)))
