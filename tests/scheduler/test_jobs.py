"""The scheduler's jobs against the session's anvil union (rolled back after each test), each with a fresh store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes

from indexer.service import build_follower
from indexer.settings import IndexerSettings
from indexer.store import Store
from scheduler.alarms import AlarmBoard, AlarmKind
from scheduler.jobs import UnionJobs
from tests.helpers.driver import UnionDriver
from treasury.readers import PlanHistory
from union.errors import PermissionDeniedError
from union.localnet import LocalAccounts
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalState, fund_dividends_proposal

pytestmark = pytest.mark.anvil

MEMBERS = [LocalAccounts.member(40 + i) for i in range(4)]


def _jobs(union: UnionDriver, tmp_path: Path, proposer: LocalAccount | None) -> Iterator[UnionJobs]:
    settings = IndexerSettings(
        rpc_url=union.anvil.rpc_url,
        chain_id=31337,
        manifest=union.union.manifest_path,
        database_url=f"sqlite:///{tmp_path / 'union.db'}",
    )
    store = Store.open(settings.database_url)
    follower = build_follower(settings, union.union.manifest, store=store)
    try:
        yield UnionJobs(union.w3, union.union.manifest, store, follower, AlarmBoard(store.engine), proposer=proposer)
    finally:
        follower.rpc.close()
        store.close()


@pytest.fixture
def jobs(union: UnionDriver, tmp_path: Path) -> Iterator[UnionJobs]:
    yield from _jobs(union, tmp_path, MEMBERS[0])


def _closed_epoch_with_general_revenue(union: UnionDriver) -> int:
    """Members, contributions and general revenue (no consent needed) in the current epoch, then its grace closes."""
    union.admit([m.address for m in MEMBERS])
    union.fund(MEMBERS[0].address)
    epoch = int(union.contracts.treasury.functions.currentEpoch().call())
    union.record(epoch, [(m.address, 1 + i, bytes([i + 1]) * 32) for i, m in enumerate(MEMBERS)])
    union.pay_eth(union.accounts.buyer, 4 * 10**18, "general")
    union.warp_to(union.grace_end(epoch))
    return epoch


def test_a_non_member_key_is_refused_clearly_before_anything_is_sent(union: UnionDriver, tmp_path: Path) -> None:
    outsider = LocalAccounts.member(60)
    for jobs in _jobs(union, tmp_path, outsider):
        with pytest.raises(PermissionDeniedError, match=f"{outsider.address} is not a member"):
            jobs.check_proposer()


def test_a_double_fire_proposes_once(union: UnionDriver, jobs: UnionJobs) -> None:
    epoch = _closed_epoch_with_general_revenue(union)
    for _ in range(3):
        jobs.follow()
        jobs.propose_distributions()
    jobs.follow()
    (proposal,) = jobs.distribution_proposals()
    assert (proposal.token, proposal.from_epoch, proposal.through_epoch) == (ZERO_ADDRESS, 0, epoch)
    plan = jobs.plan_inputs.stored_plan(proposal.plan_hash)
    assert plan is not None
    assert proposal.amount == plan.totals.amount
    assert f"plan-hash: {plan.plan_hash}" in proposal.spec.description


def test_a_proposal_that_does_not_reproduce_raises_a_loud_alarm_until_the_guardian_cancels_it(
    union: UnionDriver, jobs: UnionJobs, caplog: pytest.LogCaptureFixture
) -> None:
    epoch = _closed_epoch_with_general_revenue(union)
    jobs.follow()
    honest = jobs.plan_history().plan(ZERO_ADDRESS, 0, epoch, None)
    forged = fund_dividends_proposal(
        union.contracts.treasury,
        token=ZERO_ADDRESS,
        from_epoch=0,
        through_epoch=epoch,
        purposes=honest.purpose_fundings(),
        new_root=bytes(32 * [7]),
        plan_hash=bytes(HexBytes(honest.plan_hash)),
        description="Dividends, trust me",
    )
    proposal_id = union.propose(MEMBERS[1], forged)
    jobs.follow()
    jobs.propose_distributions()  # one live distribution per token: the forged one blocks an honest proposal
    jobs.verify_proposals()
    jobs.follow()
    assert [p.proposal_id for p in jobs.distribution_proposals()] == [proposal_id]
    (alarm,) = jobs.alarms.open_alarms()
    assert alarm.kind == AlarmKind.PLAN_NOT_REPRODUCED
    assert str(proposal_id) in alarm.message
    assert "root" in alarm.message
    assert any(r.levelname == "ERROR" and "ALARM plan_not_reproduced" in r.getMessage() for r in caplog.records)

    guardian = union.accounts.guardian
    union.fund(guardian.address)
    union.transact(guardian, union.contracts.governor.functions.cancel(*forged.lifecycle_args()))
    assert union.state(proposal_id) is ProposalState.CANCELED
    jobs.follow()
    jobs.propose_distributions()
    jobs.follow()
    jobs.verify_proposals()
    assert jobs.alarms.open_alarms() == []
    honest_proposal = next(p for p in jobs.distribution_proposals() if p.proposal_id != proposal_id)
    assert honest_proposal.plan_hash == honest.plan_hash


def test_unattributed_inflow_is_reported_and_never_fixed(union: UnionDriver, jobs: UnionJobs) -> None:
    _closed_epoch_with_general_revenue(union)
    token = union.deploy_token()
    union.pay_token(token, union.accounts.buyer, 1_000, "general")
    union.transact(union.accounts.second_buyer, token.functions.mint(union.contracts.treasury.address, 123))
    jobs.follow()
    report = jobs.reconcile()
    assert report.actions == [f"unattributed inflow of 123 in {token.address}"]
    (alarm,) = jobs.alarms.open_alarms()
    assert (alarm.kind, alarm.key) == (AlarmKind.UNATTRIBUTED_INFLOW, f"token:{token.address}")
    assert jobs.reconcile().actions == []  # reported once, still open, nothing moved
    assert union.contracts.treasury.functions.unattributed(token.address).call() == 123


def test_follow_indexes_in_committed_slices_and_a_stop_request_ends_it_after_one(
    union: UnionDriver, jobs: UnionJobs
) -> None:
    start = union.union.manifest.deployment_block
    jobs.follow_slice = 5
    jobs.stop_requested.set()
    jobs.follow()
    assert jobs.indexed_block() == start - 1 + 5
    jobs.stop_requested.clear()
    jobs.follow()
    assert jobs.indexed_block() == union.w3.eth.block_number


def test_the_store_s_facts_are_read_only_when_a_plan_is_needed(
    union: UnionDriver, jobs: UnionJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[PlanHistory] = []
    build = jobs.plan_history

    def counted() -> PlanHistory:
        built.append(build())
        return built[-1]

    monkeypatch.setattr(jobs, "plan_history", counted)
    jobs.run_all(["follow", "propose_distributions", "verify_proposals"])
    assert built == []  # no revenue, no proposal: nothing to plan
    _closed_epoch_with_general_revenue(union)
    jobs.run_all(["follow", "propose_distributions"])
    assert len(built) == 1  # the epoch closed and ETH needed a plan
    jobs.run_all(["follow", "propose_distributions"])
    assert len(built) == 1  # ETH's proposal is live: nothing to plan
    jobs.run_all(["verify_proposals", "verify_proposals"])
    assert len(built) == 3  # one history per run that verifies a live proposal
    (proposal,) = jobs.distribution_proposals()
    assert built[0].next_plan(ZERO_ADDRESS, proposal.through_epoch).plan_hash == proposal.plan_hash


def _release_general(union: UnionDriver, amount: int) -> None:
    """Governance releases part of the general purpose's ETH earmark (executed as the timelock would, after a vote)."""
    treasury = union.contracts.treasury.functions
    union.as_timelock(treasury.releaseEarmark(ZERO_ADDRESS, bytes(32), amount, "grant returned"))


