"""Plans rebuilt from chain data on anvil, funded through real votes, and checked by ``verify_union``.

The round (tests/treasury/anvil_round.py) exercises every rule the reader must get right: consent at the epoch's
start, revocations in their own epoch only, revenue by block time, the policy in force at each epoch's end, carries.
"""

from __future__ import annotations

import pytest
from eth_utils import keccak

from tests.treasury.anvil_round import Round, base_round, decide, fund_plan, funding_spec, round_, tampered
from tests.treasury.builders import History, addr
from treasury.inputs import GENERAL_PURPOSE, EpochId, purpose_id
from treasury.plan import Plan
from treasury.proofs import ProofIndex
from treasury.readers import PlanHistory, RpcPlanInputsReader
from treasury.verify import VerificationReport, distribution_description, published_plan_url, verify_union
from union.errors import PlanNotReadyError
from union.rpc import JsonRpcClient
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalState, fund_dividends_proposal
from voting.typed_data import VoteSupport

__all__ = ["base_round", "round_"]  # fixtures used by name

AI = purpose_id(keccak(text="ai-training"))
MEDICAL = purpose_id(keccak(text="medical-research"))


def history(round_: Round) -> PlanHistory:
    union = round_.union
    return PlanHistory(RpcPlanInputsReader.open(JsonRpcClient(union.anvil.rpc_url), union.union.manifest))


def failed_checks(report: VerificationReport) -> set[tuple[str, str]]:
    return {(item.round, check.check) for item in report.rounds for check in item.checks if not check.ok}


def test_plan_from_chain_follows_consent_revocation_and_policy_rules(round_: Round) -> None:
    union, m = round_.union, [member.address for member in round_.members]
    union.warp_to(union.grace_end(2))
    plan = history(round_).next_plan(ZERO_ADDRESS, 2)
    epoch1, epoch2 = plan.epochs
    by_purpose = {outcome.purpose: outcome for outcome in epoch1.purposes}
    # Nobody consented before start(1): both purposes are carried; general is shared by all with units.
    assert by_purpose[AI].eligible_members == 0
    assert by_purpose[AI].carry_out > 0
    assert by_purpose[MEDICAL].eligible_members == 0
    assert set(by_purpose[GENERAL_PURPOSE].allocations) == set(m[:5])  # m4's entry "revoked" for epoch 2 counts
    assert (epoch1.policy.reserve_bps, epoch1.policy.cap_bps) == (1_000, 0)  # the constructor's policy
    assert (epoch2.policy.reserve_bps, epoch2.policy.cap_bps) == (500, 3_500)  # voted during epoch 2
    carried = by_purpose[AI].carry_out
    by_purpose = {outcome.purpose: outcome for outcome in epoch2.purposes}
    # ai-training: m0 (withdrew during epoch 2: still counts), m1, m2; not m3 (declined), not m4 (consented late).
    ai = by_purpose[AI]
    assert set(ai.allocations) == {m[0], m[1], m[2]}
    assert ai.carry_before == carried  # epoch 1's ai-training revenue joins epoch 2's distributable amount
    assert ai.allocations[m[0]] == ai.distributable * 3_500 // 10_000  # m0 (4 of 9 units) is held at the cap
    assert set(by_purpose[MEDICAL].allocations) == {m[0], m[3]}
    assert set(by_purpose[GENERAL_PURPOSE].allocations) == {m[0], m[1], m[2], m[3], m[5]}
    # m1's revoked entry (6 units) is gone: m1 (2 units) gets less of "general" than m2 (3 units).
    general = by_purpose[GENERAL_PURPOSE].allocations
    assert general[m[1]] < general[m[2]]
    assert plan.totals.carries == {}
    reader = RpcPlanInputsReader.open(JsonRpcClient(union.anvil.rpc_url), union.union.manifest)
    closing = reader.closing_block(EpochId(plan.through_epoch))
    assert closing is not None
    assert plan.inputs.to_block == closing.number


def test_plan_is_refused_while_the_grace_window_is_open(round_: Round) -> None:
    union = round_.union
    union.warp_to(union.grace_end(2) - 5)
    with pytest.raises(PlanNotReadyError, match="epoch 2 cannot be planned yet"):
        history(round_).next_plan(ZERO_ADDRESS, 2)


