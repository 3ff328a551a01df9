"""The follower's contract with its callers: resume exactly after the cursor, report progress, surface RPC outages."""

from __future__ import annotations

import pytest

from indexer.follower import Progress
from tests.helpers.driver import UnionDriver
from tests.indexer import scenario
from tests.indexer.conftest import StoreFactory
from tests.indexer.helpers import dump, follower, fresh_dump, record_fast
from union.errors import RpcUnavailableError
from union.localnet import LocalUnion


def test_resume_after_a_stop_yields_same_rows_as_one_run(chain: UnionDriver, store_factory: StoreFactory) -> None:
    people = scenario.members()
    for index in range(12):
        record_fast(chain, 1, [(people[index % 3].address, index + 1, bytes([index]) + bytes(31))])
    head = chain.w3.eth.block_number
    store = store_factory()
    first = follower(chain.union, store, initial_block_range=4, max_block_range=4).sync(until=head - 7)
    assert first.cursor == head - 7

    second = follower(chain.union, store).sync()

    assert (second.cursor, second.rollbacks) == (head, 0)
    assert dump(store) == fresh_dump(chain.union, store_factory())


def test_progress_reports_each_written_range_up_to_the_target(chain: UnionDriver, store_factory: StoreFactory) -> None:
    reports: list[Progress] = []
    indexer = follower(chain.union, store_factory(), initial_block_range=5, max_block_range=5, progress=reports.append)
    indexer.sync()
    head = chain.w3.eth.block_number
    assert [report.cursor for report in reports] == sorted({*range(indexer.start_block + 4, head, 5), head})
    assert reports[-1].target == head
    assert reports[-1].eta_seconds == 0
    assert reports[-1].events_done > 0


def test_unreachable_node_stops_a_once_run_with_the_error_in_health(
    deployed_union: LocalUnion, store_factory: StoreFactory
) -> None:
    store = store_factory()
    indexer = follower(deployed_union, store, rpc_url="http://127.0.0.1:9", max_attempts=2)
    with pytest.raises(RpcUnavailableError, match="eth_chainId failed 2 times"):
        indexer.run(once=True)
    assert "eth_chainId failed" in (store.health().last_error or "")
