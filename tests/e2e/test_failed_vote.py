"""A distribution vote that fails: the next plan covers both epochs, and every member ends with exactly what two
successful rounds would have paid (DESIGN §2: nothing is skipped or paid twice)."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from scheduler.jobs import UnionJobs
from tests.e2e.conftest import GENESIS_DELAY
from tests.e2e.helpers import assert_books_reconcile
from tests.helpers.driver import UnionDriver
from treasury.proofs import ProofIndex
from union.localnet import LocalAccounts
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalState
from voting.typed_data import VoteSupport

pytestmark = pytest.mark.anvil

MEMBERS = 6


def _members() -> list[LocalAccount]:
    return [LocalAccounts.member(i) for i in range(MEMBERS)]


def _close(driver: UnionDriver, epoch: int) -> None:
    driver.warp_to(driver.grace_end(epoch))


def _work(driver: UnionDriver, epoch: int, ether: int) -> None:
    driver.record(epoch, [(m.address, 1 + (i * epoch) % 4, bytes([i, epoch]) * 16) for i, m in enumerate(_members())])
    driver.pay_eth(driver.accounts.buyer, ether * 10**18, "ai-training")


def _tick(jobs: UnionJobs) -> None:
    """One pass of every job, then index what it sent (the next pass would do it first)."""
    jobs.run_all()
    jobs.follow()


def _vote_all(driver: UnionDriver, proposal_id: int, support: VoteSupport) -> None:
    driver.start_voting(proposal_id)
    for member in _members():
        driver.vote_by_sig(member, proposal_id, support)
    driver.end_voting(proposal_id)


def test_failed_vote_then_next_plan_covers_both_epochs_and_pays_exactly_two_rounds(
    driver: UnionDriver, jobs: UnionJobs
) -> None:
    members = _members()
    driver.admit([m.address for m in members])
    driver.fund(members[0].address)
    for member in members:
        driver.set_consent(member, "ai-training", True)
    driver.warp_to(driver.union.manifest.parameters.epoch_genesis + 1)
    assert driver.now() < driver.epoch_start(1) + GENESIS_DELAY
    _work(driver, 1, 6)
    _close(driver, 1)
    _tick(jobs)
    (first,) = jobs.distribution_proposals()
    assert (first.from_epoch, first.through_epoch) == (0, 1)

    _vote_all(driver, first.proposal_id, VoteSupport.AGAINST)
    assert driver.state(first.proposal_id) is ProposalState.DEFEATED
    _tick(jobs)
    _tick(jobs)  # a double fire changes nothing: the defeated plan is not proposed again
    assert len(jobs.distribution_proposals()) == 1

    _work(driver, 2, 9)
    _close(driver, 2)
    _tick(jobs)
    second = next(p for p in jobs.distribution_proposals() if p.proposal_id != first.proposal_id)
    assert (second.from_epoch, second.through_epoch) == (0, 2)
    assert len(jobs.distribution_proposals()) == 2

    _vote_all(driver, second.proposal_id, VoteSupport.FOR)
    _tick(jobs)  # queues
    driver.warp_to(driver.contracts.governor.functions.proposalEta(second.proposal_id).call())
    _tick(jobs)  # executes
    assert driver.state(second.proposal_id) is ProposalState.EXECUTED
    assert driver.contracts.distributor.functions.lastFundedEpoch(ZERO_ADDRESS).call() == 2

    # What two successful rounds would have paid, computed by the same planner from the same chain.
    plans = jobs.plan_history()
    round_one = plans.plan(ZERO_ADDRESS, 0, 1, None)
    round_two = plans.plan(ZERO_ADDRESS, 1, 2, round_one)
    published = jobs.plan_inputs.stored_plan(second.plan_hash)
    assert published is not None
    assert published.new_cumulative == round_two.new_cumulative
    assert published.totals.amount == round_one.totals.amount + round_two.totals.amount

    # Every account claims (a third party sends) and receives exactly that.
    proofs = ProofIndex.from_plan(published)
    anyone = driver.accounts.second_buyer
    for account, expected in round_two.new_cumulative.items():
        before = driver.balance_of(ZERO_ADDRESS, account)
        arguments = proofs.claim(account)
        call = driver.contracts.distributor.functions.claim(
            ZERO_ADDRESS, account, arguments.cumulative_amount, list(arguments.proof)
        )
        driver.transact(anyone, call)
        assert driver.balance_of(ZERO_ADDRESS, account) - before == expected
    assert_books_reconcile(driver.w3, driver.contracts, ZERO_ADDRESS)
