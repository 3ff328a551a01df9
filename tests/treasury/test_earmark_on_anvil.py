"""Earmark releases on the real contracts (issue #20, DESIGN §8 "Earmark per purpose").

The round (tests/treasury/anvil_round.py) carries epoch 1's "ai-training" ETH (nobody had consented yet) into epoch 2,
where more "ai-training" revenue is paid and three members share it. A release voted during epoch 2 that is larger
than the carry used to be ignored by the planner beyond the carry, so the plan asked for more than the treasury held
earmarked and its funding reverted for ever; now the treasury keeps the earmark per purpose and the plan honours the
release out of the carry first, then out of the pending distributable.
"""

from __future__ import annotations

from eth_utils import keccak

from tests.treasury.anvil_round import ETHER, Round, base_round, decide, fund_plan, funding_spec, round_
from tests.treasury.test_verify_on_anvil import failed_checks, history
from treasury.inputs import purpose_id
from treasury.verify import verify_union
from union.types import ZERO_ADDRESS
from voting.proposals import release_earmark_proposal
from voting.typed_data import VoteSupport

__all__ = ["base_round", "round_"]  # fixtures used by name

AI = purpose_id(keccak(text="ai-training"))


def test_a_release_beyond_the_carry_is_honoured_by_the_next_plan_which_executes(round_: Round) -> None:
    union = round_.union
    treasury = union.contracts.treasury.functions
    # Epoch 1's 4 ETH of ai-training, less its 10 % reserve and 5 % operations share, is the carry entering epoch 2;
    # 6 ETH more are pending.
    assert treasury.earmarkedFor(ZERO_ADDRESS, AI).call() == 10 * ETHER
    spec = release_earmark_proposal(
        union.contracts.treasury,
        token=ZERO_ADDRESS,
        purpose=AI,
        amount=5 * ETHER,
        memo="refund of licence-ai-1",
        description="Release 5 ETH of ai-training's earmark (refund)",
    )
    decide(union, round_.members[0], spec, round_.members[:3], VoteSupport.FOR)
    union.queue_and_execute(spec)
    assert union.now() < union.epoch_end(2)  # executed inside epoch 2: the plan through epoch 2 honours it
    assert treasury.earmarkedFor(ZERO_ADDRESS, AI).call() == 5 * ETHER

    union.warp_to(union.grace_end(2))
    plan = history(round_).next_plan(ZERO_ADDRESS, 2)
    ai_epoch_2 = next(outcome for outcome in plan.epochs[1].purposes if outcome.purpose == AI)
    carry = ai_epoch_2.carry_before
    assert carry == 34 * ETHER // 10
    released = ai_epoch_2.released
    assert (released.carry, released.distributable, released.reserve, released.operations) == (
        carry,
        5 * ETHER - carry,  # beyond the carry: out of epoch 2's pending distributable
        0,
        0,
    )
    funding = plan.totals.purposes[AI]
    assert funding.amount + funding.reserve_released == 5 * ETHER  # exactly what the treasury still holds for it

    fund_plan(round_, plan)
    assert treasury.earmarkedFor(ZERO_ADDRESS, AI).call() == 0
    assert union.contracts.distributor.functions.lastFundedEpoch(ZERO_ADDRESS).call() == 2
    report = verify_union(union.w3, union.union.manifest)
    assert report.ok, report.model_dump_json(indent=1)
    (funded,) = (item for item in report.rounds if item.token == ZERO_ADDRESS)
    per_purpose = next(check for check in funded.checks if check.check == "per purpose")
    assert per_purpose.ok
    assert AI in per_purpose.on_chain


def test_verify_names_a_live_proposal_that_asks_a_purpose_for_more_than_it_holds(round_: Round) -> None:
    union = round_.union
    union.warp_to(union.grace_end(2))
    plan = history(round_).next_plan(ZERO_ADDRESS, 2)
    proposal_id = union.propose(round_.members[0], funding_spec(round_, plan))
    assert verify_union(union.w3, union.union.manifest, proposal_id=proposal_id).ok

    # During the vote, governance releases part of ai-training's earmark (in epoch 3: the next plan's window).
    union.as_timelock(union.contracts.treasury.functions.releaseEarmark(ZERO_ADDRESS, AI, ETHER, "late refund"))
    report = verify_union(union.w3, union.union.manifest, proposal_id=proposal_id)
    assert not report.ok
    assert (f"proposal {str(proposal_id)[:12]}…", "within earmark") in failed_checks(report)
    held = 10 * ETHER - ETHER
    asked = plan.totals.purposes[AI].amount + plan.totals.purposes[AI].reserve_released
    assert (
        f"purpose {AI} asks {asked} ({plan.totals.purposes[AI].amount} to members, "
        f"{plan.totals.purposes[AI].reserve_released} reserve) but only {held} is earmarked for it: executing it "
        "would revert (TreasuryExceedsEarmark)"
    ) in report.rounds[0].differences
