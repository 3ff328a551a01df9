"""The API suite's store: one full round on anvil, indexed by the real indexer into a SQLite file, built once.

The round (deterministic amounts, accounts from ``LocalAccounts``): four members admitted; one consents to
"ai-training"; one delegates; contributions recorded (one entry revoked, one disputed); revenue in ETH (general and
"ai-training", which nobody can share yet, so it is carried) and in an ERC-20; a policy vote; after the grace window
the real planner computes both plans from the store, they are stored, funded by two votes (one ballot relayed) and
executed; a transfer proposal is voted down; two claims. The indexer's entry function indexes it all, the plans'
verification is recorded, and the chain is reverted — the store stays, and every test reads it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from fastapi.testclient import TestClient

from api.app import create_app
from api.context import EpochSchedule
from api.settings import ApiSettings
from indexer import run as run_indexer
from indexer.settings import IndexerSettings
from indexer.store import Store, create_store_engine
from tests.api.planning import plan_from_store
from tests.helpers.driver import UnionDriver, purpose_id
from treasury.plan import Plan, plan_differences
from treasury.proofs import ProofIndex
from union.localnet import LocalAccounts, LocalUnion
from union.types import ZERO_ADDRESS
from voting.proposals import (
    DividendPolicy,
    ProposalSpec,
    dividend_policy_proposal,
    fund_dividends_proposal,
    transfer_proposal,
)
from voting.typed_data import VoteSupport, consent_typed_data, sign_typed_data

ETHER = 10**18
TOKEN_REVENUE = 1_000_000


@dataclass(frozen=True)
class IndexedRound:
    """The indexed store and what the tests need to know about the round that filled it."""

    store_url: str
    deployed: LocalUnion
    schedule: EpochSchedule
    epoch: int
    token: ChecksumAddress
    members: tuple[LocalAccount, ...]
    eth_plan: Plan
    token_plan: Plan
    policy_proposal: int
    eth_proposal: int
    token_proposal: int
    defeated_proposal: int
    labels: dict[str, str]

    def label(self, value: str) -> str:
        """A stable name for an address or plan hash that varies between runs (golden files use names)."""
        return self.labels.get(value.lower(), value)


def _store_plan(store: Store, plan: Plan) -> None:
    """What the planner does once a plan is computed: store its canonical document under its hash."""
    document = plan.canonical_bytes().decode()
    store.put_plan(plan.plan_hash, plan.token, plan.from_epoch, plan.through_epoch, plan.root, document, time.time())


def _record_verification(store: Store, plan: Plan, recomputed: Plan, proposal_id: int) -> None:
    """What ``union verify`` records: whether an independent recomputation reproduced the published plan."""
    differences = plan_differences(recomputed, plan)
    store.record_verification(plan.plan_hash, proposal_id, not differences, differences, time.time())


def _index(deployed: LocalUnion, url: str) -> None:
    settings = IndexerSettings(database_url=url, rpc_url=deployed.anvil.rpc_url, confirmations=0)
    run_indexer(settings, deployed.manifest, once=True)


def _claim(driver: UnionDriver, plan: Plan, account: LocalAccount) -> None:
    arguments = ProofIndex.from_plan(plan).claim(account.address)
    proof = [bytes.fromhex(node[2:]) for node in arguments.proof]
    call = driver.contracts.distributor.functions.claim(plan.token, account.address, arguments.cumulative_amount, proof)
    driver.transact(driver.accounts.relayer, call)


_CHECKPOINT_GAS = 400_000
"""Gas for calls that write timestamp-keyed checkpoints (consent, delegation, votes): anvil's estimate, made in a
block with the parent's timestamp, can fall short by a new checkpoint slot, so these get a fixed, ample limit."""


def _checkpointing(driver: UnionDriver, sender: LocalAccount, call: Any) -> None:
    driver.sender(sender).transact(call, gas=_CHECKPOINT_GAS)