def test_a_plan_the_treasury_would_refuse_raises_an_alarm_instead_of_a_proposal(
    union: UnionDriver, jobs: UnionJobs
) -> None:
    epoch = _closed_epoch_with_general_revenue(union)
    # After the epoch ended (its plan's window), governance releases a quarter of what the plan will ask for.
    _release_general(union, 10**18)
    jobs.follow()
    assert jobs.propose_distributions().actions == []
    assert jobs.distribution_proposals() == []
    (alarm,) = jobs.alarms.open_alarms()
    assert (alarm.kind, alarm.key) == (AlarmKind.FUNDING_WOULD_REVERT, f"token:{ZERO_ADDRESS}")
    assert "TreasuryExceedsEarmark" in alarm.message
    assert f"purpose 0x{'00' * 32} asks {4 * 10**18}" in alarm.message
    assert f"only {3 * 10**18} is earmarked for it" in alarm.message

    # The next epoch's plan takes the release in (its window), so it is proposed and the alarm clears.
    union.warp_to(union.grace_end(epoch + 1))
    jobs.follow()
    jobs.propose_distributions()
    jobs.follow()
    (proposal,) = jobs.distribution_proposals()
    assert (proposal.from_epoch, proposal.through_epoch) == (0, epoch + 1)
    assert proposal.amount + proposal.reserve_released == 3 * 10**18
    assert jobs.alarms.open_alarms() == []


