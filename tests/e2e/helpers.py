"""Shared checks of the end-to-end tests: what a member can claim, and whether the books reconcile, read on chain."""

from __future__ import annotations

from eth_typing import ChecksumAddress
from web3 import Web3

from treasury.plan import Plan
from union.contracts import UnionContracts
from union.types import ZERO_ADDRESS

ERC20_BALANCE_ABI = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]


def balance_of(w3: Web3, token: ChecksumAddress, holder: ChecksumAddress) -> int:
    if token == ZERO_ADDRESS:
        return int(w3.eth.get_balance(holder))
    return int(w3.eth.contract(address=token, abi=ERC20_BALANCE_ABI).functions.balanceOf(holder).call())


def allocations_by_account(plans: list[Plan]) -> dict[str, int]:
    """Every account's total allocation over the plans' epochs (members' shares and operations payments)."""
    totals: dict[str, int] = {}
    for plan in plans:
        for epoch in plan.epochs:
            for purpose in epoch.purposes:
                for account, amount in purpose.allocations.items():
                    totals[account] = totals.get(account, 0) + amount
                if purpose.operations and purpose.operations_account is not None:
                    account = purpose.operations_account
                    totals[account] = totals.get(account, 0) + purpose.operations
    return totals


def assert_books_reconcile(w3: Web3, contracts: UnionContracts, token: ChecksumAddress) -> None:
    """The treasury holds exactly its books (no shortfall, nothing unattributed); the distributor covers its debt."""
    treasury, distributor = contracts.treasury.functions, contracts.distributor.functions
    books = int(treasury.bookedRevenue(token).call()) - int(treasury.outflows(token).call())
    assert balance_of(w3, token, contracts.treasury.address) == books
    owed = int(distributor.totalFunded(token).call()) - int(distributor.totalClaimed(token).call())
    assert balance_of(w3, token, contracts.distributor.address) >= owed
    assert int(treasury.earmarked(token).call()) <= books