def _consent(driver: UnionDriver, member: LocalAccount, purpose: str) -> None:
    membership = driver.contracts.membership
    nonce = membership.functions.nonces(member.address).call()
    deadline = driver.now() + 3_600
    typed = consent_typed_data(
        membership=membership.address,
        chain_id=driver.w3.eth.chain_id,
        member=member.address,
        purpose_id=purpose_id(purpose),
        granted=True,
        nonce=nonce,
        deadline=deadline,
    )
    signature = sign_typed_data(member, typed)
    call = membership.functions.setConsentBySig(member.address, purpose_id(purpose), True, nonce, deadline, signature)
    _checkpointing(driver, driver.accounts.relayer, call)


def _ballot(driver: UnionDriver, voter: LocalAccount, proposal_id: int, support: VoteSupport) -> None:
    """A signed ballot, relayed (the voter holds no ETH)."""
    signature = driver.ballot_signature(voter, proposal_id, support)
    call = driver.contracts.governor.functions.castVoteBySig(proposal_id, int(support), voter.address, signature)
    _checkpointing(driver, driver.accounts.relayer, call)


def _pass(driver: UnionDriver, proposer: LocalAccount, spec: ProposalSpec, voters: Sequence[LocalAccount]) -> int:
    proposal_id = driver.propose(proposer, spec)
    driver.start_voting(proposal_id)
    for voter in voters:
        _ballot(driver, voter, proposal_id, VoteSupport.FOR)
    driver.end_voting(proposal_id)
    driver.queue_and_execute(spec)
    return proposal_id


def _play_round(driver: UnionDriver, url: str) -> IndexedRound:
    accounts = driver.accounts
    members = tuple(LocalAccounts.member(index) for index in range(4))
    m0, m1, m2, m3 = members
    schedule = EpochSchedule.from_manifest(driver.union.manifest)
    # Start in an epoch with room for a policy vote before its end, whatever earlier tests did to the clock.
    epoch = schedule.epoch_at(driver.now())
    if schedule.end(epoch) - driver.now() < 1_800:
        epoch += 1
        driver.warp_to(schedule.start(epoch) + 1)

    driver.admit([member.address for member in members])
    driver.advance(5)
    _consent(driver, m0, "ai-training")
    driver.fund(m2.address)
    _checkpointing(driver, m2, driver.contracts.membership.functions.delegate(m3.address))
    driver.record(
        epoch,
        [
            (m0.address, 3, b"\x01" * 32),
            (m1.address, 1, b"\x02" * 32),
            (m2.address, 2, b"\x03" * 32),
            (m2.address, 5, b"\x04" * 32),
        ],
    )
    first_entry = driver.contracts.ledger.functions.lastEntryId().call() - 3
    driver.transact(accounts.steward, driver.contracts.ledger.functions.revoke(epoch, [first_entry + 3]))
    driver.fund(m1.address)
    driver.transact(m1, driver.contracts.ledger.functions.dispute(epoch, first_entry + 2, "units look high"))
    token = driver.deploy_token()
    driver.pay_eth(accounts.buyer, 10 * ETHER, "general", "grant-2026")
    driver.pay_eth(accounts.second_buyer, 2 * ETHER, "ai-training", "licence-7")
    driver.pay_token(token, accounts.second_buyer, TOKEN_REVENUE, "general", "licence-42")

    treasury = driver.contracts.treasury
    policy = DividendPolicy(1_000, 500, 2_000, 5_000, accounts.operations.address)
    policy_spec = dividend_policy_proposal(treasury, policy, "Policy: 10% reserve, 5% operations, 20% floor, 50% cap")
    _pass(driver, m0, policy_spec, [m0, m1, m3])
    assert driver.now() < schedule.end(epoch)

    driver.warp_to(schedule.grace_end(epoch))
    _index(driver.union, url)
    store = Store(create_store_engine(url))
    plans: dict[str, Plan] = {}
    for asset in (ZERO_ADDRESS, token.address):
        plans[asset] = plan_from_store(store, driver.union.manifest, asset, epoch)
        _store_plan(store, plans[asset])
    recomputed = plan_from_store(store, driver.union.manifest, ZERO_ADDRESS, epoch)

    def funding(asset: ChecksumAddress, name: str) -> ProposalSpec:
        plan = plans[asset]
        return fund_dividends_proposal(
            treasury,
            token=asset,
            from_epoch=plan.from_epoch,
            through_epoch=plan.through_epoch,
            purposes=plan.purpose_fundings(),
            new_root=bytes.fromhex(plan.root[2:]),
            plan_hash=bytes.fromhex(plan.plan_hash[2:]),
            description=f"Dividends for epochs 1-{epoch} in {name}",
        )

    eth_spec = funding(ZERO_ADDRESS, "ETH")
    eth_proposal = driver.propose(m1, eth_spec)
    transfer_spec = transfer_proposal(
        treasury, token=ZERO_ADDRESS, to=m3.address, amount=ETHER // 10, memo="expenses", description="Pay expenses"
    )
    defeated_proposal = driver.propose(m2, transfer_spec)
    driver.start_voting(eth_proposal)
    driver.start_voting(defeated_proposal)  # proposed a block later: its snapshot may be a second later
    _ballot(driver, m0, eth_proposal, VoteSupport.FOR)
    governor = driver.contracts.governor
    _checkpointing(driver, m1, governor.functions.castVote(eth_proposal, int(VoteSupport.FOR)))
    driver.fund(m3.address)
    _checkpointing(driver, m3, governor.functions.castVote(eth_proposal, int(VoteSupport.FOR)))
    against = governor.functions.castVoteWithReason(defeated_proposal, int(VoteSupport.AGAINST), "not now")
    _checkpointing(driver, m1, against)
    driver.end_voting(eth_proposal)
    driver.end_voting(defeated_proposal)
    driver.queue_and_execute(eth_spec)
    token_proposal = _pass(driver, m0, funding(token.address, "TUSD"), [m0, m1, m3])

    _claim(driver, plans[ZERO_ADDRESS], m0)
    _claim(driver, plans[token.address], m1)
    _index(driver.union, url)
    _record_verification(store, plans[ZERO_ADDRESS], recomputed, eth_proposal)
    store.close()

    labels = {ZERO_ADDRESS.lower(): "ETH", token.address.lower(): "TUSD"}
    labels |= {member.address.lower(): f"member{index}" for index, member in enumerate(members)}
    for role in ("buyer", "second_buyer", "operations", "relayer", "steward", "guardian", "deployer"):
        labels[getattr(accounts, role).address.lower()] = role
    labels[str(eth_proposal)] = "eth-funding-proposal"
    labels[plans[ZERO_ADDRESS].plan_hash] = "eth-plan"
    labels[plans[token.address].plan_hash] = "token-plan"
    return IndexedRound(
        store_url=url,
        deployed=driver.union,
        schedule=schedule,
        epoch=epoch,
        token=token.address,
        members=members,
        eth_plan=plans[ZERO_ADDRESS],
        token_plan=plans[token.address],
        policy_proposal=policy_spec.proposal_id(),
        eth_proposal=eth_proposal,
        token_proposal=token_proposal,
        defeated_proposal=defeated_proposal,
        labels=labels,
    )


