"""The transparency API: ``create_app`` wires the store, the epoch schedule and (in the one relaying process) the
relay into a FastAPI app; ``app_from_environment`` is the factory uvicorn workers import.

Every read endpoint lives under ``/v1`` and reads only the indexer's store. Around the routers, three pure ASGI
layers: metrics (outermost, counts everything), CORS (open for reads), and the answer cache with ETag /
Cache-Control (see :mod:`api.caching`). Errors of every kind leave through one handler, as ``{"error": {...}}``.
"""

from __future__ import annotations

import gc
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy import func, select
from sqlalchemy.pool import PoolProxiedConnection
from starlette.exceptions import HTTPException as StarletteHTTPException

import api.dashboard
import api.relay
from api.alarms import open_alarms
from api.bodies import BodyLimits, BoundedBodyMiddleware
from api.caching import CachingMiddleware, ResponseCache
from api.context import ApiContext, EpochSchedule
from api.errors import error_json
from api.fundings import fundings
from api.metrics import ApiMetrics, MetricsMiddleware, StoreFigures
from api.plans import PLAN_VERIFICATIONS, PLANS, PlanLibrary
from api.routers import distributions, epochs, health, members, proposals, treasury
from api.schemas.common import ErrorPublic
from api.settings import ApiSettings, get_settings
from api.sql import Prepared
from indexer.models import IndexerCursor
from indexer.store import Store, create_store_engine
from union.errors import RecordNotFoundError, UnionError, UnionValueError

__all__ = ["API_VERSION", "app_from_environment", "create_app", "error_answer"]

logger = logging.getLogger(__name__)

API_VERSION = "1.0.0"

_DESCRIPTION = """\
Everything the data union does with money and votes, read from the public chain by the union's indexer.

* Amounts are integers in the token's smallest unit (wei), written as decimal strings. The token
  `0x0000000000000000000000000000000000000000` is ETH.
* Addresses are accepted checksummed (EIP-55) or all lower-case; answers write them checksummed.
* A uint256 (a proposal id, a nonce) is sent as decimal text; a JSON number only up to 2**53 − 1, which every
  parser reads exactly.
* Request bodies are bounded in size (413 beyond) and in nesting (422 beyond); the error names the limit.
* Lists are paginated: `limit` (1–500, default 50) and the `next_cursor` of the previous page as `cursor`.
* Answers carry an `ETag`; send it back as `If-None-Match` to get `304 Not Modified` while nothing changed.
* Any plan can be re-verified from chain data alone with `union verify`.
"""


_REPORTED_PROBLEMS: Final = 20
"""Invalid inputs named in one answer: a body with 20,000 unknown keys gets a short answer, not a megabyte."""


