"""The relay process's wiring: settings, the relayer key, the one-relay lock, and decoded simulation refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.relay import RelaySettings, error_response, open_relay
from api.schemas.common import UINT256_DECIMAL_PATTERN
from tests.api.relay.conftest import RelayEnv, open_proposal, relay_app
from union.chain import simulate_gas
from union.errors import ContractRevertError, RelayLockError
from union.localnet import LocalAccounts, LocalUnion
from union.signers import create_keystore


def _settings(deployed_union: LocalUnion, tmp_path: Path, **overrides: object) -> RelaySettings:
    values: dict[str, object] = {
        "rpc_url": deployed_union.anvil.rpc_url,
        "chain_id": deployed_union.manifest.chain_id,
        "manifest": deployed_union.manifest_path,
        "database_url": f"sqlite:///{tmp_path / 'union.db'}",
        "relay_private_key": LocalAccounts.default().relayer.key.hex(),
    }
    return RelaySettings.model_validate(values | overrides)


def test_open_relay_wires_the_relayer_and_refuses_a_second_relay_on_the_same_store(
    deployed_union: LocalUnion, tmp_path: Path
) -> None:
    settings = _settings(deployed_union, tmp_path, relay_balance_floor_wei=123)

    with open_relay(settings) as service:
        assert service.sender.address == LocalAccounts.default().relayer.address
        assert service.config.balance_floor == 123
        assert service.status().accepting
        with pytest.raises(RelayLockError), open_relay(settings):
            pass
    with open_relay(settings):  # the lock went with the first relay
        pass


def test_relay_settings_refuse_a_raw_key_off_a_local_chain(deployed_union: LocalUnion, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="local chain only"):
        _settings(deployed_union, tmp_path, chain_id=100)


def test_simulation_refusal_is_decoded_before_anything_is_sent(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    call = relay.union.contracts.governor.functions.castVoteBySig(
        proposal_id, 1, relay.members[1].address, b"\x01" * 65
    )
    nonce_before = relay.relayer_nonce()

    with pytest.raises(ContractRevertError) as refused:
        simulate_gas(call, relay.relayer.address)

    assert refused.value.name == "GovernorInvalidSignature"
    response = error_response(refused.value)
    assert response.status_code == 409  # the chain's state refuses it: a conflict, not a malformed request
    assert b'"revert":"GovernorInvalidSignature"' in response.body
    assert relay.relayer_nonce() == nonce_before


def test_relay_answers_are_never_cached(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    client = TestClient(relay_app(relay.service))

    payload = client.get(
        "/v1/relay/typed-data/ballot",
        params={"proposalId": proposal_id, "support": "1", "voter": relay.members[1].address},
    )
    refusal = client.get(
        "/v1/relay/typed-data/ballot", params={"proposalId": 1, "support": "for", "voter": relay.members[1].address}
    )

    assert payload.headers["Cache-Control"] == "no-store"
    assert (refusal.status_code, refusal.headers["Cache-Control"]) == (404, "no-store")


def test_openapi_documents_every_relay_endpoint_with_standard_json_schema() -> None:
    document = relay_app(None).openapi()

    assert set(document["paths"]) == {
        "/v1/relay/status",
        "/v1/relay/typed-data/ballot",
        "/v1/relay/votes",
        "/v1/relay/typed-data/consent",
        "/v1/relay/consent",
        "/v1/relay/claims",
    }
    ballot = document["components"]["schemas"]["BallotRequest"]["properties"]
    assert {"type": "string", "pattern": UINT256_DECIMAL_PATTERN} in ballot["proposalId"]["anyOf"]
    assert {"type": "string", "pattern": "^0x[0-9a-fA-F]{1,64}$"} in ballot["proposalId"]["anyOf"]
    assert '"ge"' not in json.dumps(document)  # only standard keywords: schemathesis and clients read them
    assert "409" in document["paths"]["/v1/relay/votes"]["post"]["responses"]


def test_an_address_with_a_wrong_checksum_is_a_422_naming_the_right_one(relay: RelayEnv) -> None:
    wrong = relay.members[1].address.swapcase().replace("0X", "0x")

    response = relay.client.get("/v1/relay/typed-data/ballot", params={"proposalId": 1, "support": 1, "voter": wrong})

    assert response.status_code == 422
    assert relay.members[1].address in response.text


def test_open_relay_signs_with_the_relayer_keystore(deployed_union: LocalUnion, tmp_path: Path) -> None:
    keystore, password_file = tmp_path / "relayer.json", tmp_path / "password"
    create_keystore(keystore, "s3cret", LocalAccounts.default().relayer.key)
    password_file.write_text("s3cret\n")
    settings = _settings(
        deployed_union, tmp_path, relay_private_key=None, relay_keystore=keystore, relay_password_file=password_file
    )

    with open_relay(settings) as service:
        assert service.sender.address == LocalAccounts.default().relayer.address
