"""Request bodies are bounded before they are parsed: the nesting measure, and the layer's answers (413, 422, and the
request passed through untouched when it is within both limits). The real server under the same bodies is
``tests/e2e/test_hostile_bodies.py``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.app import error_answer
from api.bodies import BodyLimits, BoundedBodyMiddleware, nesting_depth

LIMITS = BodyLimits(max_bytes=4_096, max_depth=8)


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"", 0),
        (b"17", 0),
        (b'"[[[["', 0),
        (b"{}", 1),
        (b'{"a": [1, {"b": [[]]}]}', 5),
        (b'{"reason": "[[[[{{{{", "x": [1]}', 2),  # brackets inside a string are text
        (b'{"reason": "a \\" [[[[ \\\\", "x": [[1]]}', 3),  # escaped quotes and backslashes stay inside the string
        (b'["unterminated [[[[', 1),  # an unterminated string runs to the end
        (b"]]]][", 0),  # closing first: the parser fails at once
        (b"[" * 100_000 + b"]" * 100_000, 100_000),
        (json.dumps({"a": [[["é"]]]}).encode("utf-16"), 4),  # decoded as json.loads decodes bytes (BOM: UTF-16)
        (json.dumps([["\u0122\u015b"]], ensure_ascii=False).encode("utf-16-le"), 2),  # bytes 0x22 inside characters
        (b"\xff\xfe\xff", 0),  # not text: the parser refuses it before reading structure
    ],
)
def test_nesting_depth_counts_arrays_and_objects_outside_strings(body: bytes, depth: int) -> None:
    assert nesting_depth(body) == depth


def _depth(value: object) -> int:
    """How deep the parsed document nests: what the parser recursed through to build it."""
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


_JSON_TEXT = st.text(alphabet=st.sampled_from('[]{}"\\,: aé\u0122\U0001f600'), max_size=8)
_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | _JSON_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_JSON_TEXT, children, max_size=3),
    max_leaves=30,
)


@given(document=_DOCUMENTS, encoding=st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32"]), ascii=st.booleans())
@settings(max_examples=300, deadline=None, database=None)
def test_nesting_depth_of_any_document_is_the_depth_the_parser_builds(
    document: object, encoding: str, ascii: bool
) -> None:
    body = json.dumps(document, ensure_ascii=ascii).encode(encoding)
    assert nesting_depth(body) == _depth(json.loads(body))


class _Ballot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    voter: str
    reason: str = ""


@pytest.fixture(scope="module")
def bounded() -> Iterator[TestClient]:
    """A POST endpoint behind the layer, with the API's error answers."""
    app = FastAPI()

    @app.post("/ballots")
    def ballots(ballot: _Ballot) -> dict[str, str]:
        return {"voter": ballot.voter, "reason": ballot.reason}

    @app.get("/ballots")
    def list_ballots() -> list[str]:
        return []

    for exception in (RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(exception, error_answer)
    app.add_middleware(BoundedBodyMiddleware, limits=LIMITS)
    with TestClient(app) as client:
        yield client


def test_a_body_within_both_limits_reaches_the_route_unchanged(bounded: TestClient) -> None:
    body = {"voter": "0xabc", "reason": "[" * 3_000}  # brackets in text, close to the size limit
    response = bounded.post("/ballots", json=body)
    assert response.status_code == 200
    assert response.json() == body


def test_a_body_over_the_size_limit_is_a_413_naming_the_limit(bounded: TestClient) -> None:
    response = bounded.post("/ballots", json={"voter": "0xabc", "reason": "x" * 5_000})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "body_too_large"
    assert "4,096 bytes" in error["message"]
    assert "max_body_bytes" in error["message"]
    assert error["details"][0]["limit"] == 4_096
    assert response.headers["cache-control"] == "no-store"


def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(bounded: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"voter": "0xabc", "reason": "'
        for _ in range(10):
            yield b"x" * 1_000
        yield b'"}'

    response = bounded.post("/ballots", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_a_body_nested_past_the_depth_limit_is_a_422_naming_the_limit(bounded: TestClient) -> None:
    response = bounded.post("/ballots", content=b"[" * 9 + b"]" * 9, headers={"content-type": "application/json"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "body_too_deep"
    assert "more than 8 levels" in error["message"]
    assert "max_body_depth" in error["message"]


def test_a_body_nested_to_the_limit_is_parsed_and_judged_by_the_route(bounded: TestClient) -> None:
    response = bounded.post("/ballots", content=b"[" * 8 + b"]" * 8, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"  # not an object: the route's validation says so


def test_a_request_without_a_body_passes_through(bounded: TestClient) -> None:
    assert bounded.get("/ballots").json() == []


def test_many_unknown_keys_get_a_short_answer(bounded: TestClient) -> None:
    body = {"voter": "0xabc"} | {f"k{index}": 0 for index in range(300)}
    response = bounded.post("/ballots", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert len(error["details"]) == 20
    assert error["message"].endswith("and 280 more problems")
