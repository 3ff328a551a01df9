"""``/v1/proposals``: state, deadlines, quorum and tallies, decoded actions and every vote."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import IndexedRound
from union.types import ZERO_ADDRESS


def test_proposals_list_newest_first_with_derived_states(client: TestClient, indexed_round: IndexedRound) -> None:
    items = client.get("/v1/proposals").json()["items"]
    states = {item["proposal_id"]: item["state"] for item in items}
    assert states == {
        str(indexed_round.policy_proposal): "executed",
        str(indexed_round.eth_proposal): "executed",
        str(indexed_round.token_proposal): "executed",
        str(indexed_round.defeated_proposal): "defeated",
    }
    created = [(item["created_block"]) for item in items]
    assert created == sorted(created, reverse=True)
    defeated = client.get("/v1/proposals", params={"state": "defeated"}).json()["items"]
    assert [item["proposal_id"] for item in defeated] == [str(indexed_round.defeated_proposal)]


def test_funding_proposal_decodes_its_action_with_links_to_plan_and_verification(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    proposal = client.get(f"/v1/proposals/{indexed_round.eth_proposal}").json()
    plan = indexed_round.eth_plan
    (action,) = proposal["actions"]
    assert action["target_contract"] == "UnionTreasury"
    assert action["function"] == "fundDividends"
    funding = action["fund_dividends"]
    assert funding["token"] == ZERO_ADDRESS
    assert funding["epochs"] == list(range(plan.from_epoch + 1, plan.through_epoch + 1))
    assert funding["amount"] == str(plan.totals.amount)
    assert funding["plan_hash"] == plan.plan_hash
    assert funding["root"] == plan.root
    assert funding["plan_url"] == f"/v1/plans/{plan.plan_hash}"
    assert funding["verification"]["reproduced"] is True
    # Member 2 delegated to member 3, so member 3 cast two votes. The quorum is 20 % of the 4 members rounded up (1),
    # raised to the minimum of 3 (DESIGN.md §8): what the governor applied, not OZ's 0.
    tally = proposal["tally"]
    assert (tally["for_votes"], tally["against_votes"], tally["voters"]) == ("4", "0", 3)
    assert (tally["eligible_votes"], tally["quorum"], tally["quorum_reached"]) == (4, "3", True)
    assert (tally["quorum_percent"], tally["min_quorum"]) == (20, 3)
    assert proposal["eta"] is not None
    assert proposal["executed_at"] >= proposal["eta"]
    assert proposal["deadline"] == proposal["vote_end"] > proposal["vote_start"]


def test_votes_list_every_ballot_with_weight_reason_and_relay_flag(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    m0, m1, _, m3 = (member.address for member in indexed_round.members)
    votes = client.get(f"/v1/proposals/{indexed_round.eth_proposal}/votes").json()["items"]
    assert [(v["voter"], v["support"], v["weight"], v["relayed"]) for v in votes] == [
        (m0, "for", "1", True),
        (m1, "for", "1", False),
        (m3, "for", "2", False),
    ]
    against = client.get(f"/v1/proposals/{indexed_round.defeated_proposal}/votes").json()["items"]
    assert [(v["voter"], v["support"], v["reason"]) for v in against] == [(m1, "against", "not now")]


def test_votes_csv_holds_the_same_votes(client: TestClient, indexed_round: IndexedRound) -> None:
    response = client.get(f"/v1/proposals/{indexed_round.eth_proposal}/votes.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    json_votes = client.get(f"/v1/proposals/{indexed_round.eth_proposal}/votes").json()["items"]
    assert [(row["voter"], row["weight"], row["tx_hash"]) for row in rows] == [
        (vote["voter"], vote["weight"], vote["tx_hash"]) for vote in json_votes
    ]


def test_unknown_proposal_is_a_404(client: TestClient) -> None:
    for path in ("/v1/proposals/12345", "/v1/proposals/12345/votes", "/v1/proposals/12345/votes.csv"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no proposal 12345" in response.json()["error"]["message"]


@pytest.mark.parametrize("proposal_id", [str(2**256), "9" * 78, "1" + "0" * 78])
def test_a_proposal_id_beyond_uint256_is_a_422_not_a_404(client: TestClient, proposal_id: str) -> None:
    for path in (f"/v1/proposals/{proposal_id}", f"/v1/proposals/{proposal_id}/votes"):
        response = client.get(path)
        assert response.status_code == 422, path
        error = response.json()["error"]
        assert error["details"][0]["loc"] == ["path", "proposal_id"]
        assert "is not a uint256" in error["message"]


def test_the_largest_uint256_is_a_valid_proposal_id_that_nobody_created(client: TestClient) -> None:
    response = client.get(f"/v1/proposals/{2**256 - 1}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
