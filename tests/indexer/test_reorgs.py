"""Reorgs injected on anvil (evm_snapshot / evm_revert, then different blocks mined): after the indexer recovers, its
store equals a fresh index of the canonical chain row for row; a reorg deeper than the window stops it untouched."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.helpers.driver import UnionDriver
from tests.indexer import scenario
from tests.indexer.conftest import StoreFactory
from tests.indexer.fault_proxy import FaultProxy
from tests.indexer.helpers import dump, follower, fresh_dump, record_fast, send_fast
from union.errors import ReorgTooDeepError
from union.rpc import JsonRpcClient
from union.types import ZERO_ADDRESS

WINDOW = 10


def _activity(union: UnionDriver, blocks: int, salt: int) -> None:
    """``blocks`` blocks of contribution entries; the second fork also revokes an entry and books revenue."""
    people = scenario.members()
    for index in range(blocks):
        record_fast(
            union, 1, [(people[(index + salt) % 3].address, 1 + index * salt, bytes([salt, index]) + bytes(30))]
        )
    if salt == 2:
        ledger, treasury = union.contracts.ledger, union.contracts.treasury
        send_fast(union, union.accounts.steward.address, ledger.functions.revoke(1, [1]))
        pay = treasury.functions.payRevenue(ZERO_ADDRESS, 10**18, bytes(32), "fork-2")
        send_fast(union, union.accounts.buyer.address, pay, value=10**18)


def _fork(union: UnionDriver, snapshot: str, blocks: int) -> None:
    """Replace everything after ``snapshot`` by other blocks (``blocks`` record txs plus two more)."""
    assert union.anvil.rpc("evm_revert", snapshot) is True
    _activity(union, blocks, salt=2)


@pytest.mark.parametrize("depth", range(1, WINDOW + 1))
def test_reorg_at_head_yields_same_rows_as_fresh_index(
    chain: UnionDriver, store_factory: StoreFactory, depth: int
) -> None:
    snapshot, base = chain.anvil.rpc("evm_snapshot"), chain.w3.eth.block_number
    _activity(chain, depth, salt=1)
    store = store_factory()
    indexer = follower(chain.union, store, reorg_window=WINDOW)
    assert indexer.sync().cursor == base + depth

    _fork(chain, snapshot, depth - 2 if depth > 2 else depth)  # same height (or a bit higher), other blocks
    report = indexer.sync()

    assert report.rollbacks == 1
    assert dump(store) == fresh_dump(chain.union, store_factory(), reorg_window=WINDOW)


@pytest.mark.parametrize("depth", range(1, WINDOW + 1))
def test_reorg_mid_backfill_yields_same_rows_as_fresh_index(
    chain: UnionDriver, store_factory: StoreFactory, depth: int
) -> None:
    snapshot, base = chain.anvil.rpc("evm_snapshot"), chain.w3.eth.block_number
    _activity(chain, WINDOW + 2, salt=1)
    store = store_factory()
    indexer = follower(chain.union, store, reorg_window=WINDOW, initial_block_range=3, max_block_range=3)
    assert indexer.sync(until=base + depth).cursor == base + depth  # still far from the head

    _fork(chain, snapshot, WINDOW + 4)
    report = indexer.sync()

    assert (report.rollbacks, report.cursor) == (1, chain.w3.eth.block_number)
    assert dump(store) == fresh_dump(chain.union, store_factory(), reorg_window=WINDOW)


def test_shorter_fork_rolls_back_to_the_common_ancestor(chain: UnionDriver, store_factory: StoreFactory) -> None:
    snapshot, base = chain.anvil.rpc("evm_snapshot"), chain.w3.eth.block_number
    _activity(chain, 8, salt=1)
    store = store_factory()
    indexer = follower(chain.union, store, reorg_window=WINDOW)
    indexer.sync()

    _fork(chain, snapshot, 1)  # three blocks replace eight
    assert indexer.sync().cursor == base + 3
    assert dump(store) == fresh_dump(chain.union, store_factory(), reorg_window=WINDOW)


def test_reorg_deeper_than_window_stops_with_no_rows_changed(chain: UnionDriver, store_factory: StoreFactory) -> None:
    snapshot = chain.anvil.rpc("evm_snapshot")
    _activity(chain, 6, salt=1)
    store = store_factory()
    indexer = follower(chain.union, store, reorg_window=3)
    indexer.sync()
    before = dump(store)

    _fork(chain, snapshot, 6)
    with pytest.raises(ReorgTooDeepError, match="reorg_window=3"):
        indexer.run(once=True)

    assert dump(store) == before
    assert "deeper than reorg_window=3" in (store.health().last_error or "")


def test_reorg_while_a_range_is_fetched_is_detected_and_redone(
    chain: UnionDriver, store_factory: StoreFactory, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot, base = chain.anvil.rpc("evm_snapshot"), chain.w3.eth.block_number
    store = store_factory()
    indexer = follower(chain.union, store, reorg_window=WINDOW)
    indexer.sync()
    _activity(chain, 6, salt=1)
    forked: list[bool] = []

    def fork_under_the_indexer(request: Any) -> None:
        """Between the indexer's first look at the range's headers and its eth_getLogs, the chain switches fork."""
        first = request[0] if isinstance(request, list) else request
        if first.get("method") == "eth_getLogs" and not forked:
            forked.append(True)
            _fork(chain, snapshot, 7)

    with FaultProxy(
        chain.anvil.rpc_url, seed=0, rate=0.0, max_log_range=10**9, before_forward=fork_under_the_indexer
    ) as proxy:
        indexer.rpc = indexer.fetcher.client = JsonRpcClient(proxy.url)
        with caplog.at_level(logging.INFO, logger="indexer.follower"):
            report = indexer.sync()

    assert forked == [True]
    assert "chain moved during a range" in caplog.text
    assert report.cursor == base + 9
    assert dump(store) == fresh_dump(chain.union, store_factory(), reorg_window=WINDOW)
