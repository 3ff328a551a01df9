"""The scheduler killed (SIGKILL) at random moments and restarted: no double proposal, no missed epoch, and the same
final state as an uninterrupted run — every round reproduces from chain data alone.

The scheduler runs as ``union serve --role scheduler`` in a subprocess, on its SQLite store and APScheduler job
store; the test plays the members (signed ballots sent by the relayer account) and moves anvil's clock.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_typing import ChecksumAddress

from tests.e2e.conftest import GENESIS_DELAY
from tests.helpers.driver import UnionDriver
from treasury.verify import verify_union
from union.localnet import LocalAccounts
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalState
from voting.typed_data import VoteSupport

pytestmark = pytest.mark.anvil

MEMBERS = 5
_READY = "scheduler holds the"
_START_TIMEOUT = 120.0


class SchedulerProcess:
    """``union serve --role scheduler`` as a child process that the test starts, kills and restarts."""

    def __init__(self, driver: UnionDriver, directory: Path) -> None:
        self.directory = directory
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("UNION_")},
            "UNION_RPC_URL": driver.anvil.rpc_url,
            "UNION_CHAIN_ID": str(driver.anvil.chain_id),
            "UNION_MANIFEST": str(driver.union.manifest_path),
            "UNION_DATABASE_URL": f"sqlite:///{directory / 'union.db'}",
            "UNION_PRIVATE_KEY": LocalAccounts.member(0).key.hex(),
            "UNION_FOLLOW_INTERVAL": "0.3",
            "UNION_PROPOSE_INTERVAL": "0.3",
            "UNION_VERIFY_INTERVAL": "0.3",
            "UNION_ADVANCE_INTERVAL": "0.3",
            "UNION_RECONCILE_INTERVAL": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.directory / f"scheduler-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "union"), "-v", "serve", "--role", "scheduler"],
                cwd=self.directory,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        """Until the child holds the lock and starts its jobs (its first pass then runs at once)."""
        deadline = time.monotonic() + _START_TIMEOUT
        while _READY not in self.log.read_text(errors="replace"):
            assert self.process is not None
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1
        self.process = None

    def terminate(self) -> int:
        """SIGTERM: the scheduler finishes its running job and exits cleanly."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.process = None
        return code


def run_with_kills(
    scheduler: SchedulerProcess, rng: random.Random, done: Callable[[], bool], *, timeout: float = 150.0
) -> None:
    """Start the scheduler and SIGKILL it at a random moment of its work, again and again, until ``done``."""
    deadline = time.monotonic() + timeout
    while True:
        scheduler.start()
        scheduler.wait_ready()
        time.sleep(rng.uniform(0.0, 3.0))
        scheduler.kill()
        if done():
            return
        assert time.monotonic() < deadline, f"not done after {scheduler.kills} kills"


def distribution_proposals(driver: UnionDriver) -> list[tuple[int, ChecksumAddress, int, int]]:
    """Every ``fundDividends`` proposal on chain as (id, token, from, through), from the governor's events."""
    treasury = driver.contracts.treasury
    found = []
    for log in driver.contracts.governor.events.ProposalCreated.get_logs(from_block=0):
        _, args = treasury.decode_function_input(log["args"]["calldatas"][0])
        found.append((int(log["args"]["proposalId"]), args["token"], int(args["fromEpoch"]), int(args["throughEpoch"])))
    return found


def test_scheduler_killed_at_random_moments_proposes_once_misses_nothing_and_ends_the_same(
    driver: UnionDriver, tmp_path: Path
) -> None:
    rng = random.Random(20261122)
    members = [LocalAccounts.member(i) for i in range(MEMBERS)]
    driver.admit([m.address for m in members])
    driver.fund(members[0].address)
    for member in members:
        driver.set_consent(member, "ai-training", True)
    token = driver.deploy_token()
    tokens = [ZERO_ADDRESS, token.address]
    driver.warp_to(driver.union.manifest.parameters.epoch_genesis + 1)
    assert driver.now() < driver.epoch_start(1) + GENESIS_DELAY
    scheduler = SchedulerProcess(driver, tmp_path)
    governor = driver.contracts.governor.functions

    for epoch in (1, 2):
        driver.record(epoch, [(m.address, 1 + (i + epoch) % 3, bytes([i, epoch]) * 16) for i, m in enumerate(members)])
        driver.pay_eth(driver.accounts.buyer, 3 * 10**18, "ai-training")
        driver.pay_token(token, driver.accounts.second_buyer, 7 * 10**18, "ai-training")
        driver.warp_to(driver.grace_end(epoch))

        def proposed(epoch: int = epoch) -> dict[ChecksumAddress, int]:
            return {tok: pid for pid, tok, _, through in distribution_proposals(driver) if through == epoch}

        run_with_kills(scheduler, rng, lambda: set(proposed()) == set(tokens))
        ids = list(proposed().values())
        for proposal_id in ids:
            driver.start_voting(proposal_id)
            for member in members:
                driver.vote_by_sig(member, proposal_id, VoteSupport.FOR)
        for proposal_id in ids:
            driver.end_voting(proposal_id)

        def states(ids: list[int] = ids) -> set[ProposalState]:
            return {ProposalState(governor.state(pid).call()) for pid in ids}

        run_with_kills(scheduler, rng, lambda: states() == {ProposalState.QUEUED})
        driver.warp_to(max(governor.proposalEta(pid).call() for pid in ids))
        run_with_kills(scheduler, rng, lambda: states() == {ProposalState.EXECUTED})

    # A last run, stopped by SIGTERM: it finishes its job, commits and exits 0; nothing more is proposed.
    scheduler.start()
    scheduler.wait_ready()
    time.sleep(1.0)
    assert scheduler.terminate() == 0
    assert "stopped cleanly" in scheduler.log.read_text()

    assert scheduler.kills >= 6
    proposals = distribution_proposals(driver)
    assert sorted((tok, first, through) for _, tok, first, through in proposals) == sorted(
        (tok, first, first + 1) for tok in tokens for first in (0, 1)
    ), "exactly one proposal per token and round: none doubled, no epoch missed"
    for tok in tokens:
        assert driver.contracts.distributor.functions.lastFundedEpoch(tok).call() == 2
    report = verify_union(driver.w3, driver.union.manifest, fetch_documents=False)
    assert report.ok, [d for r in report.rounds for d in r.differences]
    assert len([r for r in report.rounds if r.kind == "funded"]) == 4
