"""The indexer as a separate process, for the crash tests: ``python -m tests.indexer.crash_target RPC DB MANIFEST``.

It indexes one block per transaction (so a kill lands between or inside many commits) and says ``ready`` once its
imports are done, so the test's kills land while it works.
"""

from __future__ import annotations

import sys
from pathlib import Path

from indexer import projections  # noqa: F401 - registers the union's handlers
from indexer.follower import Follower
from indexer.service import contracts_from_manifest
from indexer.store import Store
from union.manifest import DeploymentManifest
from union.rpc import JsonRpcClient


def main(rpc_url: str, database_url: str, manifest_path: str) -> None:
    manifest = DeploymentManifest.load(Path(manifest_path))
    store = Store.open(database_url)
    follower = Follower(
        JsonRpcClient(rpc_url),
        store,
        contracts_from_manifest(manifest),
        reorg_window=12,
        initial_block_range=1,
        max_block_range=1,
    )
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    follower.sync()


if __name__ == "__main__":
    main(*sys.argv[1:4])
