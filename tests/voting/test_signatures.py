"""Signature checks as OZ SignatureChecker makes them: EOAs recovered locally (65 bytes, low s), wallets by EIP-1271."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils import keccak

from union.errors import InvalidSignatureError, UnionValueError
from union.localnet import LocalUnion
from voting.signatures import SignerKind, typed_data_digest, verify_typed_data_signature
from voting.typed_data import consent_typed_data, sign_typed_data

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _typed(member: str, chain_id: int = 31337) -> dict[str, object]:
    return consent_typed_data(
        membership="0x" + "11" * 20,
        chain_id=chain_id,
        member=member,
        purpose_id=keccak(text="ai-training"),
        granted=True,
        nonce=0,
        deadline=2**40,
    )


def test_digest_is_the_one_eip712_hash_eth_account_signs() -> None:
    signer = Account.create()
    typed = _typed(signer.address)
    signature = sign_typed_data(signer, typed)

    recovered = Account._recover_hash(typed_data_digest(typed), signature=signature)

    assert recovered == signer.address


def test_eoa_signature_is_verified_locally(deployed_union: LocalUnion) -> None:
    signer = Account.create()
    typed = _typed(signer.address)

    kind = verify_typed_data_signature(deployed_union.w3, typed, sign_typed_data(signer, typed), signer.address)

    assert kind is SignerKind.EOA


def test_signature_by_someone_else_is_refused(deployed_union: LocalUnion) -> None:
    member, intruder = Account.create(), Account.create()
    typed = _typed(member.address)

    with pytest.raises(InvalidSignatureError, match="not by"):
        verify_typed_data_signature(deployed_union.w3, typed, sign_typed_data(intruder, typed), member.address)


def test_signature_for_another_chain_is_refused(deployed_union: LocalUnion) -> None:
    member = Account.create()
    signature = sign_typed_data(member, _typed(member.address, chain_id=1))

    with pytest.raises(InvalidSignatureError):
        verify_typed_data_signature(deployed_union.w3, _typed(member.address), signature, member.address)


def test_malleable_twin_of_a_valid_signature_is_refused_as_oz_ecdsa_does(deployed_union: LocalUnion) -> None:
    member = Account.create()
    typed = _typed(member.address)
    signature = sign_typed_data(member, typed)
    s = int.from_bytes(signature[32:64], "big")
    twin = signature[:32] + (SECP256K1_ORDER - s).to_bytes(32, "big") + bytes([signature[64] ^ 1])

    with pytest.raises(InvalidSignatureError, match="malleable"):
        verify_typed_data_signature(deployed_union.w3, typed, twin, member.address)


@pytest.mark.parametrize("length", [0, 64, 66])
def test_signature_of_the_wrong_length_is_refused(deployed_union: LocalUnion, length: int) -> None:
    member = Account.create()

    with pytest.raises(InvalidSignatureError, match="65 bytes"):
        verify_typed_data_signature(deployed_union.w3, _typed(member.address), b"\x01" * length, member.address)


def test_malformed_typed_data_is_a_value_error() -> None:
    with pytest.raises(UnionValueError):
        typed_data_digest({"types": {}, "primaryType": "Nothing", "domain": {}, "message": {}})


def test_contract_that_does_not_speak_eip1271_never_validates(deployed_union: LocalUnion) -> None:
    contract = deployed_union.manifest.address_of("UnionMembership")
    typed = _typed(contract)

    with pytest.raises(InvalidSignatureError, match=str(contract)):
        verify_typed_data_signature(deployed_union.w3, typed, sign_typed_data(Account.create(), typed), contract)
