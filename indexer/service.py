"""Entry functions: wire settings, manifest, RPC client and store into a follower (``union index`` calls these)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from indexer import projections as _projections  # noqa: F401 - registers the union's handlers
from indexer.follower import FollowedContract, Follower, Progress, SyncReport
from indexer.settings import IndexerSettings, get_indexer_settings
from indexer.store import IndexerHealth, Store
from union.manifest import DeploymentManifest
from union.rpc import JsonRpcClient

__all__ = ["build_follower", "contracts_from_manifest", "open_store", "read_health", "run"]

AbiLoader = Callable[[str], Sequence[Mapping[str, Any]]]


def _default_abi_loader(name: str) -> Sequence[Mapping[str, Any]]:
    from union.contracts import load_abi  # noqa: PLC0415 - compiles on first use; keep `import indexer` light

    return load_abi(name)


def contracts_from_manifest(
    manifest: DeploymentManifest, abi_loader: AbiLoader = _default_abi_loader
) -> list[FollowedContract]:
    """Every contract of the manifest, each from its own deployment block."""
    return [
        FollowedContract(name, deployed.address, abi_loader(name), deployed.block_number)
        for name, deployed in sorted(manifest.contracts.items())
    ]


def open_store(settings: IndexerSettings | None = None) -> Store:
    """The store at ``UNION_DATABASE_URL`` (created and migrated if needed)."""
    return Store.open((settings or get_indexer_settings()).database_url)


def read_health(settings: IndexerSettings | None = None) -> IndexerHealth:
    """Health figures (cursor, head, lag, last error) as the store holds them — for ``/ready`` and metrics."""
    store = open_store(settings)
    try:
        return store.health()
    finally:
        store.close()


def build_follower(
    settings: IndexerSettings,
    manifest: DeploymentManifest,
    *,
    store: Store | None = None,
    rpc: JsonRpcClient | None = None,
    progress: Callable[[Progress], None] | None = None,
    abi_loader: AbiLoader = _default_abi_loader,
) -> Follower:
    """A follower for ``manifest``'s contracts, writing to ``store`` (default: the settings' database)."""
    client = rpc or JsonRpcClient(
        settings.rpc_url,
        timeout=settings.rpc_timeout,
        max_attempts=settings.rpc_max_attempts,
        backoff_base=settings.rpc_backoff_base,
        backoff_max=settings.rpc_backoff_max,
    )
    return Follower(
        client,
        store or Store.open(settings.database_url),
        contracts_from_manifest(manifest, abi_loader),
        confirmations=settings.confirmations,
        reorg_window=settings.reorg_window,
        initial_block_range=settings.initial_block_range,
        max_block_range=settings.max_block_range,
        target_logs_per_request=settings.target_logs_per_request,
        progress=progress,
    )


def run(
    settings: IndexerSettings | None = None,
    manifest: DeploymentManifest | None = None,
    *,
    once: bool = False,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
) -> SyncReport | None:
    """``union index``: follow the union for ever, or with ``once`` index to the head and return the report."""
    settings = settings or get_indexer_settings()
    manifest = manifest or DeploymentManifest.load(settings.manifest)
    follower = build_follower(settings, manifest, progress=progress)
    try:
        if once:
            return follower.sync()
        follower.run(poll_interval=settings.poll_interval, stop=stop)
        return None
    finally:
        follower.rpc.close()
        follower.store.close()
