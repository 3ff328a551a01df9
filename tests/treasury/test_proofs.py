"""Claim arguments served from a stored plan verify against its root."""

from __future__ import annotations

import json

import pytest

from tests.treasury.builders import History, addr, start
from treasury.merkle import ADDRESS_AMOUNT_ENCODING, StandardMerkleTree
from treasury.plan import Plan
from treasury.proofs import ProofIndex
from union.errors import UnionValueError

MEMBERS = [addr(0x1000 + n) for n in range(40)]


def stored_plan() -> Plan:
    history = History()
    history.policy(start(1) - 50, floor=1_000)
    for number, member in enumerate(MEMBERS):
        history.entry(1, member, number + 1)
    history.revenue(1, 10**20 + 3)
    return Plan.from_inputs(history.inputs(0, 1))


def test_claim_arguments_verify_against_the_plan_root_for_every_member() -> None:
    plan = stored_plan()
    index = ProofIndex.from_json(plan.canonical_bytes())
    assert len(index) == len(MEMBERS)
    for member in MEMBERS:
        claim = index.claim(member)
        assert claim.account == member
        assert claim.cumulative_amount == plan.new_cumulative[member]
        assert StandardMerkleTree.verify_proof(
            plan.root, ADDRESS_AMOUNT_ENCODING, [member, claim.cumulative_amount], claim.proof
        )


def test_proof_index_matches_the_trees_own_proofs_and_ignores_letter_case() -> None:
    plan = stored_plan()
    tree = plan.merkle_tree()
    assert tree is not None
    index = ProofIndex.from_plan(plan)
    member = MEMBERS[7]
    value_index = next(i for i, value in enumerate(tree.values) if value[0] == member)
    assert list(index.claim(member.lower()).proof) == tree.get_proof(value_index)
    assert member.upper().replace("0X", "0x") in index


def test_an_account_without_allocation_has_no_claim() -> None:
    index = ProofIndex.from_plan(stored_plan())
    with pytest.raises(UnionValueError, match="no allocation"):
        index.claim(addr(0xDEAD))


def test_a_plan_whose_tree_does_not_match_its_root_is_refused() -> None:
    plan = stored_plan()
    forged = plan.model_copy(update={"root": "0x" + "cd" * 32})
    with pytest.raises(UnionValueError, match="root"):
        ProofIndex.from_plan(forged)


def test_an_unvalidated_index_refuses_amounts_a_parser_turned_into_floats() -> None:
    document = json.loads(stored_plan().canonical_bytes())
    document["tree"]["values"][0]["value"][1] = 10**30  # a JSON number: orjson reads it as a float
    with pytest.raises(UnionValueError, match="decimal strings"):
        ProofIndex.from_json(json.dumps(document), validate=False)