def test_funded_plans_of_both_tokens_reproduce(round_: Round) -> None:
    union = round_.union
    union.warp_to(union.grace_end(2))
    plans = history(round_)
    for token in (ZERO_ADDRESS, round_.token_address):
        fund_plan(round_, plans.next_plan(token, 2))
    report = verify_union(union.w3, union.union.manifest)
    assert report.ok, report.model_dump_json(indent=1)
    assert [(item.kind, item.token, item.epochs) for item in report.rounds] == [
        ("funded", ZERO_ADDRESS, "(0, 2]"),
        ("funded", round_.token_address, "(0, 2]"),
    ]


def test_tampered_plan_funded_by_a_vote_fails_and_names_the_accounts(round_: Round) -> None:
    union, m = round_.union, [member.address for member in round_.members]
    union.warp_to(union.grace_end(2))
    honest = history(round_).next_plan(ZERO_ADDRESS, 2)
    forged = tampered(honest, take_from=m[5], give_to=m[0])  # member 5 skipped, member 0 gets their share
    fund_plan(round_, forged)

    blind = verify_union(union.w3, union.union.manifest, token=ZERO_ADDRESS)
    assert not blind.ok
    assert failed_checks(blind) >= {("funded #1", "root"), ("funded #1", "planHash")}
    assert any("no published plan document" in text for text in blind.rounds[0].differences)

    # Once the enriched member claims, the chain alone names them: the claim proves a leaf the rebuild does not have.
    claim = ProofIndex.from_plan(forged).claim(m[0])
    distributor = union.contracts.distributor
    union.transact(
        union.accounts.relayer,
        distributor.functions.claim(ZERO_ADDRESS, m[0], claim.cumulative_amount, list(claim.proof)),
    )
    claimed = verify_union(union.w3, union.union.manifest, token=ZERO_ADDRESS, fetch_documents=False)
    assert ("funded #1", "claims under this root") in failed_checks(claimed)
    assert any(
        text.startswith(f"account {m[0]} claimed against cumulative {forged.new_cumulative[m[0]]} ")
        and text.endswith(f"but its rebuilt cumulative is {honest.new_cumulative[m[0]]}")
        for text in claimed.rounds[0].differences
    )

    named = verify_union(union.w3, union.union.manifest, token=ZERO_ADDRESS, documents=[(forged, "forged.json")])
    assert not named.ok
    differences = named.rounds[0].differences
    assert f"account {m[5]} is missing (expected cumulative {honest.new_cumulative[m[5]]})" in differences
    assert (
        f"account {m[0]}: expected cumulative {honest.new_cumulative[m[0]]}, "
        f"published {forged.new_cumulative[m[0]]}" in differences
    )
    assert named.rounds[0].document == "forged.json"


def test_defeated_vote_then_the_next_plan_covers_both_epochs_and_verifies(round_: Round) -> None:
    union = round_.union
    assert union.now() >= union.grace_end(1)  # the round's policy vote ended after epoch 1's grace window
    first = history(round_).next_plan(ZERO_ADDRESS, 1)
    assert (first.from_epoch, first.through_epoch) == (0, 1)
    spec = funding_spec(round_, first)
    defeated = decide(union, round_.members[2], spec, round_.members[:3], VoteSupport.AGAINST)
    assert union.state(defeated) is ProposalState.DEFEATED

    union.warp_to(union.grace_end(2))
    both = history(round_).next_plan(ZERO_ADDRESS, 2)
    assert (both.from_epoch, both.through_epoch) == (0, 2)
    assert [epoch.epoch for epoch in both.epochs] == [1, 2]
    fund_plan(round_, both)
    report = verify_union(union.w3, union.union.manifest, token=ZERO_ADDRESS)
    assert report.ok, report.model_dump_json(indent=1)
    assert [(item.kind, item.epochs) for item in report.rounds] == [
        ("funded", "(0, 2]")
    ]  # the defeated one is not live


