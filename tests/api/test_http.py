"""What every endpoint promises over HTTP: validated inputs with clear 422s, one error shape, bounded pages,
ETag / Cache-Control with 304s, answers that follow the store, and CORS open for reads."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from indexer.models import IndexerCursor
from indexer.store import Store, create_store_engine
from tests.api.conftest import IndexedRound, api_settings


@pytest.mark.parametrize(
    ("address", "complaint"),
    [
        ("0x71be63f3384f5fb98995898a86b02fb2426c5788", None),  # lower case: accepted
        ("0x71bE63f3384f5fb98995898A86B02Fb2426c5788", None),  # checksummed: accepted
        ("0x71BE63f3384f5fb98995898a86b02fb2426c5788", "wrong EIP-55 checksum"),
        ("0x71BE63F3384F5FB98995898A86B02FB2426C5788", "wrong EIP-55 checksum"),
        ("0x71be63f3384f5fb98995898a86b02fb2426c578", "0x followed by 40 hexadecimal digits"),
        ("71be63f3384f5fb98995898a86b02fb2426c5788", "0x followed by 40 hexadecimal digits"),
        ("0xzzbe63f3384f5fb98995898a86b02fb2426c5788", "0x followed by 40 hexadecimal digits"),
    ],
)
def test_addresses_are_accepted_checksummed_or_lowercase_and_anything_else_is_a_422(
    client: TestClient, indexed_round: IndexedRound, address: str, complaint: str | None
) -> None:
    response = client.get(f"/v1/members/{address}")
    if complaint is None:
        assert response.status_code == 200
        assert response.json()["address"] == "0x71bE63f3384f5fb98995898A86B02Fb2426c5788"
        return
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["status"] == 422
    assert complaint in error["message"]
    assert "address" in error["message"]
    assert error["details"][0]["loc"] == ["path", "address"]


def test_wrong_checksum_suggests_the_right_spelling(client: TestClient) -> None:
    message = client.get("/v1/members/0x71BE63f3384f5fb98995898a86b02fb2426c5788").json()["error"]["message"]
    assert "did you mean 0x71bE63f3384f5fb98995898A86B02Fb2426c5788" in message


@pytest.mark.parametrize("limit", [0, 501, -1, "many"])
def test_page_size_is_bounded(client: TestClient, limit: object) -> None:
    response = client.get("/v1/members", params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["query", "limit"]


def test_largest_page_is_accepted(client: TestClient) -> None:
    assert client.get("/v1/treasury/ledger", params={"limit": 500}).json()["limit"] == 500


def test_a_malformed_cursor_is_a_422_naming_the_expected_form(client: TestClient) -> None:
    response = client.get("/v1/treasury/ledger", params={"cursor": "page-2"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["details"][0]["loc"] == ["query", "cursor"]
    assert "query.cursor" in error["message"]


def test_unknown_path_answers_in_the_same_error_shape(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_reads_carry_an_etag_and_answer_304_when_it_matches(client: TestClient) -> None:
    first = client.get("/v1/treasury")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=5"
    again = client.get("/v1/treasury", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get("/v1/treasury", headers={"if-none-match": '"other"'}).status_code == 200


def test_streamed_csv_has_a_validator_too(client: TestClient) -> None:
    first = client.get("/v1/treasury/ledger.csv")
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert client.get("/v1/treasury/ledger.csv", headers={"if-none-match": etag}).status_code == 304


def test_errors_are_never_cached(client: TestClient) -> None:
    response = client.get("/v1/members/0x" + "12" * 20)
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_cors_is_open_for_reads(client: TestClient) -> None:
    response = client.get("/v1/treasury", headers={"origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/v1/treasury", headers={"origin": "https://example.org", "access-control-request-method": "GET"}
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


def test_answers_follow_the_store_when_the_indexer_moves(indexed_round: IndexedRound, tmp_path: Path) -> None:
    """A cached answer is dropped as soon as the store's version changes (here: the indexer's cursor moves)."""
    copy = tmp_path / "union.db"
    shutil.copyfile(indexed_round.store_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    store = Store(create_store_engine(url))
    app = create_app(api_settings(url), store, indexed_round.schedule)
    with TestClient(app) as client:
        before = client.get("/v1/treasury")
        cursor = before.json()["as_of_block"]
        with store.engine.begin() as db:
            db.execute(update(IndexerCursor).values(block_number=cursor + 1))
        after = client.get("/v1/treasury", headers={"if-none-match": before.headers["etag"]})
    store.close()
    assert after.status_code == 200
    assert after.json()["as_of_block"] == cursor + 1


def test_openapi_document_has_examples_and_the_error_shape(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["TreasuryPublic"]["examples"]
    assert schemas["ClaimArgumentsPublic"]["examples"]
    member = document["paths"]["/v1/members/{address}"]["get"]["responses"]
    assert member["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorPublic")
    assert member["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorPublic")


def test_the_dashboard_page_is_served_at_the_root(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "POST"])
def test_an_unsupported_method_is_a_405_with_the_allow_header(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/treasury")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"  # RFC 9110: what the path does answer
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert f"does not answer {method}" in error["message"]


def test_the_documented_address_pattern_is_a_spelling_the_server_always_accepts(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    parameter = next(p for p in document["paths"]["/v1/members/{address}"]["get"]["parameters"] if p["in"] == "path")
    pattern = re.compile(parameter["schema"]["pattern"])
    assert "EIP-55" in parameter["schema"]["description"]  # the checksummed spelling, accepted too, is described
    checksummed = "0x71bE63f3384f5fb98995898A86B02Fb2426c5788"
    wrong_checksum = "0x71BE63f3384f5fb98995898a86b02fb2426c5788"
    assert pattern.fullmatch(checksummed.lower())
    assert client.get(f"/v1/members/{checksummed.lower()}").status_code == 200
    assert not pattern.fullmatch(wrong_checksum)
    assert client.get(f"/v1/members/{wrong_checksum}").status_code == 422
    assert client.get(f"/v1/members/{checksummed}").status_code == 200  # outside the pattern, inside the description
