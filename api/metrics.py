"""Prometheus metrics: the indexer's health as the store holds it (read at each scrape), verification alarms, and
the API's own request counts and latencies.

Each app gets its own ``CollectorRegistry`` so several apps (tests, workers) never collide. With several uvicorn
workers each process counts its own requests; the store-derived gauges are the same in all of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.caching import ROUTE_SCOPE_KEY
from indexer.store import IndexerHealth

__all__ = ["CONTENT_TYPE", "ApiMetrics", "MetricsMiddleware", "StoreFigures"]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class StoreFigures:
    """What a scrape reads from the store: the indexer's health, failed plan verifications, open alarms per kind."""

    def __init__(
        self,
        health: Callable[[], IndexerHealth],
        alarms: Callable[[], int],
        open_alarms: Callable[[], dict[str, int]],
    ) -> None:
        self.health = health
        self.alarms = alarms
        self.open_alarms = open_alarms


class _StoreCollector(Collector):
    def __init__(self, figures: StoreFigures) -> None:
        self._figures = figures

    def collect(self) -> Iterable[Metric]:
        health = self._figures.health()
        gauges: list[tuple[str, str, float | None]] = [
            ("union_indexer_cursor_block", "last block whose logs are all in the store", health.cursor),
            ("union_indexer_head_block", "chain head the indexer last saw", health.head),
            ("union_indexer_lag_blocks", "blocks between the head and the cursor", health.lag),
            (
                "union_indexer_last_error",
                "1 if the indexer has reported an error, else 0",
                1 if health.last_error else 0,
            ),
            (
                "union_indexer_last_error_timestamp_seconds",
                "when the last indexer error happened",
                health.last_error_at,
            ),
            ("union_indexer_blocks_per_second", "indexing speed of the last batch", health.blocks_per_second),
            (
                "union_plan_verification_alarms",
                "plans not reproduced by their latest independent recomputation, funded or still live",
                self._figures.alarms(),
            ),
        ]
        for name, documentation, value in gauges:
            family = GaugeMetricFamily(name, documentation)
            if value is not None:
                family.add_metric([], float(value))
            yield family
        by_kind = GaugeMetricFamily("union_alarms_open", "the scheduler's open alarms, per kind", labels=["kind"])
        for kind, count in sorted(self._figures.open_alarms().items()):
            by_kind.add_metric([kind], float(count))
        yield by_kind


class ApiMetrics:
    """The registry of one app: request counters and latency histograms, and the store collector."""

    def __init__(self, figures: StoreFigures) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "union_api_requests", "requests answered", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "union_api_request_duration_seconds",
            "time to answer a request",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_StoreCollector(figures))

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Count every request and time it, labelled by route template (never by raw path: addresses are unbounded)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            route = scope.get("route")
            label = str(getattr(route, "path", None) or scope.get(ROUTE_SCOPE_KEY) or "unmatched")
            self.metrics.requests.labels(scope["method"], label, str(status)).inc()
            self.metrics.latency.labels(label).observe(time.perf_counter() - started)
