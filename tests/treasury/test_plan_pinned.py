"""Plan hashes pinned to their bytes: members vote on these hashes, so no refactoring may move a single byte.

The hashes below were computed before the plan document's build and serialization were optimised; any change to
them is a change to the plan format and needs a new ``PLAN_SCHEMA_VERSION``, not a new pin. They were re-pinned once,
for schema 2 / ``union-dividends/2`` (DESIGN §8 "Earmark per purpose": ``released`` replaces ``carryReleased``, and
``totals.purposes``, ``totals.releasesOwed`` and ``inputs.previousReleasesOwed`` were added); the mid-size plan's
root, amounts and carries stayed exactly those of schema 1 (its one release is within its purpose's carry).
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

MID_SIZE_PLAN_HASH = "0x5f16c2d5a1cfb6695e869063d581081b6baa2f86d9c3a93a0008d4a6a999c086"
MID_SIZE_PLAN_BYTES = 1_711_225
MID_SIZE_PLAN_ROOT = "0xbe251b77b698392c46d857ac657956f31cd75931ce34d7a51f9afd4401a2f545"  # unchanged since schema 1
EMPTY_PLAN_HASH = "0x9e9590c2d0ba8d00020f819fad6cd10474f2654e25964b97c39670b456617d1c"


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
    assert (plan.plan_hash, len(raw), plan.root) == (MID_SIZE_PLAN_HASH, MID_SIZE_PLAN_BYTES, MID_SIZE_PLAN_ROOT)
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
