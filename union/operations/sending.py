"""Sending one operation's transaction: simulated first (a refusal is decoded and costs nothing), then mined.

Calls that write timestamp-keyed checkpoints (admissions, proposals, votes) are estimated in one block and mined in
a later one, where a checkpoint may need a fresh storage slot; a fixed headroom on top of the estimate covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from eth_typing import HexStr
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError

from union.chain import TransactionSender, tx_hash_hex
from union.contracts import decode_revert
from union.errors import ContractRevertError, InsufficientFundsError

__all__ = ["SentTransaction", "send_call", "simulate"]

CHECKPOINT_HEADROOM: Final = 25_000
"""Gas for one checkpoint written to a new slot instead of an updated one (22,100) and change."""


@dataclass(frozen=True, slots=True)
class SentTransaction:
    """A mined transaction of an operation: what it did, its hash, block and gas."""

    label: str
    transaction_hash: HexStr
    block_number: int
    gas_used: int


def simulate(call: ContractFunction, sender: str) -> int:
    """``eth_estimateGas`` of ``call`` from ``sender`` plus the checkpoint headroom; a revert raises, decoded."""
    try:
        return int(call.estimate_gas({"from": sender})) + CHECKPOINT_HEADROOM
    except (ContractCustomError, ContractLogicError, Web3RPCError) as exc:
        if "insufficient funds" in str(exc).lower():
            raise InsufficientFundsError(f"{sender} cannot pay for this transaction: {exc}") from exc
        data = getattr(exc, "data", None)
        if isinstance(data, dict):
            data = data.get("data")
        if isinstance(data, str) and data.startswith("0x"):
            raise decode_revert(data) from exc
        raise ContractRevertError("Reverted", {"reason": str(exc)}) from exc


def send_call(sender: TransactionSender, call: ContractFunction, label: str) -> SentTransaction:
    """Simulate, sign, send and wait for ``call``; raises the decoded revert before any gas is spent."""
    receipt = sender.transact(call, gas=simulate(call, sender.address))
    return SentTransaction(label, tx_hash_hex(receipt), int(receipt["blockNumber"]), int(receipt["gasUsed"]))
