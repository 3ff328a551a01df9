"""A whole demo-sized union (25 members, two tokens, two purposes) runs two epochs unattended through the scheduler.

The story is ``union demo``'s own (scripts.demo): the test only watches. Members sign consent, ballots and claims
through the relay of a live API; the scheduler, running on its APScheduler job store, plans, proposes, verifies,
queues and executes. Then every number is checked from the chain.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from eth_utils import keccak

from scheduler.alarms import AlarmBoard
from scripts.demo import REFUND, demo_union, run_demo
from tests.e2e.helpers import allocations_by_account, assert_books_reconcile
from tests.helpers.serving import free_port
from treasury.plan import Plan
from union.contracts import UnionContracts

pytestmark = pytest.mark.anvil


def test_demo_union_runs_two_epochs_unattended_and_every_number_checks_out(tmp_path: Path) -> None:
    with demo_union(tmp_path / "demo", members=25, api_port=free_port()) as story:
        report = run_demo(story)
        w3, manifest = story.w3, story.union.manifest
        contracts = UnionContracts.from_manifest(w3, manifest)
        jobs, store = story.server.jobs, story.server.store
        assert jobs is not None
        assert store is not None

        # union verify passes for every round: two tokens × two funded rounds, each rebuilt from chain data.
        assert report.ok, report.problems + [d for r in report.rounds for d in r.differences]
        funded = sorted((r.token, r.from_epoch, r.through_epoch) for r in report.rounds if r.kind == "funded")
        assert funded == sorted((token, first, first + 1) for token in story.tokens for first in (0, 1))

        for token in story.tokens:
            distributor = contracts.distributor.functions
            assert int(distributor.lastFundedEpoch(token).call()) == 2
            rounds = jobs.plan_history().funded_rounds(token)
            plans = [jobs.plan_inputs.stored_plan(funded_round.plan_hash) for funded_round in rounds]
            assert all(isinstance(plan, Plan) for plan in plans)
            final = plans[-1]
            assert final is not None
            assert final.root == "0x" + bytes(distributor.merkleRoot(token).call()).hex()

            # Every account's claimable equals its plan allocation: what it claimed plus what is left = its share.
            shares = allocations_by_account([plan for plan in plans if plan is not None])
            assert {account: amount for account, amount in final.new_cumulative.items()} == shares
            with httpx.Client(base_url=story.server.api_url) as api:
                for account, cumulative in final.new_cumulative.items():
                    claimed = int(distributor.claimed(token, account).call())
                    answer = api.get(f"/v1/members/{account}/claims/{token}")
                    assert answer.status_code == 200, answer.text
                    body = answer.json()
                    assert int(body["cumulative_amount"]) == cumulative
                    assert int(body["claimable"]) == cumulative - claimed
            claimers = [m.address for m in story.members[: 2 * len(story.members) // 3]]
            assert any(int(distributor.claimed(token, account).call()) > 0 for account in claimers)

            # The books reconcile, on chain and in the scheduler's own check.
            assert_books_reconcile(w3, contracts, token)
        # The refund voted during epoch 2 (beyond ai-training's carry, within its earmark) was honoured by round 2.
        dusd = story.tokens[1]
        second = jobs.plan_inputs.stored_plan(jobs.plan_history().funded_rounds(dusd)[-1].plan_hash)
        assert second is not None
        ai = "0x" + keccak(text="ai-training").hex()
        honoured = [outcome.released for epoch in second.epochs for outcome in epoch.purposes if outcome.purpose == ai]
        assert sum(r.carry + r.distributable + r.reserve + r.operations for r in honoured) == REFUND
        assert contracts.treasury.functions.earmarkedFor(dusd, ai).call() == second.totals.carries.get(ai, 0)
        jobs.reconcile()
        assert AlarmBoard(store.engine).open_alarms() == []
