"""``/v1/members``: the list, a member's statement (membership, consent, work, dividends, votes) and claim proofs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import IndexedRound
from treasury.merkle import StandardMerkleTree
from union.types import ZERO_ADDRESS


def test_member_list_shows_status_joined_and_delegate(client: TestClient, indexed_round: IndexedRound) -> None:
    m0, m1, m2, m3 = (member.address for member in indexed_round.members)
    items = client.get("/v1/members", params={"status": "member"}).json()["items"]
    by_address = {item["address"]: item for item in items}
    assert set(by_address) == {m0, m1, m2, m3}
    assert by_address[m2]["delegate"] == m3
    assert by_address[m0]["delegate"] is None
    assert {item["status"] for item in items} == {"member"}
    assert [item["address"] for item in items] == sorted(by_address)
    assert client.get("/v1/members", params={"status": "former"}).json()["items"] == []


def test_member_list_pages_by_address(client: TestClient) -> None:
    first = client.get("/v1/members", params={"limit": 3}).json()
    second = client.get("/v1/members", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 3
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    assert first["items"][-1]["address"] < second["items"][0]["address"]


def test_statement_shows_consent_contributions_allocations_claims_and_votes(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    m0 = indexed_round.members[0].address
    statement = client.get(f"/v1/members/{m0.lower()}").json()
    assert statement["address"] == m0
    assert [event["kind"] for event in statement["membership_history"]] == ["joined"]
    assert [(c["purpose"], c["granted"]) for c in statement["consent_history"]] == [("ai-training", True)]
    assert [(c["purpose"], c["granted"]) for c in statement["consents"]] == [("ai-training", True)]
    assert [(c["epoch"], c["net_units"]) for c in statement["contributions"]] == [(indexed_round.epoch, "3")]
    eth_plan, token_plan = indexed_round.eth_plan, indexed_round.token_plan
    allocations = {(a["token"], a["epoch"]): a["amount"] for a in statement["allocations"]}
    assert allocations == {
        (ZERO_ADDRESS, indexed_round.epoch): str(eth_plan.new_cumulative[m0]),
        (indexed_round.token, indexed_round.epoch): str(token_plan.new_cumulative[m0]),
    }
    tokens = {t["token"]: t for t in statement["tokens"]}
    # Member 0 claimed its ETH (through the relayer) but not yet its tokens.
    assert tokens[ZERO_ADDRESS]["claimed"] == tokens[ZERO_ADDRESS]["cumulative"] == str(eth_plan.new_cumulative[m0])
    assert tokens[ZERO_ADDRESS]["claimable"] == "0"
    assert tokens[indexed_round.token]["claimable"] == str(token_plan.new_cumulative[m0])
    assert {(v["proposal_id"], v["support"], v["relayed"]) for v in statement["votes"]} == {
        (str(indexed_round.policy_proposal), "for", True),
        (str(indexed_round.eth_proposal), "for", True),
        (str(indexed_round.token_proposal), "for", True),
    }


def test_statement_of_a_member_with_revoked_and_disputed_entries(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    m2 = indexed_round.members[2].address
    contributions = client.get(f"/v1/members/{m2}").json()["contributions"]
    assert contributions == [
        {
            "epoch": indexed_round.epoch,
            "entries": 2,
            "units": "7",
            "revoked_entries": 1,
            "revoked_units": "5",
            "net_units": "2",
            "disputed_entries": 1,
        }
    ]


def test_operations_account_has_a_statement_without_membership(client: TestClient, indexed_round: IndexedRound) -> None:
    operations = indexed_round.deployed.accounts.operations.address
    statement = client.get(f"/v1/members/{operations}").json()
    assert statement["member"] is None
    tokens = {t["token"]: t["cumulative"] for t in statement["tokens"]}
    assert tokens[ZERO_ADDRESS] == str(indexed_round.eth_plan.new_cumulative[operations])


def test_unknown_address_is_a_404_with_a_message(client: TestClient) -> None:
    response = client.get("/v1/members/0x" + "12" * 20)
    assert response.status_code == 404
    assert "never a member" in response.json()["error"]["message"]


def test_claim_arguments_verify_against_the_funded_root(client: TestClient, indexed_round: IndexedRound) -> None:
    m1 = indexed_round.members[1].address
    for plan in (indexed_round.eth_plan, indexed_round.token_plan):
        arguments = client.get(f"/v1/members/{m1}/claims/{plan.token}").json()
        assert arguments["root"] == plan.root
        assert arguments["plan_hash"] == plan.plan_hash
        assert arguments["cumulative_amount"] == str(plan.new_cumulative[m1])
        leaf = [m1, int(arguments["cumulative_amount"])]
        assert StandardMerkleTree.verify_proof(plan.root, ["address", "uint256"], leaf, arguments["proof"])
    claimed = client.get(f"/v1/members/{m1}/claims/{indexed_round.token}").json()
    assert claimed["claimable"] == "0"
    assert claimed["claimed"] == claimed["cumulative_amount"]


def test_claim_arguments_refuse_an_account_without_a_leaf(client: TestClient, indexed_round: IndexedRound) -> None:
    m3 = indexed_round.members[3].address  # no contributions: no share
    response = client.get(f"/v1/members/{m3}/claims/{ZERO_ADDRESS}")
    assert response.status_code == 404
    assert "no allocation" in response.json()["error"]["message"]
    unfunded = client.get(f"/v1/members/{m3}/claims/0x" + "ab" * 20)
    assert unfunded.status_code == 404
    assert "no dividends" in unfunded.json()["error"]["message"]
