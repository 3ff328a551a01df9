"""``/v1/epochs``, ``/v1/distributions`` and ``/v1/plans``: totals, policy in force, rounds, plans and verification."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.api.conftest import IndexedRound
from treasury._keccak import keccak256
from treasury.plan import Plan
from union.types import ZERO_ADDRESS


def test_epoch_shows_totals_revenue_policy_and_its_rounds(client: TestClient, indexed_round: IndexedRound) -> None:
    epoch = client.get(f"/v1/epochs/{indexed_round.epoch}").json()
    schedule = indexed_round.schedule
    assert (epoch["start"], epoch["end"], epoch["grace_end"]) == (
        schedule.start(indexed_round.epoch),
        schedule.end(indexed_round.epoch),
        schedule.grace_end(indexed_round.epoch),
    )
    assert epoch["final"] is True
    assert (epoch["entries"], epoch["contributors"], epoch["units"], epoch["net_units"], epoch["disputes"]) == (
        4,
        3,
        "11",
        "6",
        1,
    )
    # The policy voted during the epoch governs it (in force at its end), exactly as the plan used.
    policy = indexed_round.eth_plan.epochs[0].policy
    assert (epoch["policy"]["reserve_bps"], epoch["policy"]["cap_bps"]) == (policy.reserve_bps, policy.cap_bps)
    assert epoch["policy"]["set_at"] == policy.timestamp
    assert {(r["token"], r["plan_hash"]) for r in epoch["funded_by"]} == {
        (ZERO_ADDRESS, indexed_round.eth_plan.plan_hash),
        (indexed_round.token, indexed_round.token_plan.plan_hash),
    }


def test_epoch_list_runs_from_one_to_the_current_epoch(client: TestClient, indexed_round: IndexedRound) -> None:
    page = client.get("/v1/epochs", params={"limit": 1}).json()
    assert [item["epoch"] for item in page["items"]] == [1]
    epochs = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/epochs", params=params).json()
        epochs += [item["epoch"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert epochs == list(range(1, len(epochs) + 1))
    assert indexed_round.epoch in epochs
    assert client.get("/v1/epochs/100000").status_code == 404


def test_distributions_show_root_plan_amount_proposal_and_verification(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    items = client.get("/v1/distributions").json()["items"]
    assert [item["plan_hash"] for item in items] == [
        indexed_round.eth_plan.plan_hash,
        indexed_round.token_plan.plan_hash,
    ]
    eth, token = items
    assert eth["root"] == indexed_round.eth_plan.root
    assert eth["amount"] == str(indexed_round.eth_plan.totals.amount)
    assert eth["funding_proposal_id"] == str(indexed_round.eth_proposal)
    assert eth["plan_stored"] is True
    assert eth["verification"]["reproduced"] is True
    assert eth["verification"]["alarm"] is False
    assert token["funding_proposal_id"] == str(indexed_round.token_proposal)
    assert token["verification"] is None
    assert client.get("/v1/distributions", params={"token": indexed_round.token}).json()["items"] == [token]


def test_plan_document_is_served_byte_exact_so_its_keccak_is_the_plan_hash(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    for plan in (indexed_round.eth_plan, indexed_round.token_plan):
        response = client.get(f"/v1/plans/{plan.plan_hash}/document")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert "0x" + keccak256(response.content).hex() == plan.plan_hash
        assert Plan.from_json(response.content).plan_hash == plan.plan_hash


def test_plan_summary_links_its_funding_proposal_and_verification(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    plan = indexed_round.eth_plan
    summary = client.get(f"/v1/plans/{plan.plan_hash.upper().replace('0X', '0x')}").json()
    assert summary["plan_hash"] == plan.plan_hash
    assert summary["proposal_ids"] == [str(indexed_round.eth_proposal)]
    assert summary["accounts"] == len(plan.new_cumulative)
    assert summary["funded_in_block"] is not None
    assert summary["verification"]["differences"] == []
    listed = client.get("/v1/plans").json()["items"]
    assert {item["plan_hash"] for item in listed} == {plan.plan_hash, indexed_round.token_plan.plan_hash}


def test_unknown_plan_is_a_404(client: TestClient) -> None:
    for path in ("/v1/plans/0x" + "00" * 32, "/v1/plans/0x" + "00" * 32 + "/document"):
        response = client.get(path)
        assert response.status_code == 404
        assert json.loads(response.content)["error"]["code"] == "not_found"
