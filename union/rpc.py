"""A JSON-RPC client for hot paths (the indexer, ``union verify``): batches, retries, adaptive log ranges.

It speaks raw JSON-RPC over one keep-alive HTTP connection (no web3 middleware in the hot path). Transient failures —
timeouts, dropped connections, HTTP 429 and 5xx, truncated or malformed JSON, node-side internal errors — are
retried with exponential backoff and jitter; a node refusing an ``eth_getLogs`` range raises
:class:`~union.errors.LogRangeRefusedError` at once so the caller splits the range instead of waiting.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
import orjson

from union.errors import LogRangeRefusedError, RpcUnavailableError

__all__ = ["AdaptiveLogFetcher", "JsonRpcClient", "RpcCall"]

logger = logging.getLogger(__name__)

RpcCall = tuple[str, Sequence[Any]]

_RANGE_REFUSAL_HINTS: Final = (
    "range",
    "too many",
    "too large",
    "limit exceeded",
    "exceed",
    "more than",
    "response size",
    "query returned",
    "timeout",
)
_NON_RETRYABLE_CODES: Final = frozenset({-32600, -32601, -32602})
_RETRYABLE_STATUS: Final = frozenset({408, 425, 429})
_MAX_BATCH: Final = 500


class _RetryableError(Exception):
    """A failure worth another attempt (internal)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(slots=True)
class JsonRpcClient:
    """JSON-RPC over HTTP with retries. ``last_error`` keeps the most recent failure for the health figures."""

    url: str
    timeout: float = 30.0
    max_attempts: int = 8
    backoff_base: float = 0.25
    backoff_max: float = 20.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    last_error: str | None = None
    last_error_at: float | None = None
    errors_total: int = 0
    transport: httpx.BaseTransport | None = None
    _http: httpx.Client | None = None
    _next_id: int = 0

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                timeout=self.timeout, headers={"Content-Type": "application/json"}, transport=self.transport
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One request; retried on transient failures."""
        return self.batch([(method, params)])[0]

    def batch(self, calls: Sequence[RpcCall]) -> list[Any]:
        """Several requests, sent as JSON-RPC batches of at most 500; results in the order of ``calls``."""
        results: list[Any] = []
        for start in range(0, len(calls), _MAX_BATCH):
            results.extend(self._with_retries(list(calls[start : start + _MAX_BATCH])))
        return results

    def _with_retries(self, calls: list[RpcCall]) -> list[Any]:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send(calls)
            except _RetryableError as exc:
                self._note_error(str(exc))
                if attempt >= self.max_attempts:
                    raise RpcUnavailableError(
                        f"{calls[0][0]} failed {attempt} times; last error: {exc} ({self.url})"
                    ) from exc
                delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
                delay = delay / 2 + self.rng.uniform(0, delay / 2)
                if exc.retry_after is not None:
                    delay = max(delay, min(exc.retry_after, self.backoff_max))
                logger.info("rpc retry %d after %.2fs: %s", attempt, delay, exc)
                self.sleep(delay)

    def _note_error(self, message: str) -> None:
        self.last_error = message
        self.last_error_at = time.time()
        self.errors_total += 1

    def _send(self, calls: list[RpcCall]) -> list[Any]:
        first_id = self._next_id
        self._next_id += len(calls)
        payload = [
            {"jsonrpc": "2.0", "id": first_id + offset, "method": method, "params": list(params)}
            for offset, (method, params) in enumerate(calls)
        ]
        try:
            response = self._client().post(self.url, content=orjson.dumps(payload))
        except httpx.TransportError as exc:  # timeouts, refused and dropped connections, protocol errors
            self.close()
            raise _RetryableError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in _RETRYABLE_STATUS or response.status_code >= 500:
            retry_after = response.headers.get("Retry-After")
            raise _RetryableError(
                f"HTTP {response.status_code}",
                float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None,
            )
        if response.status_code == 413:
            raise LogRangeRefusedError("HTTP 413: request or response too large")
        if response.status_code != 200:
            raise RpcUnavailableError(f"HTTP {response.status_code} from {self.url}: {response.text[:200]}")
        try:
            body = orjson.loads(response.content)  # a million-log backfill spends a fifth of its time parsing JSON
        except ValueError as exc:  # truncated or garbled body (orjson.JSONDecodeError is a ValueError)
            raise _RetryableError(f"malformed JSON response ({len(response.content)} bytes)") from exc
        replies = body if isinstance(body, list) else [body]
        by_id: dict[Any, dict[str, Any]] = {}
        for reply in replies:
            if not isinstance(reply, dict):
                raise _RetryableError("malformed JSON-RPC reply")
            if reply.get("id") is None and "error" in reply:
                self._raise_for_error(reply["error"], calls[0][0])
            by_id[reply.get("id")] = reply
        results: list[Any] = []
        for offset, (method, _params) in enumerate(calls):
            reply = by_id.get(first_id + offset)
            if reply is None:
                raise _RetryableError(f"no reply to {method} in the batch")
            if "error" in reply:
                self._raise_for_error(reply["error"], method)
            if "result" not in reply:
                raise _RetryableError(f"reply to {method} has neither result nor error")
            results.append(reply["result"])
        return results

    @staticmethod
    def _raise_for_error(error: Any, method: str) -> None:
        code = error.get("code") if isinstance(error, dict) else None
        message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
        lowered = message.lower()
        if code == 429 or "rate limit" in lowered or "too many requests" in lowered:
            raise _RetryableError(f"{method}: rate limited ({message})")
        if method == "eth_getLogs" and (code == -32005 or any(hint in lowered for hint in _RANGE_REFUSAL_HINTS)):
            raise LogRangeRefusedError(f"{method}: {message}")
        if code in _NON_RETRYABLE_CODES:
            raise RpcUnavailableError(f"{method} rejected by the node ({code}): {message}")
        raise _RetryableError(f"{method}: node error {code}: {message}")


@dataclass(slots=True)
class AdaptiveLogFetcher:
    """``eth_getLogs`` for all followed addresses at once, over block ranges that adapt to the node.

    A refused range halves the span (down to one block); a response with more than ``target_logs`` logs shrinks
    the next span in proportion; a light response doubles it, up to ``max_span``. The caller decides where a range
    starts, so no block is ever skipped.
    """

    client: JsonRpcClient
    addresses: Sequence[str]
    span: int = 1_000
    max_span: int = 100_000
    target_logs: int = 10_000

    def planned_end(self, start: int, limit: int) -> int:
        return min(limit, start + self.span - 1)

    def fetch(self, start: int, end: int) -> list[dict[str, Any]]:
        """Logs of blocks ``start..end``; on refusal, shrink the span and re-raise so the caller re-plans."""
        try:
            logs: list[dict[str, Any]] = self.client.call(
                "eth_getLogs", [{"fromBlock": hex(start), "toBlock": hex(end), "address": list(self.addresses)}]
            )
        except LogRangeRefusedError:
            if end <= start:
                raise
            self.span = max(1, (end - start + 1) // 2)
            raise
        blocks = end - start + 1
        if len(logs) > self.target_logs:
            self.span = max(1, blocks * self.target_logs // len(logs))
        elif len(logs) * 4 < self.target_logs and blocks >= self.span:
            self.span = min(self.max_span, self.span * 2)
        return logs
