"""Sending one operation's transaction: simulated first (a refusal is decoded and costs nothing), then mined.

The simulation and its gas headroom for timestamp-keyed checkpoints are the kernel's (``union.chain.simulate_gas``).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_typing import HexStr
from web3.contract.contract import ContractFunction

from union.chain import TransactionSender, tx_hash_hex

__all__ = ["SentTransaction", "send_call"]


@dataclass(frozen=True, slots=True)
class SentTransaction:
    """A mined transaction of an operation: what it did, its hash, block and gas."""

    label: str
    transaction_hash: HexStr
    block_number: int
    gas_used: int


def send_call(sender: TransactionSender, call: ContractFunction, label: str) -> SentTransaction:
    """Simulate, sign, send and wait for ``call``; raises the decoded revert before any gas is spent."""
    receipt = sender.transact(call)
    return SentTransaction(label, tx_hash_hex(receipt), int(receipt["blockNumber"]), int(receipt["gasUsed"]))
