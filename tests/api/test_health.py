"""``/health``, ``/ready`` and ``/metrics``: liveness, readiness from the indexer's health figures and the plans'
verifications, and Prometheus metrics."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.store import Store, create_store_engine
from scheduler.alarms import AlarmBoard
from tests.api.conftest import IndexedRound, api_settings


@pytest.fixture
def own_store(indexed_round: IndexedRound, tmp_path: Path) -> Iterator[tuple[Store, TestClient]]:
    """A copy of the round's store that a test may change, and a client of an app over it."""
    copy = tmp_path / "union.db"
    shutil.copyfile(indexed_round.store_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    store = Store(create_store_engine(url))
    with TestClient(create_app(api_settings(url), store, indexed_round.schedule)) as client:
        yield store, client
    store.close()


def test_health_answers_while_the_process_runs(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_when_the_indexer_is_at_the_head_without_errors(own_store: tuple[Store, TestClient]) -> None:
    store, client = own_store
    store.record_status(head=store.health().cursor, last_error=None, last_error_at=None)
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["lag"] == 0
    assert body["reasons"] == []


def test_not_ready_when_the_indexer_lags(own_store: tuple[Store, TestClient]) -> None:
    store, client = own_store
    cursor = store.health().cursor
    assert cursor is not None
    store.record_status(head=cursor + 1_000)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["lag"] == 1_000
    assert "1000 blocks behind" in response.json()["reasons"][0]


def test_not_ready_after_a_recent_indexer_error(own_store: tuple[Store, TestClient]) -> None:
    store, client = own_store
    store.record_status(head=store.health().cursor, last_error="RPC unreachable", last_error_at=time.time())
    response = client.get("/ready")
    assert response.status_code == 503
    assert "RPC unreachable" in response.json()["reasons"][0]


def test_not_ready_and_alarmed_when_a_plan_is_not_reproduced(
    own_store: tuple[Store, TestClient], indexed_round: IndexedRound
) -> None:
    store, client = own_store
    store.record_status(head=store.health().cursor)
    plan = indexed_round.token_plan
    store.record_verification(
        plan.plan_hash, indexed_round.token_proposal, False, ["root: expected 0x01, published 0x02"], time.time()
    )
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["verification_alarms"] == 1
    distributions = client.get("/v1/distributions", params={"token": indexed_round.token}).json()["items"]
    assert distributions[0]["verification"]["alarm"] is True
    assert distributions[0]["verification"]["differences"] == ["root: expected 0x01, published 0x02"]
    assert "union_plan_verification_alarms 1.0" in client.get("/metrics").text


def test_metrics_expose_indexer_figures_and_request_counts(client: TestClient, indexed_round: IndexedRound) -> None:
    client.get("/v1/treasury")
    client.get(f"/v1/members/{indexed_round.members[0].address}")
    text = client.get("/metrics").text
    cursor = client.get("/v1/treasury").json()["as_of_block"]
    assert f"union_indexer_cursor_block {cursor}.0" in text
    assert "union_indexer_lag_blocks" in text
    assert "union_indexer_last_error 0.0" in text
    assert 'union_api_requests_total{method="GET",route="/v1/members/{address}",status="200"}' in text
    assert "union_api_request_duration_seconds_bucket" in text


def test_a_failed_plan_that_can_no_longer_pay_is_not_an_alarm(own_store: tuple[Store, TestClient]) -> None:
    """A plan nobody funded and no live proposal carries (e.g. its proposal was canceled) is history, not an alarm."""
    store, client = own_store
    store.record_status(head=store.health().cursor)
    store.record_verification("0x" + "ab" * 32, None, False, ["root differs"], time.time())
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json()["verification_alarms"] == 0


def test_scheduler_alarms_make_the_service_unready_and_reports_do_not(own_store: tuple[Store, TestClient]) -> None:
    store, client = own_store
    store.record_status(head=store.health().cursor)
    board = AlarmBoard(store.engine)
    board.raise_alarm("unattributed_inflow", "token:ETH", "0.5 ETH arrived without payRevenue")
    report = client.get("/ready")
    assert report.status_code == 200
    assert [(alarm["kind"], alarm["failure"]) for alarm in report.json()["alarms"]] == [("unattributed_inflow", False)]

    board.raise_alarm("balance_below_books", "token:ETH", "treasury holds 1 wei less than its books")
    failing = client.get("/ready")
    assert failing.status_code == 503
    assert "treasury holds 1 wei less than its books" in failing.json()["reasons"][0]
    metrics = client.get("/metrics").text
    assert 'union_alarms_open{kind="balance_below_books"} 1.0' in metrics
    assert 'union_alarms_open{kind="unattributed_inflow"} 1.0' in metrics

    board.clear("balance_below_books", "token:ETH")
    assert client.get("/ready").status_code == 200
