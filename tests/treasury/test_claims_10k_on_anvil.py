"""Proofs from a Python-built tree of 10,000 accounts claim through the real ``DividendDistributor`` on anvil.

The root is funded the only way there is — a ``fundDividends`` proposal that passes a vote and executes through the
timelock — and a relayer then claims for a random sample of accounts, which receive exactly their amounts.
"""

from __future__ import annotations

import random

import pytest
from eth_utils import keccak

from tests.helpers.driver import UnionDriver
from tests.treasury.anvil_round import decide
from treasury.allocation import AccountAmounts
from treasury.inputs import checksum_address
from treasury.plan import distribution_tree
from treasury.proofs import ProofIndex
from union.errors import ContractRevertError
from union.localnet import LocalAccounts
from union.types import ZERO_ADDRESS
from voting.proposals import fund_dividends_proposal
from voting.typed_data import VoteSupport

ACCOUNTS = 10_000
SAMPLE = 20


def test_random_sample_of_a_10k_account_tree_claims_exactly_through_the_distributor(union: UnionDriver) -> None:
    rng = random.Random(20_261_122)
    allocations = {checksum_address("0x" + rng.randbytes(20).hex()): rng.randint(1, 10**15) for _ in range(ACCOUNTS)}
    cumulative = AccountAmounts.from_mapping(allocations)
    tree = distribution_tree(cumulative)
    assert tree is not None
    assert len(tree) == ACCOUNTS
    total = cumulative.total

    voters = [LocalAccounts.member(i) for i in range(3)]
    union.admit([voter.address for voter in voters])
    union.pay_eth(union.accounts.buyer, total, "general", "10k-round")
    union.warp_to(union.grace_end(1))
    treasury, distributor = union.contracts.treasury, union.contracts.distributor
    spec = fund_dividends_proposal(
        treasury,
        token=ZERO_ADDRESS,
        from_epoch=0,
        through_epoch=1,
        purposes=[(bytes(32), total, 0)],  # general revenue
        new_root=tree.root_bytes,
        plan_hash=keccak(text="10k-account tree"),
        description="Dividends for 10,000 accounts (claims test)",
    )
    decide(union, voters[0], spec, voters, VoteSupport.FOR)
    union.queue_and_execute(spec)
    assert "0x" + distributor.functions.merkleRoot(ZERO_ADDRESS).call().hex() == tree.root

    index = ProofIndex(ZERO_ADDRESS, tree.dump(), tree.root)
    relayer = union.accounts.relayer
    sample = rng.sample(cumulative.accounts, SAMPLE)
    for account in sample:
        claim = index.claim(account)
        assert claim.cumulative_amount == allocations[account]
        assert union.balance_of(ZERO_ADDRESS, account) == 0
        union.transact(
            relayer,
            distributor.functions.claim(ZERO_ADDRESS, account, claim.cumulative_amount, list(claim.proof)),
        )
        assert union.balance_of(ZERO_ADDRESS, account) == allocations[account]
        assert distributor.functions.claimed(ZERO_ADDRESS, account).call() == allocations[account]
    claimed = sum(allocations[account] for account in sample)
    assert distributor.functions.totalClaimed(ZERO_ADDRESS).call() == claimed
    assert union.balance_of(ZERO_ADDRESS, distributor.address) == total - claimed

    # A proof for one account does not pay another, and a claimed amount is not paid twice.
    first, second = sample[0], sample[1]
    with pytest.raises(ContractRevertError):
        union.transact(
            relayer,
            distributor.functions.claim(ZERO_ADDRESS, second, allocations[first], list(index.claim(first).proof)),
        )
    with pytest.raises(ContractRevertError):
        union.transact(
            relayer,
            distributor.functions.claim(ZERO_ADDRESS, first, allocations[first], list(index.claim(first).proof)),
        )
    assert union.balance_of(ZERO_ADDRESS, first) == allocations[first]
