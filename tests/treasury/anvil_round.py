"""A realistic two-epoch round on the local union, for the plan/verify tests (built once per module, then reverted).

Six members (anvil HD accounts). Consent profiles: members 0-2 consent to "ai-training" during epoch 1 (so it
counts from epoch 2), member 3 declines it, members 0 and 3 consent to "medical-research"; during epoch 2 member 4
consents to "ai-training" (counts from epoch 3 only) and member 0 withdraws it (still counts in epoch 2).
Contributions in epochs 1 and 2, one epoch-2 entry revoked, and one epoch-1 entry "revoked" in epoch 2's name
(which must not count). Revenue in ETH and an ERC-20 for "ai-training", "medical-research" and "general" in both
epochs — epoch 1's purposes have nobody consenting yet, so they are carried. During epoch 2 the members vote a new
policy with reserve, operations, floor and cap, which governs epoch 2 (in force at its end) but not epoch 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3.contract import Contract
from web3.types import TxReceipt

from tests.helpers.driver import UnionDriver, purpose_id
from treasury.allocation import AccountAmounts
from treasury.plan import Plan, distribution_tree
from treasury.verify import distribution_description
from union.localnet import LocalAccounts, LocalUnion
from voting.proposals import DividendPolicy, ProposalSpec, dividend_policy_proposal, fund_dividends_proposal
from voting.typed_data import VoteSupport, consent_typed_data, sign_typed_data

ETHER = 10**18
CHECKPOINT_GAS = 400_000
"""Fixed gas for calls that push timestamp-keyed checkpoints (anvil's estimate can fall short by a new slot)."""


@dataclass
class Round:
    """The driver, the members and the ERC-20 of the round."""

    union: UnionDriver
    members: list[LocalAccount]
    token: Contract

    @property
    def token_address(self) -> ChecksumAddress:
        address: ChecksumAddress = self.token.address
        return address


def consent(union: UnionDriver, member: LocalAccount, purpose: str, granted: bool) -> TxReceipt:
    """A consent change signed by the member and relayed (fixed gas: it writes a checkpoint)."""
    membership = union.contracts.membership
    nonce = membership.functions.nonces(member.address).call()
    deadline = union.now() + 3_600
    typed = consent_typed_data(
        membership=membership.address,
        chain_id=union.w3.eth.chain_id,
        member=member.address,
        purpose_id=purpose_id(purpose),
        granted=granted,
        nonce=nonce,
        deadline=deadline,
    )
    call = membership.functions.setConsentBySig(
        member.address, purpose_id(purpose), granted, nonce, deadline, sign_typed_data(member, typed)
    )
    return union.sender(union.accounts.relayer).transact(call, gas=CHECKPOINT_GAS)


def vote(union: UnionDriver, voter: LocalAccount, proposal_id: int, support: VoteSupport) -> None:
    """A signed ballot relayed with ``castVoteBySig`` (fixed gas, as above)."""
    signature = union.ballot_signature(voter, proposal_id, support)
    call = union.contracts.governor.functions.castVoteBySig(proposal_id, int(support), voter.address, signature)
    union.sender(union.accounts.relayer).transact(call, gas=CHECKPOINT_GAS)


def decide(
    union: UnionDriver, proposer: LocalAccount, spec: ProposalSpec, voters: list[LocalAccount], support: VoteSupport
) -> int:
    """Propose ``spec`` and let ``voters`` vote ``support``; the vote is over when this returns."""
    proposal_id = union.propose(proposer, spec)
    union.start_voting(proposal_id)
    for voter in voters:
        vote(union, voter, proposal_id, support)
    union.end_voting(proposal_id)
    return proposal_id


def fund_plan(round_: Round, plan: Plan, *, plan_url: str | None = None) -> int:
    """Fund ``plan`` (as it is, tampered or not) through a real vote that passes; returns the proposal id."""
    union = round_.union
    spec = funding_spec(round_, plan, plan_url=plan_url)
    proposal_id = decide(union, round_.members[1], spec, round_.members[:3], VoteSupport.FOR)
    union.queue_and_execute(spec)
    return proposal_id


def funding_spec(round_: Round, plan: Plan, *, plan_url: str | None = None) -> ProposalSpec:
    """The single ``fundDividends`` action of ``plan``, described with its hash (and URL)."""
    return fund_dividends_proposal(
        round_.union.contracts.treasury,
        token=plan.token,
        from_epoch=plan.from_epoch,
        through_epoch=plan.through_epoch,
        purposes=plan.purpose_fundings(),
        new_root=bytes.fromhex(plan.root[2:]),
        plan_hash=bytes.fromhex(plan.plan_hash[2:]),
        description=distribution_description(plan, plan_url),
    )


def tampered(plan: Plan, *, take_from: ChecksumAddress, give_to: ChecksumAddress, amount: int | None = None) -> Plan:
    """``plan`` with ``amount`` (default: all) of one account's cumulative moved to another; totals unchanged."""
    cumulative = dict(plan.new_cumulative)
    moved = cumulative[take_from] if amount is None else amount
    cumulative[take_from] -= moved
    cumulative[give_to] = cumulative.get(give_to, 0) + moved
    amounts = AccountAmounts.from_mapping(cumulative)
    tree = distribution_tree(amounts)
    assert tree is not None
    copied = plan.model_copy(update={"new_cumulative": amounts.as_dict(), "tree": tree.dump(), "root": tree.root})
    return Plan.from_json(copied.model_dump_json(by_alias=True))  # validated again: maps in canonical key order


def build_round(union: UnionDriver) -> Round:
    """Play epochs 1 and 2 as the module docstring says; the clock ends inside epoch 2."""
    members = [LocalAccounts.member(i) for i in range(6)]
    m = [member.address for member in members]
    buyer, second_buyer = union.accounts.buyer, union.accounts.second_buyer
    union.admit(m)
    token = union.deploy_token()
    union.advance(5)

    # Epoch 1: consent (counts from epoch 2), contributions, revenue nobody can share for its purposes yet.
    for index in (0, 1, 2):
        consent(union, members[index], "ai-training", True)
    consent(union, members[3], "ai-training", False)
    for index in (0, 3):
        consent(union, members[index], "medical-research", True)
    union.record(1, [(m[0], 5, b"\x01" * 32), (m[1], 3, b"\x02" * 32), (m[2], 2, b"\x03" * 32)])
    union.record(1, [(m[3], 4, b"\x04" * 32), (m[4], 1, b"\x05" * 32)])  # entry ids 4 and 5
    union.pay_eth(buyer, 10 * ETHER, "general", "grant-2026")
    union.pay_eth(buyer, 4 * ETHER, "ai-training", "licence-ai-1")
    union.pay_eth(second_buyer, ETHER, "medical-research", "licence-med-1")
    union.pay_token(token, second_buyer, 1_000_000, "medical-research", "licence-med-2")
    union.pay_token(token, buyer, 700_001, "general", "grant-tusd")

    # Epoch 2: contributions (one revoked; an epoch-1 entry "revoked" in epoch 2's name does not count),
    # consent changes that only count from epoch 3, revenue, and the policy vote.
    union.warp_to(union.epoch_start(2) + 1)
    union.record(
        2,
        [
            (m[0], 4, b"\x11" * 32),
            (m[1], 2, b"\x12" * 32),
            (m[1], 6, b"\x13" * 32),  # entry 8, revoked below
            (m[2], 3, b"\x14" * 32),
            (m[3], 1, b"\x15" * 32),
            (m[5], 2, b"\x16" * 32),
        ],
    )
    ledger = union.contracts.ledger
    union.transact(union.accounts.steward, ledger.functions.revoke(2, [8, 5]))
    consent(union, members[4], "ai-training", True)
    consent(union, members[0], "ai-training", False)
    union.pay_eth(buyer, 6 * ETHER, "ai-training", "licence-ai-2")
    union.pay_eth(buyer, 2 * ETHER, "medical-research", "licence-med-3")
    union.pay_eth(second_buyer, 3 * ETHER + 7, "general", "donation")
    union.pay_token(token, buyer, 500_003, "ai-training", "licence-ai-tusd")
    union.pay_token(token, second_buyer, 300_000, "general", "grant-tusd-2")
    policy = DividendPolicy(500, 200, 1_000, 3_500, union.accounts.operations.address)
    spec = dividend_policy_proposal(union.contracts.treasury, policy, "Policy: 5% reserve, 2% operations, cap 35%")
    decide(union, members[0], spec, members[:3], VoteSupport.FOR)
    union.queue_and_execute(spec)
    assert union.now() < union.epoch_end(2)
    return Round(union, members, token)


@pytest.fixture(scope="module")
def base_round(deployed_union: LocalUnion) -> Iterator[Round]:
    """The round, built once for the module on the session's union; the chain is reverted afterwards."""
    anvil = deployed_union.anvil
    snapshot = anvil.rpc("evm_snapshot")
    try:
        yield build_round(UnionDriver(deployed_union))
    finally:
        anvil.rpc("evm_revert", snapshot)


@pytest.fixture
def round_(base_round: Round) -> Iterator[Round]:
    """The round for one test; whatever the test does is reverted afterwards."""
    anvil = base_round.union.anvil
    snapshot = anvil.rpc("evm_snapshot")
    base_round.union.reset_nonces()
    try:
        yield base_round
    finally:
        anvil.rpc("evm_revert", snapshot)
        base_round.union.reset_nonces()
