"""``/health`` (liveness), ``/ready`` (readiness: indexer lag, last error, verification alarms) and ``/metrics``."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.alarms import open_alarms
from api.deps import ContextDep
from api.metrics import CONTENT_TYPE, ApiMetrics
from api.routers.proposals import verification_alarms
from api.schemas.health import AlarmPublic, HealthPublic, ReadyPublic

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic, summary="Liveness: the process answers")
def health() -> HealthPublic:
    return HealthPublic(status="ok")


@router.get(
    "/ready",
    response_model=ReadyPublic,
    responses={503: {"model": ReadyPublic, "description": "not ready: see reasons"}},
    summary="Readiness: the indexer is near the head, recent, error-free, and no plan verification failed",
)
def ready(context: ContextDep) -> JSONResponse:
    settings = context.settings
    health = context.store.health()
    with context.read() as session:
        alarms = verification_alarms(session, context)
        scheduler_alarms = open_alarms(session)
    now = time.time()
    reasons = []
    if health.cursor is None:
        reasons.append("the indexer has not indexed anything yet")
    if health.lag is None and health.cursor is not None:
        reasons.append("the indexer has not reported the chain head yet")
    if health.lag is not None and health.lag > settings.ready_max_lag:
        reasons.append(f"the indexer is {health.lag} blocks behind the head (more than {settings.ready_max_lag})")
    if (
        health.last_error
        and health.last_error_at is not None
        and now - health.last_error_at <= settings.ready_error_window
    ):
        reasons.append(f"the indexer reported an error {now - health.last_error_at:.0f} s ago: {health.last_error}")
    if health.updated_at is not None and now - health.updated_at > settings.ready_max_staleness:
        reasons.append(f"the indexer has not reported for {now - health.updated_at:.0f} s")
    if alarms:
        reasons.append(f"{alarms} plan(s) were not reproduced by an independent recomputation")
    reasons.extend(f"alarm {alarm.kind} ({alarm.key}): {alarm.message}" for alarm in scheduler_alarms if alarm.failure)
    body = ReadyPublic(
        ready=not reasons,
        reasons=reasons,
        chain_id=health.chain_id,
        cursor=health.cursor,
        head=health.head,
        lag=health.lag,
        last_error=health.last_error,
        last_error_at=health.last_error_at,
        updated_at=health.updated_at,
        alarms=[
            AlarmPublic(
                kind=alarm.kind, key=alarm.key, message=alarm.message, raised_at=alarm.raised_at, failure=alarm.failure
            )
            for alarm in scheduler_alarms
        ],
        verification_alarms=alarms,
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if body.ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text"}},
    summary="Prometheus metrics",
)
def metrics(request: Request) -> Response:
    registry: ApiMetrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE)
