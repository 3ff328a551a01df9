"""Hand-computed allocations for the tricky corners of DESIGN §2 "Policy"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.treasury.builders import OPS, RESEARCH, TRAINING, History, addr, start
from treasury.allocation import PurposeFunding, Released, allocate, split_equally, split_pro_rata
from treasury.inputs import GENERAL_PURPOSE
from union.errors import UnionValueError

A, B, C = addr(0xA), addr(0xB), addr(0xC)


def test_split_pro_rata_gives_leftover_wei_to_largest_remainders() -> None:
    # 850·1/3 = 283 r 1, 850·2/3 = 566 r 2: the one leftover wei goes to the remainder 2.
    assert split_pro_rata(850, [1, 2]) == [283, 567]


def test_split_pro_rata_breaks_remainder_ties_by_position() -> None:
    # 10/3 = 3 r 1 each: the leftover wei goes to the first (lowest address) position.
    assert split_pro_rata(10, [1, 1, 1]) == [4, 3, 3]
    assert split_pro_rata(11, [1, 1, 1]) == [4, 4, 3]
    assert split_equally(11, 3) == [4, 4, 3]


def test_split_pro_rata_refuses_weights_summing_to_zero() -> None:
    with pytest.raises(UnionValueError):
        split_pro_rata(10, [0, 0])


def test_reserve_and_operations_come_off_the_gross_before_the_split() -> None:
    history = History()
    history.policy(start(1) - 50, reserve=1_000, operations=500)
    history.entry(1, A, 1)
    history.entry(1, B, 2)
    history.revenue(1, 1_000)
    result = allocate(history.inputs(0, 1))
    (outcome,) = result.epochs[0].purposes
    assert (outcome.reserve, outcome.operations, outcome.distributable) == (100, 50, 850)
    assert result.allocations == {A: 283, B: 567, OPS: 50}
    assert (result.amount, result.reserve_released) == (900, 100)


def test_remainder_ties_go_to_the_lowest_address_whatever_the_input_order_or_letter_case() -> None:
    low, middle, high = addr(0x0A0000), addr(0xB00000), addr(0xC00000)  # checksums mix upper and lower case
    history = History()
    history.policy(start(1) - 50)
    for member in (high, low, middle):
        history.entry(1, member, 7)
    history.revenue(1, 10)
    assert allocate(history.inputs(0, 1)).allocations == {low: 4, middle: 3, high: 3}


def test_floor_is_split_equally_and_the_rest_pro_rata() -> None:
    history = History()
    history.policy(start(1) - 50, floor=5_000)
    history.entry(1, A, 1)
    history.entry(1, B, 1)
    history.entry(1, C, 2)
    history.revenue(1, 1_000)
    result = allocate(history.inputs(0, 1))
    # floor 500 → 167, 167, 166 (leftover wei to the lowest addresses); rest 500 by units 1:1:2 → 125, 125, 250.
    assert result.allocations == {A: 292, B: 292, C: 416}
    assert result.epochs[0].purposes[0].floor == 500


def test_cap_redistributes_excess_to_the_uncapped_repeatedly() -> None:
    history = History()
    history.policy(start(1) - 50, cap=4_000)
    history.entry(1, A, 6)
    history.entry(1, B, 3)
    history.entry(1, C, 1)
    history.revenue(1, 1_000)
    result = allocate(history.inputs(0, 1))
    # 600/300/100, cap 400: A's 200 → B +150, C +50 → B 450; B's 50 → C → 400/400/200.
    assert result.allocations == {A: 400, B: 400, C: 200}
    assert result.epochs[0].purposes[0].cap_released == 0
    assert result.reserve_released == 0


def test_cap_excess_nobody_can_take_is_released_as_reserve() -> None:
    history = History()
    history.policy(start(1) - 50, reserve=1_000, cap=3_000)
    history.entry(1, A, 1)
    history.entry(1, B, 1)
    history.revenue(1, 1_000)
    result = allocate(history.inputs(0, 1))
    # reserve 100, D 900, cap 270: both capped, 360 excess released with the reserve.
    assert result.allocations == {A: 270, B: 270}
    assert result.epochs[0].purposes[0].cap_released == 360
    assert result.reserve_released == 460


def test_nobody_consenting_carries_the_pot_until_someone_consents() -> None:
    history = History()
    history.policy(start(1) - 50, reserve=1_000)
    history.entry(1, A, 1)
    history.entry(2, A, 1)
    history.revenue(1, 1_000, RESEARCH)
    history.consent(A, RESEARCH, True, start(1) + 50)  # during epoch 1: counts from epoch 2
    history.revenue(2, 100, RESEARCH)

    first = allocate(history.inputs(0, 1))
    assert first.allocations == {}
    assert (first.reserve_released, first.carries) == (100, {RESEARCH: 900})

    second = allocate(history.inputs(1, 2, previous_carries=first.carries))
    (outcome,) = second.epochs[0].purposes
    assert (outcome.carry_in, outcome.distributable) == (900, 990)
    assert second.allocations == {A: 990}
    assert second.carries == {}

    both = allocate(history.inputs(0, 2))
    assert both.allocations == {A: 990}
    assert both.reserve_released == 110


def test_consent_changed_during_an_epoch_counts_only_from_the_next() -> None:
    history = History()
    history.policy(start(1) - 50)
    for epoch in (1, 2):
        history.entry(epoch, A, 1)
        history.entry(epoch, B, 1)
        history.entry(epoch, C, 1)
        history.revenue(epoch, 300, RESEARCH)
    history.consent(B, RESEARCH, True, start(1) - 1)  # before epoch 1: in for 1
    history.consent(B, RESEARCH, False, start(1) + 1)  # withdrawn during 1: still in for 1, out for 2
    history.consent(A, RESEARCH, True, start(1))  # exactly at start(1): not strictly before, in from 2
    history.consent(C, RESEARCH, True, start(1) - 5)
    result = allocate(history.inputs(0, 2))
    epoch1, epoch2 = (epoch.purposes[0] for epoch in result.epochs)
    assert epoch1.allocations == {B: 150, C: 150}
    assert epoch2.allocations == {A: 150, C: 150}


def test_general_purpose_needs_no_consent() -> None:
    history = History()
    history.policy(start(1) - 50)
    history.entry(1, A, 1)
    history.revenue(1, 77, GENERAL_PURPOSE)
    assert allocate(history.inputs(0, 1)).allocations == {A: 77}


def test_policy_changed_mid_range_applies_from_the_epoch_in_whose_window_it_was_set() -> None:
    history = History()
    history.policy(start(1) - 50, reserve=1_000)
    history.policy(start(2) + 30, reserve=5_000)  # during epoch 2: in force at end(2)
    history.policy(start(4), reserve=2_000)  # exactly end(3): not before end(3), so epoch 3 keeps 50 %
    for epoch in (1, 2, 3):
        history.entry(epoch, A, 1)
        history.revenue(epoch, 1_000)
    result = allocate(history.inputs(0, 3))
    assert [epoch.purposes[0].reserve for epoch in result.epochs] == [100, 500, 500]
    assert [epoch.policy.policy.reserve_bps for epoch in result.epochs] == [1_000, 5_000, 5_000]
    assert result.allocations == {A: 900 + 500 + 500}


def test_a_revocation_counts_only_for_the_entrys_own_epoch() -> None:
    history = History()
    history.policy(start(1) - 50)
    kept = history.entry(1, A, 3)
    history.entry(1, B, 1)
    revoked = history.entry(1, B, 2)
    history.revoke(kept, epoch=2)  # names the wrong epoch: ignored
    history.revoke(revoked)
    history.revenue(1, 400)
    assert allocate(history.inputs(0, 1)).allocations == {A: 300, B: 100}


def test_earmark_release_lowers_the_carry_first() -> None:
    history = History()
    history.policy(start(1) - 50)
    history.entry(2, A, 1)
    history.consent(A, RESEARCH, True, start(1) - 1)
    history.revenue(2, 10, RESEARCH)
    history.release(RESEARCH, 300, start(2) + 5)  # in the range's window: out of the carry entering it
    result = allocate(history.inputs(1, 2, previous_carries={RESEARCH: 900}))
    (research,) = result.epochs[0].purposes
    assert (research.carry_before, research.released, research.distributable) == (900, Released(carry=300), 610)
    assert result.allocations == {A: 610}
    assert result.purposes == {RESEARCH: PurposeFunding(610, 0)}
    assert (result.carries, result.releases_owed) == ({}, {})


def test_issue_20_a_release_beyond_the_carry_comes_out_of_the_pending_distributable() -> None:
    # Epoch 5 holds 5e18+3 of "ai-training" revenue and no carry; governance releases 1e18 of it during the epoch.
    history = History()
    history.policy(start(1) - 50)
    history.entry(5, A, 1)
    history.entry(5, B, 3)
    history.consent(A, TRAINING, True, start(1))
    history.consent(B, TRAINING, True, start(1))
    history.revenue(5, 5 * 10**18 + 3, TRAINING)
    history.release(TRAINING, 10**18, start(5) + 50)
    result = allocate(history.inputs(4, 5))
    (training,) = result.epochs[0].purposes
    assert training.released == Released(distributable=10**18)
    assert training.distributable == 4 * 10**18 + 3
    assert result.amount == 4 * 10**18 + 3  # what the treasury holds for the purpose: the plan is fundable
    assert result.purposes == {TRAINING: PurposeFunding(4 * 10**18 + 3, 0)}


def test_a_release_takes_its_epoch_then_later_epochs_then_the_latest_earlier_ones() -> None:
    history = History()
    history.policy(start(1) - 50)
    for epoch in (2, 3, 4):
        history.entry(epoch, A, 1)
        history.revenue(epoch, 100, RESEARCH)
    history.consent(A, RESEARCH, True, start(1))
    history.release(RESEARCH, 245, start(3) + 50)  # executed in epoch 3, before epoch 2's plan was funded
    result = allocate(history.inputs(1, 4, previous_carries={RESEARCH: 20}))
    epoch_2, epoch_3, epoch_4 = (epoch.purposes[0] for epoch in result.epochs)
    assert epoch_3.released == Released(distributable=100)
    assert epoch_4.released == Released(distributable=100)
    assert epoch_2.released == Released(distributable=45)  # the earlier epoch's money last, latest first
    assert (epoch_2.distributable, epoch_3.distributable, epoch_4.distributable) == (75, 0, 0)
    assert result.allocations == {A: 75}


def test_a_release_within_the_carry_of_a_purpose_nobody_can_take_lowers_only_that_carry() -> None:
    history = History()
    history.policy(start(1) - 50)
    history.entry(2, A, 1)
    history.revenue(2, 100, TRAINING)  # nobody consented: all of it carries
    history.release(TRAINING, 30, start(3) + 5)
    history.revenue(3, 10, TRAINING)
    result = allocate(history.inputs(1, 3, previous_carries={TRAINING: 50}))
    epoch_2, epoch_3 = (epoch.purposes[0] for epoch in result.epochs)
    assert (epoch_2.released, epoch_2.carry_out) == (Released(), 150)
    assert (epoch_3.carry_before, epoch_3.released, epoch_3.carry_out) == (150, Released(carry=30), 130)
    assert (result.carries, result.purposes) == ({TRAINING: 130}, {})


def test_a_release_beyond_what_members_would_get_comes_out_of_the_reserve_then_operations() -> None:
    # A refund of a whole payment: 1,000 paid, 10 % reserve, 5 % operations, all of it released.
    history = History()
    history.policy(start(1) - 50, reserve=1_000, operations=500)
    history.entry(1, A, 1)
    history.consent(A, RESEARCH, True, start(1) - 1)
    history.revenue(1, 1_000, RESEARCH)
    history.release(RESEARCH, 980, start(1) + 50)
    result = allocate(history.inputs(0, 1))
    (research,) = result.epochs[0].purposes
    assert research.released == Released(distributable=850, reserve=100, operations=30)
    assert (research.reserve_freed, research.operations_paid, research.distributable) == (0, 20, 0)
    assert result.allocations == {OPS: 20}
    assert result.purposes == {RESEARCH: PurposeFunding(20, 0)}  # 1,000 booked − 980 released


def test_a_release_the_range_cannot_cover_is_owed_and_the_next_plan_honours_it_first() -> None:
    # Executed in epoch 2 before epoch 1's funding, it drew on revenue of epoch 3 booked before that funding.
    history = History()
    history.policy(start(1) - 50)
    history.entry(2, A, 1)
    history.entry(3, A, 1)
    history.consent(A, RESEARCH, True, start(1))
    history.revenue(2, 30, RESEARCH)
    history.release(RESEARCH, 50, start(2) + 50)
    history.revenue(3, 70, RESEARCH)
    first = allocate(history.inputs(1, 2))
    assert first.epochs[0].purposes[0].released == Released(distributable=30)
    assert (first.amount, first.purposes, first.releases_owed) == (0, {}, {RESEARCH: 20})
    second = allocate(history.inputs(2, 3, previous_releases_owed=first.releases_owed))
    assert second.epochs[0].purposes[0].released == Released(distributable=20)
    assert (second.allocations, second.releases_owed) == ({A: 50}, {})


def test_releases_before_the_range_are_already_in_the_previous_carries() -> None:
    history = History()
    history.policy(start(1) - 50)
    history.release(RESEARCH, 300, start(1) + 5)  # epoch 1, covered by the previous plan
    history.entry(2, A, 1)
    history.consent(A, RESEARCH, True, start(1))
    result = allocate(history.inputs(1, 2, previous_carries={RESEARCH: 600}))
    assert result.allocations == {A: 600}


def test_operations_account_that_is_also_a_member_gets_one_sum() -> None:
    history = History()
    history.policy(start(1) - 50, operations=1_000, account=A)
    history.entry(1, A, 1)
    history.entry(1, B, 1)
    history.revenue(1, 1_000)
    assert allocate(history.inputs(0, 1)).allocations == {A: 550, B: 450}


def test_only_the_plans_token_counts() -> None:
    token = addr(0x70CE)
    history = History()
    history.policy(start(1) - 50)
    history.entry(1, A, 1)
    history.revenue(1, 1_000)
    history.revenue(1, 5, token=token)
    assert allocate(history.inputs(0, 1, token=token)).allocations == {A: 5}


def test_an_epoch_without_a_policy_is_refused() -> None:
    history = History()
    history.policy(start(2) + 1)
    history.entry(1, A, 1)
    history.revenue(1, 10)
    with pytest.raises(UnionValueError, match="no dividend policy"):
        allocate(history.inputs(0, 1))


def test_a_repeated_entry_is_refused() -> None:
    history = History()
    history.policy(start(1) - 50)
    history.entry(1, A, 1)
    history.revenue(1, 10)
    inputs = history.inputs(0, 1)
    doubled = replace(inputs, contributions=[*inputs.contributions, inputs.contributions[0]])
    with pytest.raises(UnionValueError, match="repeat"):
        allocate(doubled)
