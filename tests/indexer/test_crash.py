"""Crash safety: the indexer killed with SIGKILL at random moments of a backfill and restarted each time ends with
exactly the rows of an uninterrupted run (the cursor commits with the rows, so nothing is lost or doubled)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from indexer.store import Store
from tests.helpers.driver import UnionDriver
from tests.indexer import scenario
from tests.indexer.helpers import dump, fresh_dump, record_fast

KILLS = 10
ROOT = Path(__file__).resolve().parents[2]


def _start(rpc_url: str, database_url: str, manifest: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.indexer.crash_target", rpc_url, database_url, str(manifest)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def test_resume_after_kills_yields_same_rows_as_uninterrupted_run(
    chain: UnionDriver, store_url_factory: Callable[[], str], tmp_path: Path
) -> None:
    people = scenario.members()
    for index in range(200):
        record_fast(chain, 1, [(people[index % 3].address, index + 1, bytes([index % 256]) + bytes(31))] * 4)
    head = chain.w3.eth.block_number
    manifest = tmp_path / "manifest.json"
    chain.union.manifest.save(manifest)
    url = store_url_factory()
    rng = random.Random(20261122)

    kills_mid_backfill = 0
    cursors: list[int] = []
    while kills_mid_backfill < KILLS and len(cursors) < 10 * KILLS:
        process = _start(chain.anvil.rpc_url, url, manifest)
        time.sleep(rng.uniform(0.0, 0.25))  # the backfill of one block takes a few milliseconds
        process.send_signal(signal.SIGKILL)
        process.wait()
        store = Store.open(url)
        cursor = store.cursor()
        store.close()
        position = cursor.block_number if cursor else -1
        assert position >= (cursors[-1] if cursors else -1)  # a kill never loses committed progress
        cursors.append(position)
        if position >= head:
            break
        kills_mid_backfill += 1

    finisher = _start(chain.anvil.rpc_url, url, manifest)
    assert finisher.wait(timeout=120) == 0
    assert kills_mid_backfill >= KILLS
    resumed = Store.open(url)
    try:
        assert dump(resumed) == fresh_dump(chain.union, Store.open(store_url_factory()), reorg_window=12)
    finally:
        resumed.close()
