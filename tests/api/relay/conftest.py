"""Relay fixtures: the relay app over a deployed union, members admitted, and a proposal open for votes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from httpx import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from web3.contract import Contract

from api.app import error_answer
from api.relay import RelayConfig, RelayService, SubmissionLog, router
from api.relay.plans import PlanSource
from tests.helpers.driver import UnionDriver
from union.chain import TransactionSender
from union.compiler import compile_contracts
from union.contracts import load_abi
from union.localnet import LocalAccounts
from voting.proposals import DividendPolicy, ProposalSpec, dividend_policy_proposal

MEMBER_COUNT = 4


def relay_app(service: RelayService | None) -> FastAPI:
    """The relay router mounted as the API app mounts it (with its error answers); the service in app.state.relay."""
    app = FastAPI()
    app.include_router(router)
    for exception in (RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(exception, error_answer)
    if service is not None:
        app.state.relay = service
    return app


def sign_payload(account: LocalAccount, payload_json: str) -> str:
    """Sign typed data exactly as a browser wallet does with eth_signTypedData_v4: from the JSON text it received."""
    payload = json.loads(payload_json)
    signed = Account.sign_message(encode_typed_data(full_message=payload), account.key)
    return "0x" + bytes(signed.signature).hex()


def policy_spec(union: UnionDriver, description: str = "Policy: 12% reserve") -> ProposalSpec:
    policy = DividendPolicy(1_200, 500, 2_000, 0, union.accounts.operations.address)
    return dividend_policy_proposal(union.contracts.treasury, policy, description)


@dataclass
class RelayEnv:
    union: UnionDriver
    service: RelayService
    client: TestClient
    members: list[LocalAccount]

    @property
    def relayer(self) -> LocalAccount:
        return self.union.accounts.relayer

    def relayer_nonce(self) -> int:
        return self.union.w3.eth.get_transaction_count(self.relayer.address)

    def ballot_payload(self, proposal_id: int, support: str, voter: str, reason: str | None = None) -> Response:
        params: dict[str, Any] = {"proposalId": str(proposal_id), "support": support, "voter": voter}
        if reason is not None:
            params["reason"] = reason
        return self.client.get("/v1/relay/typed-data/ballot", params=params)

    def signed_ballot(
        self, signer: LocalAccount, proposal_id: int, support: str = "for", voter: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        """GET the payload, sign it as a wallet would, and build the POST body from the signed message."""
        response = self.ballot_payload(proposal_id, support, voter or signer.address, **kw)
        assert response.status_code == 200, response.text
        return ballot_body(json.loads(response.text), sign_payload(signer, response.text))

    def vote(self, body: dict[str, Any]) -> Response:
        return self.client.post("/v1/relay/votes", json=body)


def ballot_body(payload: dict[str, Any], signature: str) -> dict[str, Any]:
    message = payload["message"]
    body = {
        "proposalId": message["proposalId"],
        "support": message["support"],
        "voter": message["voter"],
        "nonce": message["nonce"],
        "signature": signature,
        "chainId": payload["domain"]["chainId"],
    }
    if "reason" in message:
        body |= {"reason": message["reason"], "params": message["params"]}
    return body


def open_proposal(union: UnionDriver, proposer: LocalAccount, description: str = "Policy: 12% reserve") -> int:
    proposal_id = union.propose(proposer, policy_spec(union, description))
    union.start_voting(proposal_id)
    return proposal_id


def make_service(
    union: UnionDriver, config: RelayConfig | None = None, plans: PlanSource | None = None, **kw: Any
) -> RelayService:
    return RelayService(
        union.w3,
        union.contracts,
        TransactionSender(union.w3, union.accounts.relayer),
        submissions=kw.pop("submissions", None) or SubmissionLog(),
        plans=plans,
        config=config or RelayConfig(),
        **kw,
    )


def start_relay(union: UnionDriver) -> Iterator[RelayEnv]:
    """Members admitted (the relay pays their gas), the relay serving on a test client."""
    members = [LocalAccounts.member(i) for i in range(MEMBER_COUNT)]
    union.admit([m.address for m in members])
    union.advance(10)
    service = make_service(union)
    with TestClient(relay_app(service)) as client:
        yield RelayEnv(union, service, client, members)


def deploy_wallet(relay: RelayEnv, owner: str) -> Contract:
    """A SmartWallet1271 owned by ``owner``: it accepts what the owner's key signed (EIP-1271)."""
    union = relay.union
    artifact = compile_contracts().get("SmartWallet1271")
    factory = union.w3.eth.contract(abi=artifact.abi, bytecode="0x" + artifact.bytecode)
    receipt = union.transact(union.accounts.deployer, factory.constructor(owner))
    address = receipt["contractAddress"]
    assert address is not None
    return union.w3.eth.contract(address=address, abi=load_abi("SmartWallet1271"))


@pytest.fixture
def relay(union: UnionDriver) -> Iterator[RelayEnv]:
    yield from start_relay(union)
