"""Union activity on anvil for the indexer tests: every kind of event the projections handle.

Transactions that push timestamp-keyed checkpoints (admission, consent, delegation, votes, resignation) are sent with
a fixed gas allowance from anvil's unlocked accounts: a gas *estimate* can fall short when the block's second ticks
between estimation and mining (see REQUESTS.md, 23:50), and the indexer's tests must not inherit that flake.
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from tests.helpers.driver import UnionDriver, purpose_id
from tests.indexer.helpers import send_fast
from treasury.merkle import StandardMerkleTree
from union.localnet import LocalAccounts
from union.types import ZERO_ADDRESS
from voting.proposals import DividendPolicy, ProposalSpec, dividend_policy_proposal, fund_dividends_proposal
from voting.typed_data import VoteSupport

ETHER = 10**18


def members(count: int = 4) -> list[LocalAccount]:
    return [LocalAccounts.member(i) for i in range(count)]


def admit(union: UnionDriver, accounts: list[str]) -> None:
    send_fast(union, union.accounts.steward.address, union.contracts.membership.functions.admit(accounts))


def busy_epoch(union: UnionDriver, *, batches: int = 3, batch_size: int = 20) -> None:
    """Admissions, consents, delegations, many contribution entries, a revocation, a dispute and revenue."""
    people = members()
    membership, ledger = union.contracts.membership, union.contracts.ledger
    admit(union, [member.address for member in people])
    union.advance(5)
    for member, granted in ((people[0], True), (people[1], True), (people[1], False)):
        send_fast(union, member.address, membership.functions.setConsent(purpose_id("ai-training"), granted))
    send_fast(union, people[2].address, membership.functions.delegate(people[3].address))
    for batch in range(batches):
        union.record(
            1,
            [
                (people[index % 3].address, 1 + index + batch, bytes([batch, index]) + b"\x00" * 30)
                for index in range(batch_size)
            ],
        )
    send_fast(union, union.accounts.steward.address, ledger.functions.revoke(1, [2, 2, 5]))
    send_fast(union, people[1].address, ledger.functions.dispute(1, 3, "duplicate of entry 1"))
    union.pay_eth(union.accounts.buyer, 3 * ETHER, "general", "grant-1")
    union.pay_eth(union.accounts.second_buyer, 2 * ETHER, "ai-training", "licence-7")


def _pass(union: UnionDriver, proposer: LocalAccount, spec: ProposalSpec, relayed: LocalAccount) -> None:
    """Propose, one ballot signed and relayed, two direct votes (the minimum quorum is 3), then queue and execute."""
    governor = union.contracts.governor
    proposal_id = spec.proposal_id()
    send_fast(union, proposer.address, governor.functions.propose(*spec.propose_args()))
    union.start_voting(proposal_id)
    signature = union.ballot_signature(relayed, proposal_id, VoteSupport.FOR)
    ballot = governor.functions.castVoteBySig(proposal_id, int(VoteSupport.FOR), relayed.address, signature)
    send_fast(union, union.accounts.relayer.address, ballot)
    votes = union.contracts.membership.functions.getVotes
    direct = [m for m in members() if m.address != relayed.address and votes(m.address).call() > 0][:2]
    for voter in direct:
        send_fast(union, voter.address, governor.functions.castVote(proposal_id, int(VoteSupport.FOR)))
    union.end_voting(proposal_id)
    union.queue_and_execute(spec)


def governance_round(union: UnionDriver) -> None:
    """A policy vote, a funded distribution after the grace window, two claims, an admission and a resignation."""
    people = members()
    treasury = union.contracts.treasury
    policy = DividendPolicy(1_000, 0, 0, 0, ZERO_ADDRESS)
    _pass(union, people[0], dividend_policy_proposal(treasury, policy, "Policy: 10% reserve"), people[0])

    union.warp_to(union.grace_end(1))
    allocations = {people[0].address: 2 * ETHER, people[1].address: ETHER}
    tree = StandardMerkleTree.of([[a, v] for a, v in allocations.items()], ["address", "uint256"])
    funding = fund_dividends_proposal(
        treasury,
        token=ZERO_ADDRESS,
        from_epoch=0,
        through_epoch=1,
        purposes=[(purpose_id("general"), 3 * ETHER, 0), (purpose_id("ai-training"), 0, ETHER // 2)],
        new_root=tree.root_bytes,
        plan_hash=b"\x42" * 32,
        description="Dividends for epoch 1",
    )
    _pass(union, people[1], funding, people[0])
    distributor = union.contracts.distributor
    for index, (account, amount) in enumerate(tree.values):
        proof = [bytes.fromhex(p[2:]) for p in tree.get_proof(index)]
        union.transact(
            union.accounts.relayer, distributor.functions.claim(ZERO_ADDRESS, str(account), int(str(amount)), proof)
        )
    admit(union, [LocalAccounts.member(9).address])
    send_fast(union, people[3].address, union.contracts.membership.functions.resign())
