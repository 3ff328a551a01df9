"""Plan hashes pinned to their bytes: members vote on these hashes, so no refactoring may move a single byte.

The hashes below were computed before the plan document's build and serialization were optimised; any change to
them is a change to the plan format and needs a new ``PLAN_SCHEMA_VERSION``, not a new pin.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from eth_typing import ChecksumAddress

from tests.treasury.builders import RESEARCH, TRAINING, History, addr, start
from treasury._keccak import keccak256
from treasury.inputs import PlanInputs, checksum_address
from treasury.plan import Plan
from treasury.proofs import ProofIndex

MID_SIZE_PLAN_HASH = "0xa7d625e376272f09feae13d8ae87ef9acaf7298ddac6d3ec0bdf9c22a2dd6fce"
MID_SIZE_PLAN_BYTES = 1_710_342
EMPTY_PLAN_HASH = "0x4a12d9608ef4f1d9a76a0e3b24834c88007d9c97f9a91c469cbd7a3bf91f2feb"


def mid_size_inputs() -> PlanInputs:
    """Epochs 2-4 of 3,000 mixed-case members: all purposes, consent, revocations, cap, floor, carries, releases."""
    rng = random.Random(20260101)
    members: list[ChecksumAddress] = [checksum_address("0x" + rng.randbytes(20).hex()) for _ in range(3_000)]
    operations_account = members[7]  # also a member: one leaf summing both
    history = History()
    history.policy(start(1) - 50, reserve=700, operations=300, floor=1_500, cap=6, account=operations_account)
    history.policy(start(4) + 5, reserve=0, operations=0, floor=0, cap=0)
    for epoch in (1, 2, 3, 4):
        for member in rng.sample(members, 2_000):
            entry = history.entry(epoch, member, rng.randint(1, 10**6))
            if rng.random() < 0.02:
                history.revoke(entry)
    for member in rng.sample(members, 900):
        history.consent(member, RESEARCH, True, start(1) - 10)
    for member in rng.sample(members, 300):
        history.consent(member, RESEARCH, False, start(3) - 1)
    history.revenue(1, 7 * 10**18)  # in the epoch the previous plan funded: not in this one
    history.revenue(2, 12_345 * 10**18 + 6_789)
    history.revenue(2, 10**21 + 1, RESEARCH)
    history.revenue(3, 3 * 10**20 + 17, RESEARCH)
    history.revenue(3, 10**19 + 3, TRAINING)  # nobody consented: all of it becomes the carry
    history.revenue(4, 999_999_999_999_999_999)
    history.release(TRAINING, 10**18, start(4) + 20)
    previous = {member: rng.randint(1, 10**20) for member in rng.sample(members, 500)}
    previous[addr(0xDEAD)] = 42  # an account that left: it keeps its leaf
    return history.inputs(1, 4, previous_cumulative=previous, previous_carries={TRAINING: 5 * 10**18})


def test_a_mid_size_plan_keeps_its_pinned_hash_and_bytes() -> None:
    plan = Plan.from_inputs(mid_size_inputs())
    raw = plan.canonical_bytes()
    assert (plan.plan_hash, len(raw)) == (MID_SIZE_PLAN_HASH, MID_SIZE_PLAN_BYTES)
    assert "0x" + keccak256(raw).hex() == MID_SIZE_PLAN_HASH


def test_the_pinned_plan_reads_back_and_shares_hashing_to_the_same_hash() -> None:
    inputs = mid_size_inputs()
    with ThreadPoolExecutor(max_workers=1) as executor:
        shared = Plan.from_inputs(inputs, executor=executor)
    assert shared.plan_hash == MID_SIZE_PLAN_HASH
    assert Plan.from_json(shared.canonical_bytes()).plan_hash == MID_SIZE_PLAN_HASH
    index = ProofIndex.from_json(shared.canonical_bytes(), validate=True)
    assert len(index) == len(shared.new_cumulative)


def test_a_plan_with_nothing_allocated_keeps_its_pinned_hash() -> None:
    history = History()
    history.policy(start(1) - 50)
    assert Plan.from_inputs(history.inputs(0, 1)).plan_hash == EMPTY_PLAN_HASH


def test_the_computed_plan_equals_the_plan_validated_from_its_document() -> None:
    plan = Plan.from_inputs(mid_size_inputs())
    read = Plan.from_json(plan.canonical_bytes())
    assert read.canonical_bytes() == plan.canonical_bytes()
    assert read == plan
    assert list(read.new_cumulative) == list(plan.new_cumulative)
    assert [list(purpose.allocations) for epoch in read.epochs for purpose in epoch.purposes] == [
        list(purpose.allocations) for epoch in plan.epochs for purpose in epoch.purposes
    ]