def test_a_queued_distribution_whose_funding_reverts_is_failed_and_the_next_plan_covers_its_epochs(
    union: UnionDriver, jobs: UnionJobs
) -> None:
    epoch = _closed_epoch_with_general_revenue(union)
    jobs.follow()
    jobs.propose_distributions()
    jobs.follow()
    (stuck,) = jobs.distribution_proposals()
    union.start_voting(stuck.proposal_id)
    for member in MEMBERS:
        union.vote_by_sig(member, stuck.proposal_id)
    union.end_voting(stuck.proposal_id)
    jobs.advance_proposals()
    assert union.state(stuck.proposal_id) is ProposalState.QUEUED
    # While it waits out the timelock, a release leaves the general purpose short of what the plan asks.
    _release_general(union, 10**18)
    union.warp_to(int(union.contracts.governor.functions.proposalEta(stuck.proposal_id).call()))
    assert jobs.advance_proposals().actions == []  # not executed: it would revert
    assert union.state(stuck.proposal_id) is ProposalState.QUEUED
    assert jobs.live_distribution_proposals() == []  # it no longer blocks the token
    (alarm,) = jobs.alarms.open_alarms()
    assert (alarm.kind, alarm.key) == (AlarmKind.EXECUTION_FAILED, f"proposal:{stuck.proposal_id}")
    assert "TreasuryExceedsEarmark" in alarm.message
    assert f"union guardian cancel {stuck.proposal_id}" in alarm.message

    # The next plan covers the failed proposal's epochs, passes and pays; the guardian cancels the stuck one.
    union.warp_to(union.grace_end(epoch + 1))
    jobs.follow()
    jobs.propose_distributions()
    jobs.follow()
    (replacement,) = (p for p in jobs.distribution_proposals() if p.proposal_id != stuck.proposal_id)
    assert (replacement.from_epoch, replacement.through_epoch) == (0, epoch + 1)
    union.start_voting(replacement.proposal_id)
    for member in MEMBERS:
        union.vote_by_sig(member, replacement.proposal_id)
    union.end_voting(replacement.proposal_id)
    jobs.advance_proposals()
    union.warp_to(int(union.contracts.governor.functions.proposalEta(replacement.proposal_id).call()))
    jobs.advance_proposals()
    assert union.state(replacement.proposal_id) is ProposalState.EXECUTED
    assert union.contracts.distributor.functions.lastFundedEpoch(ZERO_ADDRESS).call() == epoch + 1
    guardian = union.accounts.guardian
    union.fund(guardian.address)
    union.transact(guardian, union.contracts.governor.functions.cancel(*stuck.spec.lifecycle_args()))
    jobs.advance_proposals()
    assert jobs.alarms.open_alarms() == []
