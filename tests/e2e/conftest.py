"""End-to-end fixtures: a fresh anvil and union per test (these tests move the clock far and must not share it),
and the scheduler's jobs wired exactly as ``union serve`` wires them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.service import build_follower
from indexer.settings import IndexerSettings
from indexer.store import Store
from scheduler.alarms import AlarmBoard
from scheduler.jobs import UnionJobs
from scripts.serving import rpc_independent_check
from tests.helpers.driver import UnionDriver
from union.chain import AnvilProcess
from union.localnet import LocalAccounts, LocalUnion, deploy_local_union, local_deploy_config

GENESIS_DELAY = 600


@pytest.fixture
def fresh_union(tmp_path: Path) -> Iterator[LocalUnion]:
    """A union on its own anvil; epoch 1 starts ``GENESIS_DELAY`` seconds after deployment (time to consent first)."""
    with AnvilProcess(log_path=tmp_path / "anvil.log") as anvil:
        config = local_deploy_config(LocalAccounts.default(), genesis_delay=GENESIS_DELAY)
        yield deploy_local_union(anvil, tmp_path / "manifest.json", config)


@pytest.fixture
def driver(fresh_union: LocalUnion) -> UnionDriver:
    return UnionDriver(fresh_union)


def scheduler_settings(union: LocalUnion, database: Path) -> IndexerSettings:
    return IndexerSettings(
        rpc_url=union.anvil.rpc_url,
        chain_id=union.anvil.chain_id,
        manifest=union.manifest_path,
        database_url=f"sqlite:///{database}",
    )


@pytest.fixture
def jobs(fresh_union: LocalUnion, tmp_path: Path) -> Iterator[UnionJobs]:
    """The scheduler's jobs over a fresh store, proposing with member 0's key (the test admits and funds it)."""
    settings = scheduler_settings(fresh_union, tmp_path / "union.db")
    store = Store.open(settings.database_url)
    follower = build_follower(settings, fresh_union.manifest, store=store)
    try:
        yield UnionJobs(
            fresh_union.w3,
            fresh_union.manifest,
            store,
            follower,
            AlarmBoard(store.engine),
            proposer=LocalAccounts.member(0),
            public_url="http://union.test",
            independent_check=rpc_independent_check(fresh_union.w3, fresh_union.manifest, 0),
        )
    finally:
        follower.rpc.close()
        store.close()
