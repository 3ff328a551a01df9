"""Properties of the planner over random chain histories (Hypothesis)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

from eth_typing import ChecksumAddress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.treasury.builders import RESEARCH, SCHEDULE, TRAINING, History, addr, start
from treasury.allocation import RangeAllocation, allocate, relevant_events
from treasury.inputs import GENERAL_PURPOSE, PlanInputs, PurposeId
from treasury.merkle import StandardMerkleTree
from treasury.plan import Plan, canonical_json

MEMBERS = [addr(n) for n in (0x1, 0x2, 0xA0, 0xB0, 0xFF00, 0xABCDEF)]
PURPOSES = [GENERAL_PURPOSE, RESEARCH, TRAINING]
LAST_EPOCH = 3
END = SCHEDULE.end(LAST_EPOCH)
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def histories(draw: st.DrawFn) -> History:
    history = History()
    bps = st.integers(0, 10_000)
    for index in range(draw(st.integers(1, 3))):
        at = start(1) - 50 if index == 0 else draw(st.integers(start(1) - 50, END - 1))
        reserve = draw(st.integers(0, 6_000))
        operations = draw(st.integers(0, 10_000 - reserve))
        ops_account = draw(st.sampled_from([*MEMBERS[:2], addr(0x0F)]))
        history.policy(
            at,
            reserve=reserve,
            operations=operations,
            floor=draw(bps),
            cap=draw(st.sampled_from([0, 0, 1, 2_500, 4_000, draw(bps)])),
            account=ops_account if operations else None,
        )
    for _ in range(draw(st.integers(0, 12))):
        entry = history.entry(
            draw(st.integers(1, LAST_EPOCH)), draw(st.sampled_from(MEMBERS)), draw(st.integers(1, 10**6))
        )
        if draw(st.integers(0, 4)) == 0:
            history.revoke(entry, epoch=draw(st.sampled_from([entry.epoch, entry.epoch % LAST_EPOCH + 1])))
    for _ in range(draw(st.integers(0, 6))):
        history.revenue(draw(st.integers(1, LAST_EPOCH)), draw(st.integers(1, 10**22)), draw(st.sampled_from(PURPOSES)))
    for _ in range(draw(st.integers(0, 8))):
        history.consent(
            draw(st.sampled_from(MEMBERS)),
            draw(st.sampled_from(PURPOSES[1:])),
            draw(st.booleans()),
            draw(st.integers(start(1) - 50, END - 1)),
        )
    for _ in range(draw(st.integers(0, 2))):
        history.release(
            draw(st.sampled_from(PURPOSES[1:])), draw(st.integers(0, 10**21)), draw(st.integers(start(1), END - 1))
        )
    return history


carries_strategy = st.dictionaries(st.sampled_from(PURPOSES), st.integers(1, 10**21), max_size=2)


def eligible_members(history: History, epoch: int, purpose: PurposeId) -> set[ChecksumAddress]:
    """DESIGN §2 eligibility recomputed the naive way: units after matching revocations, consent before start."""
    revoked = {(r.epoch, r.entry_id) for r in history.revocations}
    with_units = {e.member for e in history.contributions if e.epoch == epoch and (e.epoch, e.entry_id) not in revoked}
    if purpose == GENERAL_PURPOSE:
        return with_units
    consent: dict[ChecksumAddress, bool] = {}
    for change in sorted(history.consent_changes, key=lambda c: (c.timestamp, c.event)):
        if change.purpose == purpose and change.timestamp < start(epoch):
            consent[change.member] = change.granted
    return {member for member in with_units if consent.get(member, False)}


def check_conservation(inputs: PlanInputs, result: RangeAllocation) -> None:
    released_total = 0
    for epoch in result.epochs:
        for outcome in epoch.purposes:
            assert outcome.gross + outcome.carry_before == (
                outcome.released.total
                + outcome.reserve_freed
                + outcome.operations_paid
                + sum(outcome.shares)
                + outcome.cap_released
                + outcome.carry_out
            )
            assert outcome.distributable == sum(outcome.shares) + outcome.cap_released + outcome.carry_out
            assert outcome.released.carry <= outcome.carry_before
            assert outcome.released.reserve <= outcome.reserve
            assert outcome.released.operations <= outcome.operations
            released_total += outcome.released.total
    gross_total = sum(r.amount for r in inputs.revenues if 1 <= SCHEDULE.epoch_at(r.timestamp) <= inputs.through_epoch)
    carried_in = sum(inputs.previous_carries.values())
    assert gross_total + carried_in - released_total == (
        result.amount + result.reserve_released + sum(result.carries.values())
    )
    # Every release of the window (and what was owed before) is honoured, or owed to the next plan.
    window = relevant_events(inputs).earmark_releases
    assert released_total + sum(result.releases_owed.values()) == (
        sum(r.amount for r in window) + sum(inputs.previous_releases_owed.values())
    )
    assert sum(f.amount for f in result.purposes.values()) == result.amount
    assert sum(f.reserve_released for f in result.purposes.values()) == result.reserve_released


@PROPERTY_SETTINGS
@given(history=histories(), carries=carries_strategy)
def test_allocations_reserve_and_carries_sum_exactly_to_the_revenue(
    history: History, carries: dict[PurposeId, int]
) -> None:
    inputs = history.inputs(0, LAST_EPOCH, previous_carries=carries)
    check_conservation(inputs, allocate(inputs))


@PROPERTY_SETTINGS
@given(history=histories())
def test_nobody_without_units_or_consent_gets_a_share_of_that_purpose(history: History) -> None:
    result = allocate(history.inputs(0, LAST_EPOCH))
    ops_accounts = set()
    for epoch in result.epochs:
        for outcome in epoch.purposes:
            assert set(outcome.allocations) <= eligible_members(history, epoch.epoch, outcome.purpose)
            if outcome.members:
                assert set(outcome.members) == eligible_members(history, epoch.epoch, outcome.purpose)
            if outcome.operations:
                ops_accounts.add(outcome.operations_account)
    anyone_eligible = {
        member for e in range(1, LAST_EPOCH + 1) for p in PURPOSES for member in eligible_members(history, e, p)
    }
    assert set(result.allocations) <= anyone_eligible | ops_accounts


@PROPERTY_SETTINGS
@given(history=histories())
def test_floor_reaches_everyone_and_nobody_exceeds_the_cap(history: History) -> None:
    result = allocate(history.inputs(0, LAST_EPOCH))
    for epoch in result.epochs:
        policy = epoch.policy.policy
        for outcome in epoch.purposes:
            if not outcome.members:
                continue
            cap = outcome.distributable * policy.cap_bps // 10_000 if policy.cap_bps else None
            equal_share = outcome.floor // len(outcome.members)
            for share in outcome.shares:
                assert share >= (equal_share if cap is None else min(equal_share, cap))
                assert cap is None or share <= cap
            if outcome.cap_released:
                assert cap is not None
                assert all(share == cap for share in outcome.shares)


@PROPERTY_SETTINGS
@given(history=histories(), previous=st.dictionaries(st.sampled_from(MEMBERS), st.integers(1, 10**20), max_size=4))
def test_one_leaf_per_account_and_cumulative_amounts_never_decrease(
    history: History, previous: dict[ChecksumAddress, int]
) -> None:
    plan = Plan.from_inputs(history.inputs(1, LAST_EPOCH, previous_cumulative=previous))
    assert plan.decreased_accounts() == {}
    assert all(plan.new_cumulative[account] >= amount for account, amount in previous.items())
    tree = plan.merkle_tree()
    if tree is None:
        assert plan.new_cumulative == {}
        return
    accounts = [value[0] for value in tree.values]
    assert len(accounts) == len(set(accounts))
    assert {value[0]: int(value[1]) for value in tree.values} == plan.new_cumulative
    assert sum(plan.new_cumulative.values()) == sum(previous.values()) + plan.totals.amount


@PROPERTY_SETTINGS
@given(history=histories(), seed=st.integers(0, 2**32))
def test_shuffled_inputs_give_the_same_plan_bytes(history: History, seed: int) -> None:
    inputs = history.inputs(0, LAST_EPOCH)
    rng = random.Random(seed)

    def shuffled(items: list[Any]) -> list[Any]:
        return rng.sample(items, len(items))

    reordered = replace(
        inputs,
        contributions=shuffled(list(inputs.contributions)),
        revocations=shuffled(list(inputs.revocations)),
        revenues=shuffled(list(inputs.revenues)),
        consent_changes=shuffled(list(inputs.consent_changes)),
        policy_changes=shuffled(list(inputs.policy_changes)),
        earmark_releases=shuffled(list(inputs.earmark_releases)),
    )
    first, second = Plan.from_inputs(inputs), Plan.from_inputs(reordered)
    assert first.canonical_bytes() == second.canonical_bytes()
    assert first.canonical_bytes() == canonical_json(json.loads(first.canonical_bytes()))
    assert first.plan_hash == second.plan_hash


@PROPERTY_SETTINGS
@given(history=histories(), split=st.integers(1, LAST_EPOCH - 1))
def test_a_range_planned_in_two_steps_equals_one_plan_over_it(history: History, split: int) -> None:
    # Without releases: where a release is taken from depends on what was funded when it executed (DESIGN §8).
    history = replace(history, earmark_releases=[])
    whole = Plan.from_inputs(history.inputs(0, LAST_EPOCH))
    first = Plan.from_inputs(history.inputs(0, split))
    second = Plan.from_inputs(
        history.inputs(
            split,
            LAST_EPOCH,
            previous_cumulative=first.new_cumulative,
            previous_carries=first.totals.carries,
        )
    )
    assert second.new_cumulative == whole.new_cumulative
    assert second.root == whole.root
    assert first.totals.amount + second.totals.amount == whole.totals.amount
    assert first.totals.reserve_released + second.totals.reserve_released == whole.totals.reserve_released
    assert second.totals.carries == whole.totals.carries


@PROPERTY_SETTINGS
@given(history=histories(), split=st.integers(1, LAST_EPOCH - 1))
def test_two_steps_take_from_each_purpose_what_it_booked_less_releases_and_carries(
    history: History, split: int
) -> None:
    first = allocate(history.inputs(0, split))
    second = allocate(
        history.inputs(
            split,
            LAST_EPOCH,
            previous_cumulative=first.allocations,
            previous_carries=first.carries,
            previous_releases_owed=first.releases_owed,
        )
    )
    for purpose in PURPOSES:
        booked = sum(r.amount for r in history.revenues if r.purpose == purpose)
        released = sum(r.amount for r in history.earmark_releases if r.purpose == purpose)
        taken = sum(step.purposes[purpose].taken for step in (first, second) if purpose in step.purposes)
        carried, owed = second.carries.get(purpose, 0), second.releases_owed.get(purpose, 0)
        assert taken + released - owed + carried == booked


@PROPERTY_SETTINGS
@given(history=histories())
def test_every_account_can_prove_its_cumulative_amount(history: History) -> None:
    plan = Plan.from_inputs(history.inputs(0, LAST_EPOCH))
    tree = plan.merkle_tree()
    for index in range(len(tree) if tree else 0):
        assert tree is not None
        assert StandardMerkleTree.verify_proof(plan.root, tree.leaf_encoding, tree.at(index), tree.get_proof(index))
