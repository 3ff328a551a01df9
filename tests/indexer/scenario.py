"""Union activity on anvil for the indexer tests: every kind of event the projections handle, through the driver."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from tests.helpers.driver import UnionDriver
from treasury.merkle import StandardMerkleTree
from union.localnet import LocalAccounts
from union.types import ZERO_ADDRESS
from voting.proposals import DividendPolicy, dividend_policy_proposal, fund_dividends_proposal
from voting.typed_data import VoteSupport

ETHER = 10**18


def members(count: int = 4) -> list[LocalAccount]:
    return [LocalAccounts.member(i) for i in range(count)]


def busy_epoch(union: UnionDriver, *, batches: int = 3, batch_size: int = 20) -> None:
    """Admissions, consents, delegations, many contribution entries, a revocation, a dispute and revenue."""
    people = members()
    union.admit([member.address for member in people])
    union.advance(5)
    union.set_consent(people[0], "ai-training", True)
    union.set_consent(people[1], "ai-training", True)
    union.set_consent(people[1], "ai-training", False)
    union.fund(people[2].address)
    union.transact(people[2], union.contracts.membership.functions.delegate(people[3].address))
    for batch in range(batches):
        union.record(
            1,
            [
                (people[index % 3].address, 1 + index + batch, bytes([batch, index]) + b"\x00" * 30)
                for index in range(batch_size)
            ],
        )
    union.transact(union.accounts.steward, union.contracts.ledger.functions.revoke(1, [2, 2, 5]))
    union.fund(people[1].address)
    union.transact(people[1], union.contracts.ledger.functions.dispute(1, 3, "duplicate of entry 1"))
    union.pay_eth(union.accounts.buyer, 3 * ETHER, "general", "grant-1")
    union.pay_eth(union.accounts.second_buyer, 2 * ETHER, "ai-training", "licence-7")


def governance_round(union: UnionDriver) -> None:
    """A policy vote (one ballot relayed), a funded distribution after the grace window, and two claims."""
    people = members()
    treasury = union.contracts.treasury
    policy = DividendPolicy(1_000, 0, 0, 0, ZERO_ADDRESS)
    spec = dividend_policy_proposal(treasury, policy, "Policy: 10% reserve")
    proposal_id = union.propose(people[0], spec)
    union.start_voting(proposal_id)
    union.vote_by_sig(people[0], proposal_id, VoteSupport.FOR)
    union.fund(people[1].address)
    union.transact(people[1], union.contracts.governor.functions.castVote(proposal_id, int(VoteSupport.FOR)))
    union.end_voting(proposal_id)
    union.queue_and_execute(spec)

    union.warp_to(union.grace_end(1))
    allocations = {people[0].address: 2 * ETHER, people[1].address: ETHER}
    tree = StandardMerkleTree.of([[a, v] for a, v in allocations.items()], ["address", "uint256"])
    funding = fund_dividends_proposal(
        treasury,
        token=ZERO_ADDRESS,
        from_epoch=0,
        through_epoch=1,
        amount=3 * ETHER,
        reserve_released=ETHER // 2,
        new_root=tree.root_bytes,
        plan_hash=b"\x42" * 32,
        description="Dividends for epoch 1",
    )
    union.pass_proposal(people[1], funding, people[:2])
    distributor = union.contracts.distributor
    for index, (account, amount) in enumerate(tree.values):
        proof = [bytes.fromhex(p[2:]) for p in tree.get_proof(index)]
        union.transact(
            union.accounts.relayer, distributor.functions.claim(ZERO_ADDRESS, str(account), int(str(amount)), proof)
        )
    union.transact(
        union.accounts.steward, union.contracts.membership.functions.admit([LocalAccounts.member(9).address])
    )
    union.fund(people[3].address)
    union.transact(people[3], union.contracts.membership.functions.resign())