def _validation_details(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    problems = exc.errors()
    details = []
    sentences = []
    for problem in problems[:_REPORTED_PROBLEMS]:
        location = [str(part) for part in problem.get("loc", ())]
        message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        details.append({"loc": location, "msg": message, "type": str(problem.get("type", ""))})
        sentences.append(f"{'.'.join(location)}: {message}")
    if len(problems) > _REPORTED_PROBLEMS:
        sentences.append(f"and {len(problems) - _REPORTED_PROBLEMS:,} more problems")
    return "; ".join(sentences) or "invalid request", details


async def error_answer(request: Request, exc: Exception) -> JSONResponse:
    """The one exception handler: every failure becomes ``{"error": {status, code, message, details}}``."""
    if isinstance(exc, RequestValidationError):
        message, details = _validation_details(exc)
        return error_json(422, "invalid_request", message, details)
    if isinstance(exc, RecordNotFoundError):
        return error_json(404, "not_found", str(exc))
    if isinstance(exc, UnionValueError):
        return error_json(422, "invalid_request", str(exc))
    if isinstance(exc, StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no endpoint at {request.url.path}; see /docs for the API's paths"
        if exc.status_code == 405 and exc.headers and "Allow" in exc.headers:
            detail = f"{request.url.path} does not answer {request.method}; it answers {exc.headers['Allow']}"
        return error_json(exc.status_code, code, detail, headers=exc.headers)  # 405's Allow (RFC 9110) among them
    logger.exception("unhandled error answering %s", request.url.path, exc_info=exc)
    if isinstance(exc, UnionError):
        return error_json(500, "internal_error", f"the server failed: {exc}")
    return error_json(500, "internal_error", "the server failed; the error is logged")


_STORE_VERSION = Prepared(
    select(
        select(IndexerCursor.block_number).scalar_subquery(),
        select(IndexerCursor.block_hash).scalar_subquery(),
        select(func.count()).select_from(PLANS).scalar_subquery(),
        select(func.count()).select_from(PLAN_VERIFICATIONS).scalar_subquery(),
    )
)


class _StoreVersion:
    """What every cached answer depends on: the indexer cursor and how many plans and verifications are stored.

    Read on a connection of its own, held for the app's life: the check runs on the event loop, which must never
    wait for the request pool (the requests' sessions are given back by that same loop).
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._connection: PoolProxiedConnection | None = None

    def __call__(self) -> str:
        if self._connection is None:
            self._connection = self._store.engine.raw_connection()
        try:
            (row,) = _STORE_VERSION.rows_on(self._connection, self._store.engine.dialect)
            self._connection.rollback()  # end the read snapshot: the next check must see new commits
        except Exception:
            self._connection.invalidate()
            self._connection = None
            raise
        return ":".join(str(part) for part in row)


def create_app(
    settings: ApiSettings,
    store: Store,
    schedule: EpochSchedule,
    *,
    relay: api.relay.RelayService | None = None,
    dashboard: bool = True,
) -> FastAPI:
    """The app over ``store``; the relay's endpoints are mounted only when ``relay`` is given (one process does),
    the dashboard page (``/``, reading ``/v1`` from the browser) unless ``dashboard`` is false."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # As many request threads as the store has connections, so a burst waits for a thread, not a connection.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        await anyio.to_thread.run_sync(preload)
        # The parsed plans are millions of long-lived objects: move them out of the collector's sight, so a full
        # collection never pauses a request for a scan of what will never be garbage.
        gc.collect()
        gc.freeze()
        yield

    def preload() -> None:
        """Parse the funded plans before the first request, so no member's first statement waits for them."""
        with context.read() as session:
            fundings(context, session)

    # FastAPIOffline: FastAPI whose /docs (Swagger UI) loads its scripts and styles from this server, never from a
    # CDN: the docs work offline, and no visitor's address goes to a third party. No /redoc: Redoc's bundle fetches
    # its vendor's logo from the vendor's server whatever its assets' origin.
    app = FastAPIOffline(
        redoc_url=None,
        lifespan=lifespan,
        title="Data Union transparency API",
        version=API_VERSION,
        description=_DESCRIPTION,
        responses={422: {"model": ErrorPublic, "description": "an input is invalid: the message says which and why"}},
    )
    cache = ResponseCache(
        _StoreVersion(store),
        max_age=settings.cache_max_age,
        poll_interval=settings.cache_poll_interval,
        max_entries=settings.cache_max_entries,
    )
    context = ApiContext(settings=settings, store=store, schedule=schedule, cache=cache, plans=PlanLibrary())
    app.state.context = context

    def alarms() -> int:
        with context.read() as session:
            return proposals.verification_alarms(session, context)

    def alarms_by_kind() -> dict[str, int]:
        with context.read() as session:
            return dict(Counter(alarm.kind for alarm in open_alarms(session)))

    app.state.metrics = ApiMetrics(StoreFigures(store.health, alarms, alarms_by_kind))
    for router in (
        treasury.router,
        members.router,
        epochs.router,
        distributions.router,
        proposals.router,
        health.router,
    ):
        app.include_router(router)
    if dashboard:
        app.include_router(api.dashboard.router)
    methods = ["GET", "HEAD", "OPTIONS"]
    if relay is not None:
        app.state.relay = relay
        app.include_router(api.relay.router)
        methods.append("POST")
    for exception in (RequestValidationError, StarletteHTTPException, UnionError, Exception):
        app.add_exception_handler(exception, error_answer)

    app.add_middleware(CachingMiddleware, cache=cache)
    app.add_middleware(BoundedBodyMiddleware, limits=BodyLimits(settings.max_body_bytes, settings.max_body_depth))
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=methods, allow_headers=["*"], expose_headers=["ETag"]
    )
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    return app


def app_from_environment() -> FastAPI:
    """The app of ``UNION_*`` settings, for ``uvicorn --factory api.app:app_from_environment`` (read side only).

    The store is opened without migrating it: the indexer owns the schema, the API only reads.
    """
    settings = get_settings()
    store = Store(create_store_engine(settings.database_url))
    return create_app(settings, store, EpochSchedule.load(settings.manifest))
