"""When the scheduler plans: the last epoch whose grace window has closed, and block times over RPC.

The plans themselves come from :class:`~treasury.readers.PlanHistory` over the indexer's store
(:class:`~indexer.plan_inputs.StorePlanInputsReader`) — the same history ``union verify`` builds over an RPC node,
so the two give the same plan hash.
"""

from __future__ import annotations

from eth_typing import BlockNumber
from web3 import Web3

from indexer.plan_inputs import TimestampOf
from treasury import EpochSchedule

__all__ = ["block_timestamp_reader", "last_closed_epoch"]


def last_closed_epoch(schedule: EpochSchedule, timestamp: int) -> int:
    """The last epoch whose grace window closed at or before ``timestamp`` (0 when none has)."""
    elapsed = timestamp - schedule.grace - schedule.genesis
    return max(0, elapsed // schedule.length) if elapsed >= 0 else 0


def block_timestamp_reader(w3: Web3) -> TimestampOf:
    """``number -> timestamp`` over RPC (the store keeps the headers of its reorg window only)."""

    def timestamp_of(number: int) -> int:
        return int(w3.eth.get_block(BlockNumber(number))["timestamp"])

    return timestamp_of
