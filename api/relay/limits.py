"""Abuse limits: token buckets per client address and per voter / account.

The relay spends the union's gas on other people's requests, so each key (``client:203.0.113.7``,
``account:0xAb…``) gets a bucket of ``capacity`` requests that refills at ``refill_per_second``. A request takes
one token or is refused with the time until one is back. The clock is injected, so tests move time by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from union.errors import RateLimitExceededError, UnionValueError

__all__ = ["RateLimit", "TokenBuckets"]

_MAX_KEYS: Final = 100_000
"""Buckets kept before full (idle) ones are dropped; bounds memory under a flood of distinct keys."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``capacity`` requests at once, ``refill_per_second`` afterwards (``per_minute(10, burst=5)``)."""

    capacity: float
    refill_per_second: float

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.refill_per_second <= 0:
            raise UnionValueError("a rate limit needs a capacity of at least 1 and a positive refill rate")

    @classmethod
    def per_minute(cls, requests: float, *, burst: float) -> RateLimit:
        return cls(capacity=burst, refill_per_second=requests / 60.0)


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class TokenBuckets:
    """One bucket per key, all with the same limit; thread-safe (the relay's handlers run in a thread pool)."""

    limit: RateLimit
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def take(self, key: str, what: str) -> None:
        """Take one token from ``key``'s bucket, or raise :class:`RateLimitExceededError` saying for ``what``."""
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_KEYS:
                    self._drop_full(now)
                bucket = self._buckets[key] = _Bucket(self.limit.capacity, now)
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(self.limit.capacity, bucket.tokens + elapsed * self.limit.refill_per_second)
                bucket.updated = now
            if bucket.tokens < 1:
                retry_after = (1 - bucket.tokens) / self.limit.refill_per_second
                raise RateLimitExceededError(
                    f"too many relay requests for {what}; try again in {retry_after:.0f} s", retry_after
                )
            bucket.tokens -= 1

    def _drop_full(self, now: float) -> None:
        capacity, rate = self.limit.capacity, self.limit.refill_per_second
        full = [key for key, b in self._buckets.items() if b.tokens + (now - b.updated) * rate >= capacity]
        for key in full:
            del self._buckets[key]
