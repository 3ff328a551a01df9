"""A JSON-RPC proxy that misbehaves on purpose: dropped connections, 429, 5xx, slow and truncated answers, and
"range too large" refusals of wide ``eth_getLogs`` — the failures real providers produce."""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

FAULTS = ("drop", "429", "5xx", "slow", "truncate")


class FaultProxy:
    """Forwards to ``upstream``; each request fails with probability ``rate`` in one of :data:`FAULTS` (seeded)."""

    def __init__(
        self,
        upstream: str,
        *,
        seed: int,
        rate: float = 0.3,
        max_log_range: int = 4,
        slow_seconds: float = 0.6,
        before_forward: Callable[[Any], None] | None = None,
    ) -> None:
        self.upstream = upstream
        self.before_forward = before_forward
        self.rate = rate
        self.max_log_range = max_log_range
        self.slow_seconds = slow_seconds
        self.injected: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._http = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    proxy._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()

    def _pick(self) -> str | None:
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            fault = self._rng.choice(FAULTS)
            self.injected[fault] += 1
            return fault

    def _refuse_wide_ranges(self, body: Any) -> bytes | None:
        requests = body if isinstance(body, list) else [body]
        for request in requests:
            if request.get("method") != "eth_getLogs":
                continue
            criteria = request["params"][0]
            if int(criteria["toBlock"], 16) - int(criteria["fromBlock"], 16) + 1 > self.max_log_range:
                with self._lock:
                    self.injected["range"] += 1
                error = {"code": -32005, "message": f"query exceeds max block range {self.max_log_range}"}
                replies = [{"jsonrpc": "2.0", "id": r.get("id"), "error": error} for r in requests]
                return json.dumps(replies if isinstance(body, list) else replies[0]).encode()
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        raw = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        fault = self._pick()
        if fault == "drop":
            handler.close_connection = True
            return
        if fault in ("429", "5xx"):
            status = 429 if fault == "429" else self._rng.choice((500, 502, 503))
            handler.send_response(status)
            if status == 429:
                handler.send_header("Retry-After", "0")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if self.before_forward is not None:
            self.before_forward(json.loads(raw))
        payload = (
            self._refuse_wide_ranges(json.loads(raw))
            or self._http.post(self.upstream, content=raw, headers={"Content-Type": "application/json"}).content
        )
        if fault == "truncate":
            payload = payload[: len(payload) // 2]
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