def test_live_proposal_is_checked_before_execution_and_a_wrong_pot_is_named(round_: Round) -> None:
    union = round_.union
    union.warp_to(union.grace_end(2))
    honest = history(round_).next_plan(ZERO_ADDRESS, 2)
    purpose, funding = next(iter(honest.totals.purposes.items()))
    inflated = {**honest.totals.purposes, purpose: funding.model_copy(update={"amount": funding.amount + 1})}
    wrong_pot = honest.model_copy(
        update={"totals": honest.totals.model_copy(update={"amount": honest.totals.amount + 1, "purposes": inflated})}
    )
    good_id = union.propose(round_.members[0], funding_spec(round_, honest))
    bad_id = union.propose(round_.members[1], funding_spec(round_, wrong_pot))

    good = verify_union(union.w3, union.union.manifest, proposal_id=good_id)
    assert good.ok, good.model_dump_json(indent=1)
    assert (good.rounds[0].kind, good.rounds[0].proposal_state) == ("proposal", "pending")

    bad = verify_union(union.w3, union.union.manifest, proposal_id=bad_id)
    assert not bad.ok
    assert ("proposal " + str(bad_id)[:12] + "…", "amount") in failed_checks(bad)
    assert f"the pot is wrong: amount {honest.totals.amount + 1} instead of {honest.totals.amount}" in (
        bad.rounds[0].differences
    )
    assert ("proposal " + str(bad_id)[:12] + "…", "per purpose") in failed_checks(bad)
    everything = verify_union(union.w3, union.union.manifest)
    assert {item.proposal_id for item in everything.rounds} == {str(good_id), str(bad_id)}
    assert not everything.ok


def test_lowered_cumulative_amount_in_a_later_round_is_named(round_: Round) -> None:
    union, m = round_.union, [member.address for member in round_.members]
    union.warp_to(union.grace_end(2))
    first = history(round_).next_plan(ZERO_ADDRESS, 2)
    fund_plan(round_, first)
    union.pay_eth(union.accounts.buyer, 10**18, "general", "epoch-3-grant")  # epoch 3 revenue, no entries yet
    union.record(3, [(m[2], 1, b"\x21" * 32)])
    union.warp_to(union.grace_end(3))
    second = history(round_).next_plan(ZERO_ADDRESS, 3)
    assert (second.from_epoch, second.previous_cumulative) == (2, first.new_cumulative)
    lowered = tampered(second, take_from=m[1], give_to=m[2], amount=second.new_cumulative[m[1]] // 2)
    assert lowered.new_cumulative[m[1]] < first.new_cumulative[m[1]]
    proposal_id = union.propose(round_.members[0], funding_spec(round_, lowered))

    report = verify_union(
        union.w3, union.union.manifest, proposal_id=proposal_id, documents=[(lowered, "lowered.json")]
    )
    assert not report.ok
    assert ("proposal " + str(proposal_id)[:12] + "…", "cumulative never lower") in failed_checks(report)
    assert any(text.startswith(f"account {m[1]}: cumulative went down from ") for text in report.rounds[0].differences)


def test_a_distribution_description_carries_the_plan_url_that_verify_reads_back() -> None:
    facts = History()
    facts.policy(0)
    facts.entry(1, addr(1), 3)
    facts.revenue(1, 1_000)
    plan = Plan.from_inputs(facts.inputs(0, 1))
    described = distribution_description(plan, "https://union.example/v1/plans/0xabc")
    assert plan.plan_hash in described
    assert published_plan_url(described) == "https://union.example/v1/plans/0xabc"
    assert (
        published_plan_url("Dividends, plan at https://union.example/plan.json.") == "https://union.example/plan.json"
    )
    assert published_plan_url(distribution_description(plan)) is None


def test_a_proposal_whose_root_is_not_its_published_plan_s_root_is_named(round_: Round) -> None:
    union, m = round_.union, [member.address for member in round_.members]
    union.warp_to(union.grace_end(2))
    honest = history(round_).next_plan(ZERO_ADDRESS, 2)
    forged = tampered(honest, take_from=m[2], give_to=m[4])
    spec = fund_dividends_proposal(
        union.contracts.treasury,
        token=ZERO_ADDRESS,
        from_epoch=0,
        through_epoch=2,
        purposes=honest.purpose_fundings(),
        new_root=bytes.fromhex(forged.root[2:]),  # the honest plan's hash, a forged root
        plan_hash=bytes.fromhex(honest.plan_hash[2:]),
        description=distribution_description(honest),
    )
    proposal_id = union.propose(round_.members[0], spec)
    report = verify_union(union.w3, union.union.manifest, proposal_id=proposal_id, documents=[(honest, "honest.json")])
    assert not report.ok
    assert failed_checks(report) == {("proposal " + str(proposal_id)[:12] + "…", "root")} | {
        ("proposal " + str(proposal_id)[:12] + "…", "cumulative never lower")
    }
    assert (
        f"the published plan's root is {honest.root}, but the chain says {forged.root}" in report.rounds[0].differences
    )
