"""Crash safety: the indexer killed with SIGKILL at random moments of a backfill and restarted each time ends with
exactly the rows of an uninterrupted run (the cursor commits with the rows, so nothing is lost or doubled).

Each indexer run is a forked child process (already past its imports, so the kills land in the backfill itself);
the parent kills it with SIGKILL after a random delay and starts the next one.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable

from indexer.follower import FollowedContract, Follower
from indexer.service import contracts_from_manifest
from indexer.store import Store, create_store_engine
from tests.helpers.driver import UnionDriver
from tests.indexer import scenario
from tests.indexer.helpers import dump, fresh_dump, record_fast
from union.localnet import LocalUnion
from union.rpc import JsonRpcClient

KILLS = 10


def _start_indexer(deployed: LocalUnion, contracts: list[FollowedContract], database_url: str) -> int:
    """Fork a process that indexes one block per transaction until the head, then exits 0."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            rpc = JsonRpcClient(deployed.anvil.rpc_url)
            Follower(
                rpc, Store(create_store_engine(database_url)), contracts, initial_block_range=1, max_block_range=1
            ).sync()
            code = 0
        finally:
            os._exit(code)
    return pid


def _position(store: Store) -> int:
    cursor = store.cursor()
    return cursor.block_number if cursor else -1


def test_resume_after_kills_yields_same_rows_as_uninterrupted_run(
    chain: UnionDriver, store_url_factory: Callable[[], str]
) -> None:
    people = scenario.members()
    for index in range(150):
        record_fast(chain, 1, [(people[index % 3].address, index + 1, bytes([index % 256]) + bytes(31))] * 4)
    head = chain.w3.eth.block_number
    url = store_url_factory()
    contracts = contracts_from_manifest(chain.union.manifest)  # ABIs loaded once, before any fork
    rng = random.Random(20261122)

    watcher = Store.open(url)  # also migrates the schema once; the children only index
    kills_mid_backfill = 0
    cursors: list[int] = []
    while kills_mid_backfill < KILLS:
        before = _position(watcher)
        pid = _start_indexer(chain.union, contracts, url)
        # Let the child commit at least one range (it must make progress), then kill it at a random moment.
        deadline = time.monotonic() + 60
        while _position(watcher) <= before and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        position = _position(watcher)
        assert position > before  # committed progress survives the kill
        cursors.append(position)
        if position >= head:
            break
        kills_mid_backfill += 1
    watcher.close()

    _, status = os.waitpid(_start_indexer(chain.union, contracts, url), 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert kills_mid_backfill >= KILLS, cursors
    resumed = Store.open(url)
    try:
        assert dump(resumed) == fresh_dump(chain.union, Store.open(store_url_factory()), reorg_window=64)
    finally:
        resumed.close()
