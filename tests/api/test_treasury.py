"""``/v1/treasury``: balances and totals per token, flows by period, purpose and payer, and the paginated ledger."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ETHER, TOKEN_REVENUE, IndexedRound
from union.types import ZERO_ADDRESS


def _books(client: TestClient) -> dict[str, dict[str, object]]:
    response = client.get("/v1/treasury")
    assert response.status_code == 200
    return {entry["token"]: entry for entry in response.json()["tokens"]}


def test_treasury_books_match_the_round_to_the_wei(client: TestClient, indexed_round: IndexedRound) -> None:
    books = _books(client)
    eth, token = books[ZERO_ADDRESS], books[indexed_round.token]
    plan = indexed_round.eth_plan
    assert eth["revenue"] == str(12 * ETHER)
    assert eth["dividends_funded"] == str(plan.totals.amount)
    assert eth["reserve_released"] == str(plan.totals.reserve_released)
    assert eth["booked_balance"] == str(12 * ETHER - plan.totals.amount)
    # What stays earmarked is exactly the carry of "ai-training" revenue nobody could share yet.
    assert eth["earmarked"] == str(sum(plan.totals.carries.values()))
    assert int(eth["free"]) == int(eth["booked_balance"]) - int(eth["earmarked"])  # type: ignore[call-overload]
    m0 = indexed_round.members[0].address
    assert eth["claimed"] == str(plan.new_cumulative[m0])
    assert eth["unclaimed"] == str(plan.totals.amount - plan.new_cumulative[m0])
    assert token["revenue"] == str(TOKEN_REVENUE)
    assert token["claimed"] == str(indexed_round.token_plan.new_cumulative[indexed_round.members[1].address])


def test_treasury_flows_put_revenue_in_its_epoch_and_funding_when_it_happened(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    items = client.get("/v1/treasury/flows", params={"period": "epoch", "token": ZERO_ADDRESS}).json()["items"]
    by_epoch = {item["period"]: item for item in items}
    assert by_epoch[str(indexed_round.epoch)]["money_in"] == str(12 * ETHER)
    funded_in = [item for item in items if item["money_out"] != "0"]
    assert [item["dividends_funded"] for item in funded_in] == [str(indexed_round.eth_plan.totals.amount)]
    months = client.get("/v1/treasury/flows", params={"period": "month"}).json()["items"]
    assert sum(int(item["revenue"]) for item in months if item["token"] == ZERO_ADDRESS) == 12 * ETHER
    assert all(len(item["period"]) == 7 for item in months)


def test_revenue_by_purpose_names_each_purpose(client: TestClient, indexed_round: IndexedRound) -> None:
    items = client.get("/v1/treasury/revenue/by-purpose", params={"token": ZERO_ADDRESS}).json()["items"]
    assert {(item["purpose"], item["amount"], item["payments"]) for item in items} == {
        ("general", str(10 * ETHER), 1),
        ("ai-training", str(2 * ETHER), 1),
    }
    # Per purpose, what the treasury still holds: ai-training's revenue waits as a carry (nobody consented yet).
    plan = indexed_round.eth_plan
    earmarked = {item["purpose"]: int(item["earmarked"]) for item in items}
    assert earmarked == {"general": 0, "ai-training": sum(plan.totals.carries.values())}


def test_revenue_by_payer_lists_each_buyer_with_its_total(client: TestClient, indexed_round: IndexedRound) -> None:
    accounts = indexed_round.deployed.accounts
    items = client.get("/v1/treasury/revenue/by-payer").json()["items"]
    assert {(item["token"], item["payer"], item["amount"]) for item in items} == {
        (ZERO_ADDRESS, accounts.buyer.address, str(10 * ETHER)),
        (ZERO_ADDRESS, accounts.second_buyer.address, str(2 * ETHER)),
        (indexed_round.token, accounts.second_buyer.address, str(TOKEN_REVENUE)),
    }


def test_ledger_pages_walk_every_movement_once_in_chain_order(client: TestClient) -> None:
    everything = client.get("/v1/treasury/ledger", params={"limit": 500}).json()
    assert everything["next_cursor"] is None
    seen = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/treasury/ledger", params=params).json()
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything["items"]
    positions = [(item["block_number"], item["log_index"]) for item in seen]
    assert positions == sorted(positions)
    assert len(seen) == 5


def test_ledger_filters_by_token_kind_and_block_range(client: TestClient, indexed_round: IndexedRound) -> None:
    funded = client.get("/v1/treasury/ledger", params={"kind": "dividends_funded"}).json()["items"]
    assert [item["memo"] for item in funded] == [indexed_round.eth_plan.plan_hash, indexed_round.token_plan.plan_hash]
    token_only = client.get("/v1/treasury/ledger", params={"token": indexed_round.token.lower()}).json()["items"]
    assert {item["token"] for item in token_only} == {indexed_round.token}
    first_block = funded[0]["block_number"]
    later = client.get("/v1/treasury/ledger", params={"from_block": first_block}).json()["items"]
    assert [item["kind"] for item in later] == ["dividends_funded", "dividends_funded"]
    window = client.get(
        "/v1/treasury/ledger", params={"from_time": funded[0]["timestamp"], "to_time": funded[0]["timestamp"]}
    ).json()["items"]
    assert funded[0] in window


def test_ledger_running_balance_is_the_sum_of_deltas_per_token(client: TestClient) -> None:
    items = client.get("/v1/treasury/ledger", params={"limit": 500}).json()["items"]
    running: dict[str, int] = {}
    for item in items:
        running[item["token"]] = running.get(item["token"], 0) + int(item["balance_delta"])
        assert item["balance_after"] == str(running[item["token"]])
