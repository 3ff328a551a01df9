"""The relay: members' signed votes, consent changes and claims, checked and paid for by the relayer key.

Mount :data:`router` (``/v1/relay``) on the API app and put the one :class:`RelayService` of the process in
``app.state.relay`` (from :func:`open_relay`); every other replica leaves it unset and answers 503 there.
"""

from api.relay.limits import RateLimit, TokenBuckets
from api.relay.plans import ClaimArguments, PlanSource, StorePlanSource, TreePlanSource
from api.relay.router import RelayServiceDep, error_response, get_relay_service, router
from api.relay.service import RelayConfig, RelayService, RelayStatus, SubmissionResult, purpose_id_of
from api.relay.settings import RelaySettings, get_relay_settings, open_relay, relayer_account
from api.relay.store import RELAY_LOCK_KEY, RelayLock, Submission, SubmissionLog

__all__ = [
    "RELAY_LOCK_KEY",
    "ClaimArguments",
    "PlanSource",
    "RateLimit",
    "RelayConfig",
    "RelayLock",
    "RelayService",
    "RelayServiceDep",
    "RelaySettings",
    "RelayStatus",
    "StorePlanSource",
    "Submission",
    "SubmissionLog",
    "SubmissionResult",
    "TokenBuckets",
    "TreePlanSource",
    "error_response",
    "get_relay_service",
    "get_relay_settings",
    "open_relay",
    "purpose_id_of",
    "relayer_account",
    "router",
]
