"""ETag / Cache-Control on every read, and a per-process cache of computed answers keyed by the store's version.

Every answer under ``/v1`` is a function of the store alone, and the store changes only when the indexer moves its
cursor or a plan or verification is written. So an answer computed once is valid until the store's *version*
changes; :class:`ResponseCache` checks the version at most every ``poll_interval`` seconds and keeps the answers of
the current version only. A hit never reaches FastAPI (it is served by the pure ASGI :class:`CachingMiddleware`),
which is what lets one worker serve thousands of requests a second.

Conditional requests: a JSON answer's ETag is a hash of its bytes (a strong validator); a streamed CSV's ETag is
derived from the store version and the request (weak: the bytes are never held), so ``If-None-Match`` answers 304
without streaming anything.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ROUTE_SCOPE_KEY", "CachedAnswer", "CachingMiddleware", "ResponseCache", "etag_matches"]

ROUTE_SCOPE_KEY: Final = "union.route"
"""Scope key carrying the route template of an answer served from the cache (for the metrics' labels)."""

_STREAMED_SUFFIX: Final = ".csv"


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A complete 200 answer: its headers (ETag and Cache-Control included), body and route template."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    route: str


class ResponseCache:
    """Answers of the store's current version, and that version, re-read at most every ``poll_interval`` seconds."""

    def __init__(
        self,
        version: Callable[[], str],
        *,
        max_age: int,
        poll_interval: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read_version = version
        self.max_age = max_age
        self._poll_interval = poll_interval
        self._max_entries = max_entries
        self._clock = clock
        self._version = ""
        self._checked_at = float("-inf")
        self._answers: dict[str, CachedAnswer] = {}
        self._lock = threading.Lock()
        self.cache_control = f"public, max-age={max_age}".encode()

    def version(self) -> str:
        """The store's version; a change drops every cached answer."""
        now = self._clock()
        if now - self._checked_at >= self._poll_interval:
            with self._lock:  # the event loop and worker threads both ask; one of them reads the store
                if now - self._checked_at >= self._poll_interval:
                    current = self._read_version()
                    self._checked_at = now
                    if current != self._version:
                        self._version = current
                        self._answers.clear()
        return self._version

    def get(self, key: str, version: str) -> CachedAnswer | None:
        return self._answers.get(key) if version == self._version else None

    def put(self, key: str, version: str, answer: CachedAnswer) -> None:
        if self._max_entries <= 0 or version != self._version:
            return
        if len(self._answers) >= self._max_entries:
            # Drop the oldest tenth: cheaper than an LRU on every hit, and the cache empties at each new block anyway.
            for stale in list(self._answers)[: max(1, self._max_entries // 10)]:
                del self._answers[stale]
        self._answers[key] = answer


def etag_matches(if_none_match: bytes | None, etag: bytes) -> bool:
    """RFC 9110 weak comparison of ``If-None-Match`` with an ETag (``*`` matches any)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix(b"W/")
    for listed in if_none_match.split(b","):
        candidate = listed.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == wanted:
            return True
    return False


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _says_no_store(start: Message) -> bool:
    """An answer that forbids caching itself (e.g. one read from the chain) is passed on as it is, never kept."""
    return any(
        name.lower() == b"cache-control" and b"no-store" in value.lower() for name, value in start.get("headers", [])
    )


def _without_cache_control(start: Message) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in start.get("headers", []) if name.lower() != b"cache-control"]


def _strong_etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


class CachingMiddleware:
    """Serve cached ``/v1`` GET answers, add ETag and Cache-Control to fresh ones, and answer 304 when they match."""

    def __init__(
        self, app: ASGIApp, cache: ResponseCache, *, prefix: str = "/v1", exclude: tuple[str, ...] = ("/v1/relay",)
    ) -> None:
        self.app = app
        self.cache = cache
        self.prefix = prefix
        self.exclude = exclude

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not path.startswith(self.prefix)
            or path.startswith(self.exclude)
        ):
            # The relay reads the chain (nonces, balances), not the store: its answers never follow the store version.
            await self.app(scope, receive, send)
            return
        version = self.cache.version()
        query = scope.get("query_string", b"")
        key = scope["path"] + "?" + query.decode("latin-1")
        if_none_match = _header(scope, b"if-none-match")
        if scope["path"].endswith(_STREAMED_SUFFIX):
            await self._streamed(scope, receive, send, version, key, if_none_match)
            return
        answer = self.cache.get(key, version)
        if answer is not None:
            scope[ROUTE_SCOPE_KEY] = answer.route
            await self._send_answer(send, answer, if_none_match)
            return
        await self._compute(scope, receive, send, version, key, if_none_match)

    async def _send_answer(self, send: Send, answer: CachedAnswer, if_none_match: bytes | None) -> None:
        if etag_matches(if_none_match, answer.etag):
            headers = [(b"etag", answer.etag), (b"cache-control", self.cache.cache_control)]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.body})

    async def _compute(
        self, scope: Scope, receive: Receive, send: Send, version: str, key: str, if_none_match: bytes | None
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200 or _says_no_store(message):
                    headers = [*_without_cache_control(message), (b"cache-control", b"no-store")]
                    start = {**message, "headers": headers, "union.passthrough": True}
                    await send({"type": "http.response.start", "status": message["status"], "headers": headers})
                    return
                start = message
                return
            if start is not None and start.get("union.passthrough"):
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            etag = _strong_etag(body)
            headers = [
                (name, value)
                for name, value in (start or {}).get("headers", [])
                if name.lower() not in (b"content-length", b"etag", b"cache-control")
            ]
            headers += [
                (b"content-length", str(len(body)).encode()),
                (b"etag", etag),
                (b"cache-control", self.cache.cache_control),
            ]
            route = scope.get("route")
            answer = CachedAnswer(headers, body, etag, str(getattr(route, "path", scope["path"])))
            self.cache.put(key, version, answer)
            await self._send_answer(send, answer, if_none_match)

        await self.app(scope, receive, capture)

    async def _streamed(
        self, scope: Scope, receive: Receive, send: Send, version: str, key: str, if_none_match: bytes | None
    ) -> None:
        etag = b'W/"' + hashlib.blake2b(f"{version}\n{key}".encode(), digest_size=16).hexdigest().encode() + b'"'
        if etag_matches(if_none_match, etag):
            headers = [(b"etag", etag), (b"cache-control", self.cache.cache_control)]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def tag(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = (
                    [(b"etag", etag), (b"cache-control", self.cache.cache_control)]
                    if message["status"] == 200
                    else [(b"cache-control", b"no-store")]
                )
                message = {**message, "headers": [*_without_cache_control(message), *extra]}
            await send(message)

        await self.app(scope, receive, tag)
