"""Signed consent changes through the relay: what it accepts, and what it refuses without sending anything."""

from __future__ import annotations

import json
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from httpx import Response

from tests.api.relay.conftest import RelayEnv, deploy_wallet, sign_payload

PURPOSE = "ai-training"


def _payload(relay: RelayEnv, member: str, granted: bool = True, **params: Any) -> Response:
    query = {"member": member, "purpose": PURPOSE, "granted": str(granted).lower()} | params
    return relay.client.get("/v1/relay/typed-data/consent", params=query)


def _body(payload: dict[str, Any], signature: str) -> dict[str, Any]:
    message = payload["message"]
    return {
        "member": message["member"],
        "purposeId": message["purposeId"],
        "granted": message["granted"],
        "nonce": message["nonce"],
        "deadline": message["deadline"],
        "signature": signature,
        "chainId": payload["domain"]["chainId"],
    }


def _signed(relay: RelayEnv, signer: LocalAccount, granted: bool = True, **params: Any) -> dict[str, Any]:
    response = _payload(relay, signer.address, granted, **params)
    assert response.status_code == 200, response.text
    return _body(json.loads(response.text), sign_payload(signer, response.text))


def _consent(relay: RelayEnv, member: str) -> bool:
    return bool(relay.union.contracts.membership.functions.consentOf(member, keccak(text=PURPOSE)).call())


def test_consent_payload_names_the_membership_domain_and_the_purpose(relay: RelayEnv) -> None:
    member = relay.members[0]
    payload = _payload(relay, member.address).json()

    assert payload["primaryType"] == "Consent"
    assert payload["domain"]["verifyingContract"] == relay.union.contracts.membership.address
    assert payload["domain"]["chainId"] == relay.union.w3.eth.chain_id
    assert payload["message"]["purposeId"] == "0x" + keccak(text=PURPOSE).hex()
    assert payload["message"]["granted"] is True
    assert payload["message"]["nonce"] == "0"
    assert int(payload["message"]["deadline"]) > relay.union.now()


def test_relay_submits_a_signed_consent_change_and_its_withdrawal(relay: RelayEnv) -> None:
    member = relay.members[0]

    granted = relay.client.post("/v1/relay/consent", json=_signed(relay, member, True))
    assert granted.status_code == 201, granted.text
    assert _consent(relay, member.address)

    withdrawn = relay.client.post("/v1/relay/consent", json=_signed(relay, member, False))
    assert withdrawn.status_code == 201, withdrawn.text
    assert not _consent(relay, member.address)


def test_same_consent_change_sent_twice_returns_the_same_transaction(relay: RelayEnv) -> None:
    body = _signed(relay, relay.members[0])
    nonce_before = relay.relayer_nonce()

    first = relay.client.post("/v1/relay/consent", json=body)
    second = relay.client.post("/v1/relay/consent", json=body)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["transaction_hash"] == first.json()["transaction_hash"]
    assert relay.relayer_nonce() == nonce_before + 1


def _refused(relay: RelayEnv, body: dict[str, Any], status: int, error: str) -> None:
    nonce_before = relay.relayer_nonce()
    response = relay.client.post("/v1/relay/consent", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == error
    assert relay.relayer_nonce() == nonce_before
    assert not _consent(relay, str(body["member"]))


def test_relay_refuses_a_tampered_consent_signature(relay: RelayEnv) -> None:
    body = _signed(relay, relay.members[0])
    signature = bytearray(bytes.fromhex(body["signature"][2:]))
    signature[5] ^= 0xFF
    _refused(relay, body | {"signature": "0x" + signature.hex()}, 403, "invalid_signature")


def test_relay_refuses_a_consent_signed_for_another_chain(relay: RelayEnv) -> None:
    member = relay.members[0]
    payload = _payload(relay, member.address).json()
    payload["domain"]["chainId"] = 10
    body = _body(payload, sign_payload(member, json.dumps(payload)))
    _refused(relay, body, 403, "wrong_chain")
    del body["chainId"]
    _refused(relay, body, 403, "invalid_signature")


def test_relay_refuses_a_consent_with_a_stale_nonce(relay: RelayEnv) -> None:
    member = relay.members[0]
    stale = _signed(relay, member, True)
    assert relay.client.post("/v1/relay/consent", json=_signed(relay, member, False)).status_code == 201
    _refused(relay, stale, 409, "stale_nonce")


def test_relay_refuses_a_consent_from_a_non_member(relay: RelayEnv) -> None:
    _refused(relay, _signed(relay, Account.create()), 403, "not_member")


def test_relay_refuses_an_expired_consent_signature(relay: RelayEnv) -> None:
    body = _signed(relay, relay.members[0], deadline=str(relay.union.now() + 30))
    relay.union.advance(60)
    _refused(relay, body, 403, "expired_signature")


def test_relay_refuses_a_consent_changed_after_signing(relay: RelayEnv) -> None:
    body = _signed(relay, relay.members[0], False) | {"granted": True}
    _refused(relay, body, 403, "invalid_signature")


def test_consent_payload_for_an_unregistered_purpose_is_refused(relay: RelayEnv) -> None:
    response = relay.client.get(
        "/v1/relay/typed-data/consent",
        params={"member": relay.members[0].address, "purpose": "astrology", "granted": "true"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_purpose"


def test_relay_submits_a_consent_change_signed_for_an_eip1271_wallet(relay: RelayEnv) -> None:
    owner = Account.create()
    wallet = deploy_wallet(relay, owner.address)
    relay.union.admit([wallet.address])
    response = _payload(relay, wallet.address)
    body = _body(json.loads(response.text), sign_payload(owner, response.text))

    submitted = relay.client.post("/v1/relay/consent", json=body)

    assert submitted.status_code == 201, submitted.text
    assert _consent(relay, wallet.address)
