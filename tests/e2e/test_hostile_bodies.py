"""One request must never stop the union: hostile bodies against every POST endpoint of a running ``union serve``.

The issue's reproduction — 100,000 nested arrays POSTed to ``/v1/relay/votes`` — killed the whole process (SIGSEGV in
the JSON parser, in uvicorn's thread). Here it and its variants (objects, mixed, long strings, many keys, a streamed
body, a declared length far past the limit) go to each POST endpoint of a real server; each is refused with a JSON
error naming the limit it broke, the process lives on, ``/health`` answers and a real signed ballot still relays.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.relay.conftest import ballot_body, open_proposal, sign_payload
from tests.e2e.serve_process import ServeProcess, union_process, write_config
from tests.helpers.driver import UnionDriver
from tests.helpers.serving import free_port
from union.localnet import LocalAccounts

pytestmark = pytest.mark.anvil

POST_ENDPOINTS = ("/v1/relay/votes", "/v1/relay/consent", "/v1/relay/claims")
MAX_BODY_BYTES = 262_144  # the default of ApiSettings.max_body_bytes
MAX_BODY_DEPTH = 32  # the default of ApiSettings.max_body_depth

_MEMBER = "0x70997970c51812dc3a010c7d01b50e20d17dc79c"

HOSTILE_BODIES: dict[str, tuple[bytes, str]] = {
    # name: (body, the refusal's code)
    "the issue's payload: 100,000 nested arrays": (b"[" * 100_000 + b"]" * 100_000, "body_too_deep"),
    "40,000 nested objects": (b'{"a":' * 40_000 + b"1" + b"}" * 40_000, "body_too_deep"),
    "arrays and objects mixed": (b'[{"a":' * 30_000 + b"1" + b"}]" * 30_000, "body_too_deep"),
    "deep nesting inside a ballot's fields": (
        f'{{"voter": "{_MEMBER}", "support": 1, "params": '.encode() + b"[" * 50_000 + b"]" * 50_000 + b"}",
        "body_too_deep",
    ),
    "nested objects past the size limit": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "body_too_large"),
    "a one-megabyte string": (b'"' + b"a" * 1_000_000 + b'"', "body_too_large"),
    "a ballot with a 900 KB reason": (
        json.dumps({"voter": _MEMBER, "support": 1, "reason": "é" * 450_000}, ensure_ascii=False).encode(),
        "body_too_large",
    ),
    "50,000 keys": (json.dumps({f"key{index}": index for index in range(50_000)}).encode(), "body_too_large"),
    "14,000 keys within the limits": (
        json.dumps({f"key{index}": index for index in range(14_000)}).encode(),
        "invalid_request",
    ),
    "brackets inside a long string are text": (
        b'{"reason": "' + b"[{" * 100_000 + b'"}',
        "invalid_request",
    ),
}


@pytest.fixture
def serving(driver: UnionDriver, tmp_path: Path) -> Iterator[tuple[ServeProcess, UnionDriver, int]]:
    """``union serve`` (scheduler, API and relay) over a fresh union with a proposal open for members' votes."""
    members = [LocalAccounts.member(index) for index in range(3)]
    driver.admit([member.address for member in members])
    driver.advance(10)
    proposal_id = open_proposal(driver, members[0])
    port = free_port()
    config = write_config(driver.union, tmp_path, port, relay_client_per_minute=10_000, relay_client_burst=10_000)
    with union_process(["serve", "--config", str(config)], tmp_path, port) as process:
        process.wait_until_answering("/health")
        yield process, driver, proposal_id


def _post(base_url: str, path: str, body: bytes) -> httpx.Response:
    return httpx.post(base_url + path, content=body, headers={"content-type": "application/json"}, timeout=60)


def _assert_refused(response: httpx.Response, code: str) -> None:
    error = response.json()["error"]
    assert error["code"] == code, error
    if code == "body_too_large":
        assert response.status_code == 413
        assert f"{MAX_BODY_BYTES:,} bytes" in error["message"]
        assert "max_body_bytes" in error["message"]
    elif code == "body_too_deep":
        assert response.status_code == 422
        assert f"more than {MAX_BODY_DEPTH} levels" in error["message"]
        assert "max_body_depth" in error["message"]
    else:
        assert response.status_code == 422
        assert len(error["details"]) <= 20  # a short answer, whatever the body held


def _declared_but_never_sent(base_url: str, path: str, length: int) -> tuple[int, dict[str, object]]:
    """A request declaring a ``length``-byte body, none of which is sent: the answer must come before the body."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n"
        )
        connection.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65_536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    body = rest.split(b"\r\n\r\n", 1)[1]
    return int(status_line.split()[1]), json.loads(body)


def test_hostile_bodies_are_refused_and_the_union_keeps_serving_and_relaying(
    serving: tuple[ServeProcess, UnionDriver, int],
) -> None:
    process, driver, proposal_id = serving
    base = process.base_url
    for path in POST_ENDPOINTS:
        for name, (body, code) in HOSTILE_BODIES.items():
            response = _post(base, path, body)
            assert process.process.poll() is None, f"{name} to {path} stopped the union:\n{process.output()[-4000:]}"
            _assert_refused(response, code)

        def streamed() -> Iterator[bytes]:  # no Content-Length: chunked transfer, cut off at the limit
            for _ in range(40):
                yield b"[" * 10_000

        response = httpx.post(base + path, content=streamed(), headers={"content-type": "application/json"})
        _assert_refused(response, "body_too_large")
        status, answer = _declared_but_never_sent(base, path, 10**10)
        assert status == 413
        assert answer["error"]["code"] == "body_too_large"  # type: ignore[index]

    assert process.process.poll() is None
    assert httpx.get(base + "/health").json() == {"status": "ok"}

    voter = LocalAccounts.member(1)
    payload = httpx.get(
        base + "/v1/relay/typed-data/ballot",
        params={"proposalId": str(proposal_id), "support": "for", "voter": voter.address},
    )
    assert payload.status_code == 200, payload.text
    ballot = ballot_body(json.loads(payload.text), sign_payload(voter, payload.text))
    relayed = httpx.post(base + "/v1/relay/votes", json=ballot, timeout=60)
    assert relayed.status_code == 201, relayed.text
    assert driver.contracts.governor.functions.hasVoted(proposal_id, voter.address).call()
