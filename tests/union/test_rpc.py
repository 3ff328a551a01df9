"""The JSON-RPC client retries what is transient, refuses to wait on a refused range, and adapts its log ranges."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from union.errors import LogRangeRefusedError, RpcUnavailableError
from union.rpc import AdaptiveLogFetcher, JsonRpcClient


def _client(replies: list[Callable[[dict[str, object]], httpx.Response]], **options: object) -> JsonRpcClient:
    """A client whose n-th HTTP request is answered by ``replies[n]`` (given the JSON-RPC request)."""
    calls = iter(replies)

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return next(calls)(body[0])

    return JsonRpcClient("http://node", transport=httpx.MockTransport(handle), sleep=lambda _: None, **options)  # type: ignore[arg-type]


def _ok(result: object) -> Callable[[dict[str, object]], httpx.Response]:
    return lambda request: httpx.Response(200, json=[{"jsonrpc": "2.0", "id": request["id"], "result": result}])


def _status(code: int) -> Callable[[dict[str, object]], httpx.Response]:
    return lambda _request: httpx.Response(code)


def _error(code: int, message: str) -> Callable[[dict[str, object]], httpx.Response]:
    return lambda request: httpx.Response(
        200, json=[{"jsonrpc": "2.0", "id": request["id"], "error": {"code": code, "message": message}}]
    )


def _drop(_request: dict[str, object]) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response")


def _truncated(_request: dict[str, object]) -> httpx.Response:
    return httpx.Response(200, content=b'[{"jsonrpc": "2.0", "id": 0, "res')


def test_transient_failures_are_retried_until_an_answer() -> None:
    client = _client([_status(429), _status(503), _drop, _truncated, _error(-32603, "internal"), _ok("0x10")])
    assert client.call("eth_blockNumber") == "0x10"
    assert client.errors_total == 5
    assert client.last_error is not None


def test_persistent_failure_raises_rpc_unavailable_with_the_last_error() -> None:
    client = _client([_status(502)] * 3, max_attempts=3)
    with pytest.raises(RpcUnavailableError, match="HTTP 502"):
        client.call("eth_blockNumber")
    assert client.last_error == "HTTP 502"


def test_refused_log_range_is_reported_at_once_and_halves_the_span() -> None:
    client = _client([_error(-32005, "query returned more than 10000 results")])
    fetcher = AdaptiveLogFetcher(client, ["0x" + "00" * 20], span=100)
    with pytest.raises(LogRangeRefusedError):
        fetcher.fetch(1, 100)
    assert (fetcher.span, client.errors_total) == (50, 0)


def test_log_ranges_grow_when_light_and_shrink_when_heavy() -> None:
    heavy = [{"blockNumber": "0x1"}] * 40
    client = _client([_ok([]), _ok(heavy)])
    fetcher = AdaptiveLogFetcher(client, ["0x" + "00" * 20], span=10, max_span=1_000, target_logs=20)
    fetcher.fetch(1, 10)
    assert fetcher.span == 20
    fetcher.fetch(11, 30)
    assert fetcher.span == 10


def test_invalid_request_is_not_retried() -> None:
    client = _client([_error(-32601, "method not found")])
    with pytest.raises(RpcUnavailableError, match="method not found"):
        client.call("eth_nothing")
