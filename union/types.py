"""Small domain types shared by every package, so signatures say what a number means."""

from __future__ import annotations

from typing import NewType

from eth_typing import ChecksumAddress, HexAddress, HexStr

__all__ = [
    "GENERAL_PURPOSE",
    "ZERO_ADDRESS",
    "ChecksumAddress",
    "EpochId",
    "HexStr",
    "ProposalId",
    "PurposeId",
    "Timestamp",
    "Wei",
]

EpochId = NewType("EpochId", int)
"""An epoch number; epoch 1 is the first (DESIGN.md §2)."""

ProposalId = NewType("ProposalId", int)
"""A governor proposal id (the uint256 hash OZ's Governor derives from the proposal)."""

PurposeId = NewType("PurposeId", bytes)
"""A data-use purpose: ``keccak256(name)``; 32 bytes."""

Timestamp = NewType("Timestamp", int)
"""Seconds since the Unix epoch, as ``block.timestamp`` (the ERC-6372 clock of the union)."""

Wei = NewType("Wei", int)
"""An amount in a token's smallest unit (wei for ETH)."""

GENERAL_PURPOSE = PurposeId(bytes(32))
"""The "general" purpose (donations, grants, plain ETH, unattributed inflows): id zero, needs no consent."""

ZERO_ADDRESS = ChecksumAddress(HexAddress(HexStr("0x0000000000000000000000000000000000000000")))
"""The zero address; as a token it means native ETH."""