@pytest.fixture(scope="session")
def indexed_round(deployed_union: LocalUnion, tmp_path_factory: pytest.TempPathFactory) -> IndexedRound:
    """The round, played on a snapshot of the session's chain and indexed; the chain is reverted afterwards."""
    path: Path = tmp_path_factory.mktemp("api-store") / "union.db"
    snapshot = deployed_union.anvil.rpc("evm_snapshot")
    try:
        return _play_round(UnionDriver(deployed_union), f"sqlite:///{path}")
    finally:
        deployed_union.anvil.rpc("evm_revert", snapshot)


def api_settings(url: str) -> ApiSettings:
    """Settings that re-read the store's version on every request (so a test never sees a stale answer)."""
    return ApiSettings(database_url=url, cache_poll_interval=0, cache_max_age=5)


@pytest.fixture(scope="session")
def api_store(indexed_round: IndexedRound) -> Iterator[Store]:
    store = Store(create_store_engine(indexed_round.store_url))
    yield store
    store.close()


@pytest.fixture(scope="session")
def client(indexed_round: IndexedRound, api_store: Store) -> Iterator[TestClient]:
    """A client of the app over the round's store (read side only)."""
    app = create_app(api_settings(indexed_round.store_url), api_store, indexed_round.schedule)
    with TestClient(app) as test_client:
        yield test_client
