"""Claims through the relay: the distributor pays the member exactly, and the relay refuses what would pay nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import keccak
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert

from api.plans import PLANS
from api.relay import StorePlanSource, TreePlanSource
from tests.api.relay.conftest import RelayEnv, make_service, relay_app
from tests.helpers.driver import UnionDriver
from treasury.merkle import StandardMerkleTree
from union.types import ZERO_ADDRESS
from voting.proposals import fund_dividends_proposal

ETHER = 10**18


def _fund_round(relay: RelayEnv, allocations: dict[str, int]) -> StandardMerkleTree:
    """This epoch's ETH revenue funded by a passed vote with the given allocations (whatever the session's clock)."""
    union: UnionDriver = relay.union
    union.pay_eth(union.accounts.buyer, 10 * ETHER, "general")
    epoch = int(union.contracts.treasury.functions.currentEpoch().call())
    union.warp_to(union.grace_end(epoch))
    tree = StandardMerkleTree.of([[a, v] for a, v in allocations.items()], ["address", "uint256"])
    spec = fund_dividends_proposal(
        union.contracts.treasury,
        token=ZERO_ADDRESS,
        from_epoch=0,
        through_epoch=epoch,
        purposes=[(bytes(32), sum(allocations.values()), 0)],  # general revenue
        new_root=tree.root_bytes,
        plan_hash=b"\x07" * 32,
        description=f"Dividends through epoch {epoch}",
    )
    union.pass_proposal(relay.members[0], spec, relay.members)
    return tree


@pytest.fixture
def funded(relay: RelayEnv, tmp_path: Path) -> tuple[RelayEnv, dict[str, int]]:
    """A funded round, its plan stored as the planner stores it, and the relay reading claims from that store."""
    allocations = {relay.members[1].address: 3 * ETHER, relay.members[2].address: 5 * ETHER + 7}
    tree = _fund_round(relay, allocations)
    engine = create_engine(f"sqlite:///{tmp_path / 'union.db'}")
    PLANS.metadata.create_all(engine, tables=[PLANS])
    document = json.dumps({"token": ZERO_ADDRESS, "root": tree.root, "tree": tree.dump()})
    with engine.begin() as connection:
        connection.execute(
            insert(PLANS).values(
                plan_hash="0x" + keccak(text=document).hex(),
                token=ZERO_ADDRESS,
                from_epoch=0,
                through_epoch=1,
                root=tree.root,
                document=document,
                created_at=0.0,
            )
        )
    relay.service = make_service(relay.union, plans=StorePlanSource(engine, relay.union.contracts.distributor))
    relay.client = TestClient(relay_app(relay.service))
    return relay, allocations


def test_relayed_claim_pays_the_member_exactly_and_the_relayer_pays_the_gas(
    funded: tuple[RelayEnv, dict[str, int]],
) -> None:
    relay, allocations = funded
    member = relay.members[2].address
    before = relay.union.balance_of(ZERO_ADDRESS, member)

    response = relay.client.post("/v1/relay/claims", json={"account": member.lower()})

    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "claim"
    assert relay.union.balance_of(ZERO_ADDRESS, member) == before + allocations[member]
    receipt = relay.union.w3.eth.get_transaction_receipt(response.json()["transaction_hash"])
    assert receipt["from"] == relay.relayer.address
    assert relay.union.contracts.distributor.functions.claimed(ZERO_ADDRESS, member).call() == allocations[member]


def test_same_claim_twice_returns_the_same_transaction(funded: tuple[RelayEnv, dict[str, int]]) -> None:
    relay, _ = funded
    member = relay.members[1].address
    nonce_before = relay.relayer_nonce()

    first = relay.client.post("/v1/relay/claims", json={"account": member})
    second = relay.client.post("/v1/relay/claims", json={"account": member})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["transaction_hash"] == first.json()["transaction_hash"]
    assert relay.relayer_nonce() == nonce_before + 1


def test_relay_refuses_a_claim_when_everything_was_claimed(funded: tuple[RelayEnv, dict[str, int]]) -> None:
    relay, _ = funded
    member = relay.members[1]
    # The member claimed directly (paying gas); a relay that never saw that claim must not send a useless one.
    arguments = relay.service.plans.claim_arguments(ZERO_ADDRESS, member.address) if relay.service.plans else None
    assert arguments is not None
    relay.union.transact(
        member,
        relay.union.contracts.distributor.functions.claim(
            ZERO_ADDRESS, member.address, arguments.cumulative_amount, list(arguments.proof)
        ),
    )
    nonce_before = relay.relayer_nonce()

    response = relay.client.post("/v1/relay/claims", json={"account": member.address})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nothing_to_claim"
    assert relay.relayer_nonce() == nonce_before


def test_relay_refuses_a_claim_for_an_account_without_allocation(funded: tuple[RelayEnv, dict[str, int]]) -> None:
    relay, _ = funded
    nonce_before = relay.relayer_nonce()

    response = relay.client.post("/v1/relay/claims", json={"account": Account.create().address})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_allocation"
    assert relay.relayer_nonce() == nonce_before


def test_relay_refuses_claims_from_a_plan_that_is_not_funded(relay: RelayEnv) -> None:
    tree = StandardMerkleTree.of([[relay.members[1].address, ETHER]], ["address", "uint256"])
    service = make_service(relay.union, plans=TreePlanSource({ZERO_ADDRESS: tree}))
    client = TestClient(relay_app(service))
    nonce_before = relay.relayer_nonce()

    response = client.post("/v1/relay/claims", json={"account": relay.members[1].address})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "plan_not_funded"
    assert relay.relayer_nonce() == nonce_before


def test_relay_without_plans_says_claims_are_unavailable(relay: RelayEnv) -> None:
    response = relay.client.post("/v1/relay/claims", json={"account": relay.members[1].address})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "claims_unavailable"


def test_store_without_a_plan_for_the_funded_root_has_nothing_to_claim(relay: RelayEnv, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # not even a plans table yet
    service = make_service(relay.union, plans=StorePlanSource(engine, relay.union.contracts.distributor))

    response = TestClient(relay_app(service)).post("/v1/relay/claims", json={"account": relay.members[1].address})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_allocation"
