"""A full round on a deployed union, through web3.py and the real contracts: members are admitted, contributions
recorded, revenue paid in ETH and in an ERC-20, the policy set by a vote, dividends funded by a vote (one ballot
signed off-chain and relayed with castVoteBySig), queued, executed, and claimed — by the member and by a third party
for the member. Every balance is checked to the wei."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from tests.helpers.driver import UnionDriver
from treasury.merkle import StandardMerkleTree
from union.localnet import LocalAccounts
from union.types import ZERO_ADDRESS
from voting.proposals import DividendPolicy, dividend_policy_proposal, fund_dividends_proposal
from voting.typed_data import VoteSupport

ETHER = 10**18


def _gas_cost(receipt: TxReceipt) -> int:
    return int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])


def _tree(allocations: dict[str, int]) -> StandardMerkleTree:
    return StandardMerkleTree.of([[account, amount] for account, amount in allocations.items()], ["address", "uint256"])


def _proof(tree: StandardMerkleTree, account: str) -> tuple[int, list[bytes]]:
    for index, (leaf_account, amount) in enumerate(tree.values):
        if str(leaf_account).lower() == account.lower():
            return int(str(amount)), [bytes.fromhex(p[2:]) for p in tree.get_proof(index)]
    raise AssertionError(f"{account} has no leaf")


def test_full_round_pays_members_exactly_in_eth_and_erc20(union: UnionDriver) -> None:
    members: list[LocalAccount] = [LocalAccounts.member(i) for i in range(4)]
    union.admit([m.address for m in members])
    union.advance(10)

    # Contributions for epoch 1, revenue in ETH (plain ETH = general purpose) and in an ERC-20.
    union.record(1, [(members[0].address, 3, b"\x01" * 32), (members[1].address, 1, b"\x02" * 32)])
    token = union.deploy_token()
    union.pay_eth(union.accounts.buyer, 10 * ETHER, "general", "grant-2026")
    union.pay_token(token, union.accounts.second_buyer, 1_000_000, "general", "licence-42")
    treasury = union.contracts.treasury
    assert treasury.functions.earmarked(ZERO_ADDRESS).call() == 10 * ETHER
    assert treasury.functions.earmarked(token.address).call() == 1_000_000

    # The members set a new policy by vote: 10 % reserve, no operations share.
    policy = DividendPolicy(1_000, 0, 0, 0, ZERO_ADDRESS)
    union.pass_proposal(
        members[0], dividend_policy_proposal(treasury, policy, "Policy: 10% reserve, no operations share"), members
    )
    assert tuple(treasury.functions.dividendPolicy().call()) == policy.as_tuple()

    # After epoch 1's grace window: fund both tokens (allocations computed here by hand, 3:1 after the reserve).
    union.warp_to(union.grace_end(1))
    eth_allocations = {members[0].address: 6_750_000_000_000_000_000, members[1].address: 2_250_000_000_000_000_000}
    token_allocations = {members[0].address: 675_000, members[1].address: 225_000}
    rounds = []
    for asset, allocations, reserve in (
        (ZERO_ADDRESS, eth_allocations, ETHER),
        (token.address, token_allocations, 100_000),
    ):
        tree = _tree(allocations)
        spec = fund_dividends_proposal(
            treasury,
            token=asset,
            from_epoch=0,
            through_epoch=1,
            purposes=[(bytes(32), sum(allocations.values()), reserve)],  # general revenue
            new_root=tree.root_bytes,
            plan_hash=b"\x42" * 32,
            description=f"Dividends for epoch 1 in {asset}",
        )
        proposal_id = union.propose(members[1], spec)
        union.start_voting(proposal_id)
        # One ballot signed off-chain (EIP-712 with eth-account) and relayed; the others vote directly.
        union.vote_by_sig(members[0], proposal_id, VoteSupport.FOR)
        for voter in members[1:3]:
            union.fund(voter.address)
            union.transact(voter, union.contracts.governor.functions.castVote(proposal_id, int(VoteSupport.FOR)))
        union.end_voting(proposal_id)
        union.queue_and_execute(spec)
        rounds.append((asset, tree))

    distributor = union.contracts.distributor
    assert treasury.functions.earmarked(ZERO_ADDRESS).call() == 0
    assert treasury.functions.freeBalance(ZERO_ADDRESS).call() == ETHER
    assert union.balance_of(ZERO_ADDRESS, distributor.address) == 9 * ETHER
    assert distributor.functions.totalFunded(token.address).call() == 900_000

    (_, eth_tree), (_, token_tree) = rounds
    # The member claims ETH directly and pays the gas: the balance moves by the allocation minus the gas, exactly.
    union.fund(members[0].address)
    cumulative, proof = _proof(eth_tree, members[0].address)
    before = union.balance_of(ZERO_ADDRESS, members[0].address)
    receipt = union.transact(
        members[0], distributor.functions.claim(ZERO_ADDRESS, members[0].address, cumulative, proof)
    )
    assert union.balance_of(ZERO_ADDRESS, members[0].address) == before + cumulative - _gas_cost(receipt)

    # A third party claims for member 1: the member pays nothing and receives exactly the allocation.
    cumulative, proof = _proof(eth_tree, members[1].address)
    before = union.balance_of(ZERO_ADDRESS, members[1].address)
    union.transact(
        union.accounts.relayer, distributor.functions.claim(ZERO_ADDRESS, members[1].address, cumulative, proof)
    )
    assert union.balance_of(ZERO_ADDRESS, members[1].address) == before + 2_250_000_000_000_000_000

    for member in members[:2]:
        cumulative, proof = _proof(token_tree, member.address)
        union.transact(
            union.accounts.relayer, distributor.functions.claim(token.address, member.address, cumulative, proof)
        )
        assert union.balance_of(token.address, member.address) == token_allocations[member.address]
    assert distributor.functions.totalClaimed(ZERO_ADDRESS).call() == 9 * ETHER
    assert distributor.functions.totalClaimed(token.address).call() == 900_000
    assert union.balance_of(token.address, distributor.address) == 0
    assert union.balance_of(token.address, treasury.address) == 100_000
