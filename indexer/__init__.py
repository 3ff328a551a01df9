"""The indexer: follows the union's contracts into a SQL store the API, planner and dashboard read.

Entry points call :func:`run` (``union index``), :func:`read_health` (``/ready``) or build the parts themselves:
:class:`JsonRpcClient` → :class:`Follower` → :class:`Store`; :class:`StorePlanInputsReader` reads the planner's
inputs back from the store. Handlers are registered per contract event with
:func:`on` (the union's own are in ``indexer.projections``).
"""

from __future__ import annotations

from indexer.follower import FollowedContract, Follower, Progress, SyncReport
from indexer.plan_inputs import StorePlanInputsReader
from indexer.registry import HandlerRegistry, default_registry, on
from indexer.service import build_follower, contracts_from_manifest, open_store, read_health, run
from indexer.settings import IndexerSettings, get_indexer_settings
from indexer.store import BatchWriter, IndexerHealth, Store
from union.events import DecodedEvent, EventSpec, build_contract_events, decode_call, decode_log
from union.rpc import AdaptiveLogFetcher, JsonRpcClient

__all__ = [
    "AdaptiveLogFetcher",
    "BatchWriter",
    "DecodedEvent",
    "EventSpec",
    "FollowedContract",
    "Follower",
    "HandlerRegistry",
    "IndexerHealth",
    "IndexerSettings",
    "JsonRpcClient",
    "Progress",
    "Store",
    "StorePlanInputsReader",
    "SyncReport",
    "build_contract_events",
    "build_follower",
    "contracts_from_manifest",
    "decode_call",
    "decode_log",
    "default_registry",
    "get_indexer_settings",
    "on",
    "open_store",
    "read_health",
    "run",
]
