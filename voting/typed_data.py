"""EIP-712 payloads members sign: governor ballots and consent changes.

Each builder returns the full typed-data document exactly as a browser wallet receives it for
``eth_signTypedData_v4`` (``types`` with ``EIP712Domain``, ``primaryType``, ``domain``, ``message``), so the CLI,
the relay and a browser all sign the same bytes. The domain binds a signature to one chain id and one contract, and
the nonce binds it to one use: a ballot or consent change cannot be replayed (DESIGN.md §1 invariants).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Final

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from union.errors import UnionValueError

__all__ = [
    "BALLOT_TYPES",
    "CONSENT_TYPES",
    "EXTENDED_BALLOT_TYPES",
    "VoteSupport",
    "ballot_typed_data",
    "consent_typed_data",
    "recover_typed_data_signer",
    "sign_typed_data",
]

_DOMAIN_TYPE: Final = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

# OZ Governor 5.x: BALLOT_TYPEHASH and EXTENDED_BALLOT_TYPEHASH.
BALLOT_TYPES: Final = {
    "EIP712Domain": _DOMAIN_TYPE,
    "Ballot": [
        {"name": "proposalId", "type": "uint256"},
        {"name": "support", "type": "uint8"},
        {"name": "voter", "type": "address"},
        {"name": "nonce", "type": "uint256"},
    ],
}
EXTENDED_BALLOT_TYPES: Final = {
    "EIP712Domain": _DOMAIN_TYPE,
    "ExtendedBallot": [
        {"name": "proposalId", "type": "uint256"},
        {"name": "support", "type": "uint8"},
        {"name": "voter", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "reason", "type": "string"},
        {"name": "params", "type": "bytes"},
    ],
}
# UnionMembership.CONSENT_TYPEHASH.
CONSENT_TYPES: Final = {
    "EIP712Domain": _DOMAIN_TYPE,
    "Consent": [
        {"name": "member", "type": "address"},
        {"name": "purposeId", "type": "bytes32"},
        {"name": "granted", "type": "bool"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}


class VoteSupport(IntEnum):
    """GovernorCountingSimple's vote types."""

    AGAINST = 0
    FOR = 1
    ABSTAIN = 2

    @classmethod
    def parse(cls, text: str) -> VoteSupport:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise UnionValueError(f"a vote is 'for', 'against' or 'abstain', not {text!r}") from None


def _domain(name: str, version: str, chain_id: int, verifying_contract: str) -> dict[str, Any]:
    return {
        "name": name,
        "version": version,
        "chainId": chain_id,
        "verifyingContract": to_checksum_address(verifying_contract),
    }


def ballot_typed_data(
    *,
    governor: str,
    governor_name: str,
    chain_id: int,
    proposal_id: int,
    support: VoteSupport,
    voter: str,
    nonce: int,
    reason: str | None = None,
    params: bytes = b"",
) -> dict[str, Any]:
    """The ballot to sign: a plain ``Ballot``, or an ``ExtendedBallot`` when a reason or params are given."""
    message: dict[str, Any] = {
        "proposalId": proposal_id,
        "support": int(support),
        "voter": to_checksum_address(voter),
        "nonce": nonce,
    }
    domain = _domain(governor_name, "1", chain_id, governor)
    if reason is None and not params:
        return {"types": BALLOT_TYPES, "primaryType": "Ballot", "domain": domain, "message": message}
    message |= {"reason": reason or "", "params": "0x" + params.hex()}
    return {"types": EXTENDED_BALLOT_TYPES, "primaryType": "ExtendedBallot", "domain": domain, "message": message}


def consent_typed_data(
    *,
    membership: str,
    chain_id: int,
    member: str,
    purpose_id: bytes,
    granted: bool,
    nonce: int,
    deadline: int,
) -> dict[str, Any]:
    """A consent change to sign; anyone may submit it with ``setConsentBySig`` before ``deadline``."""
    if len(purpose_id) != 32:
        raise UnionValueError("a purpose id is 32 bytes (keccak256 of the purpose's name)")
    return {
        "types": CONSENT_TYPES,
        "primaryType": "Consent",
        "domain": _domain("UnionMembership", "1", chain_id, membership),
        "message": {
            "member": to_checksum_address(member),
            "purposeId": "0x" + purpose_id.hex(),
            "granted": granted,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def sign_typed_data(account: LocalAccount, typed_data: dict[str, Any]) -> bytes:
    """Sign a typed-data document as ``eth_signTypedData_v4`` does; returns the 65-byte signature."""
    signed = account.sign_message(encode_typed_data(full_message=typed_data))
    return bytes(signed.signature)


def recover_typed_data_signer(typed_data: dict[str, Any], signature: bytes) -> ChecksumAddress:
    """The EOA that signed ``typed_data``; raises :class:`UnionValueError` for a malformed signature."""
    try:
        signer: str = Account.recover_message(encode_typed_data(full_message=typed_data), signature=signature)
    except Exception as exc:  # eth-keys raises several types for bad signatures; all mean the same to callers
        raise UnionValueError(f"the signature is malformed: {exc}") from exc
    return to_checksum_address(signer)
