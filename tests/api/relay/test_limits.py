"""Abuse limits and the balance floor: the relay refuses politely, and refusing costs nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.relay import RateLimit, RelayConfig, TokenBuckets
from tests.api.relay.conftest import RelayEnv, make_service, open_proposal, relay_app
from union.errors import RateLimitExceededError, UnionValueError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit.per_minute(6, burst=2), clock=clock)
    buckets.take("a", "a")
    buckets.take("a", "a")
    with pytest.raises(RateLimitExceededError) as refused:
        buckets.take("a", "a")
    assert refused.value.retry_after == pytest.approx(10.0)
    buckets.take("b", "b")  # other keys have their own bucket

    clock.now += 10
    buckets.take("a", "a")
    with pytest.raises(RateLimitExceededError):
        buckets.take("a", "a")


def test_rate_limit_refuses_nonsense_settings() -> None:
    with pytest.raises(UnionValueError):
        RateLimit(capacity=0, refill_per_second=1)


def test_relay_limits_ballots_per_voter_with_429_and_retry_after(relay: RelayEnv) -> None:
    clock = FakeClock()
    config = RelayConfig(subject_limit=RateLimit.per_minute(1, burst=1))
    relay.service = make_service(relay.union, config, clock=clock)
    relay.client = TestClient(relay_app(relay.service))
    first = open_proposal(relay.union, relay.members[0], "Policy A")
    second = open_proposal(relay.union, relay.members[0], "Policy B")
    voter = relay.members[1]
    assert relay.vote(relay.signed_ballot(voter, first)).status_code == 201
    ballot = relay.signed_ballot(voter, second)
    nonce_before = relay.relayer_nonce()

    limited = relay.vote(ballot)

    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "60"
    assert relay.relayer_nonce() == nonce_before
    assert relay.vote(relay.signed_ballot(relay.members[2], second)).status_code == 201  # another voter is fine
    clock.now += 60
    assert relay.vote(ballot).status_code == 201


def test_relay_limits_requests_per_client_address(relay: RelayEnv) -> None:
    config = RelayConfig(client_limit=RateLimit.per_minute(1, burst=2))
    relay.service = make_service(relay.union, config, clock=FakeClock())
    relay.client = TestClient(relay_app(relay.service))
    proposal_id = open_proposal(relay.union, relay.members[0])
    statuses = [relay.vote(relay.signed_ballot(member, proposal_id)).status_code for member in relay.members[1:4]]

    assert statuses == [201, 201, 429]


def test_relay_below_its_balance_floor_refuses_with_503_and_sends_nothing(relay: RelayEnv) -> None:
    balance = relay.union.w3.eth.get_balance(relay.relayer.address)
    relay.service = make_service(relay.union, RelayConfig(balance_floor=balance + 1))
    relay.client = TestClient(relay_app(relay.service))
    proposal_id = open_proposal(relay.union, relay.members[0])
    nonce_before = relay.relayer_nonce()

    response = relay.vote(relay.signed_ballot(relay.members[1], proposal_id))

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "relayer_underfunded"
    assert "floor" in response.json()["error"]["message"]
    assert relay.relayer_nonce() == nonce_before
    status = relay.client.get("/v1/relay/status").json()
    assert status["accepting"] is False
    assert status["balance_floor"] == str(balance + 1)


def test_api_instance_without_the_relay_answers_503() -> None:
    client = TestClient(relay_app(None))

    response = client.get("/v1/relay/status")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "relay_disabled"
