"""Signature checks for signed ballots and consent changes, exactly as the contracts make them.

OpenZeppelin's ``SignatureChecker.isValidSignatureNow`` (which the governor's ``castVoteBySig`` and the membership's
``setConsentBySig`` use) decides by the signer's code: an account without code must have signed the digest with its
key (65-byte ECDSA, low ``s``), an account with code — a smart wallet — is asked with EIP-1271's
``isValidSignature(digest, signature)``. The relay runs the same check before it spends gas, so a bad signature is
refused for free; the EOA case is local, the wallet case one ``eth_call``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from eth_account.messages import encode_typed_data
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError
from web3.types import BlockIdentifier

from union.errors import InvalidSignatureError, UnionValueError
from voting.typed_data import recover_typed_data_signer

__all__ = [
    "EIP1271_MAGIC_VALUE",
    "SignerKind",
    "typed_data_digest",
    "verify_typed_data_signature",
]

EIP1271_MAGIC_VALUE: Final = bytes.fromhex("1626ba7e")
"""``bytes4(keccak256("isValidSignature(bytes32,bytes)"))``: what a wallet returns for a signature it accepts."""

_SECP256K1_HALF_ORDER: Final = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
_SIGNATURE_LENGTH: Final = 65
_IERC1271_ABI: Final = [
    {
        "type": "function",
        "name": "isValidSignature",
        "stateMutability": "view",
        "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
        "outputs": [{"name": "magicValue", "type": "bytes4"}],
    }
]


class SignerKind(StrEnum):
    """How a signature was verified."""

    EOA = "eoa"
    EIP1271 = "eip1271"


def typed_data_digest(typed_data: dict[str, Any]) -> bytes:
    """The 32-byte EIP-712 digest (``keccak256(0x1901 ‖ domainSeparator ‖ structHash)``) a signer signs."""
    try:
        signable = encode_typed_data(full_message=typed_data)
    except Exception as exc:  # eth-account raises several types for a malformed document
        raise UnionValueError(f"the typed data is malformed: {exc}") from exc
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def _check_eoa(typed_data: dict[str, Any], signature: bytes, signer: ChecksumAddress) -> None:
    if len(signature) != _SIGNATURE_LENGTH:
        raise InvalidSignatureError(f"a signature is {_SIGNATURE_LENGTH} bytes, not {len(signature)}")
    # OZ's ECDSA refuses the malleable twin of every signature (s in the upper half); so do we.
    if int.from_bytes(signature[32:64], "big") > _SECP256K1_HALF_ORDER:
        raise InvalidSignatureError("the signature's s value is in the upper half (a malleable signature)")
    try:
        recovered = recover_typed_data_signer(typed_data, signature)
    except UnionValueError as exc:
        raise InvalidSignatureError(str(exc)) from exc
    if recovered != signer:
        raise InvalidSignatureError(
            f"the signature is not by {signer} for this message (it recovers to {recovered}: another chain, "
            "contract, nonce or content was signed)"
        )


def _check_wallet(w3: Web3, digest: bytes, signature: bytes, wallet: ChecksumAddress) -> None:
    contract = w3.eth.contract(address=wallet, abi=_IERC1271_ABI)
    try:
        answer: bytes = contract.functions.isValidSignature(digest, signature).call()
    except (ContractCustomError, ContractLogicError, Web3RPCError) as exc:
        raise InvalidSignatureError(f"the contract wallet {wallet} rejected the signature: {exc}") from exc
    except ValueError as exc:  # no or undecodable return data: not an EIP-1271 wallet
        raise InvalidSignatureError(f"{wallet} is a contract that does not answer EIP-1271: {exc}") from exc
    if bytes(answer) != EIP1271_MAGIC_VALUE:
        raise InvalidSignatureError(f"the contract wallet {wallet} does not accept this signature (EIP-1271)")


def verify_typed_data_signature(
    w3: Web3, typed_data: dict[str, Any], signature: bytes, signer: str, *, block: BlockIdentifier = "latest"
) -> SignerKind:
    """Check that ``signer`` signed ``typed_data`` as OZ ``SignatureChecker`` would; raise if it did not.

    Returns how it was checked. Raises :class:`InvalidSignatureError` for a malformed signature, a signature by
    someone else (or over another domain, nonce or content), or a wallet that does not accept it.
    """
    account = to_checksum_address(signer)
    digest = typed_data_digest(typed_data)
    if len(w3.eth.get_code(account, block)) == 0:
        _check_eoa(typed_data, signature, account)
        return SignerKind.EOA
    _check_wallet(w3, digest, signature, account)
    return SignerKind.EIP1271
