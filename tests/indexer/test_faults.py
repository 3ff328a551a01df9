"""A misbehaving RPC endpoint (dropped connections, 429, 5xx, slow and truncated answers, refused ranges) costs time,
never rows: the store ends identical to a clean run's."""

from __future__ import annotations

from tests.helpers.driver import UnionDriver
from tests.indexer import scenario
from tests.indexer.conftest import StoreFactory
from tests.indexer.fault_proxy import FAULTS, FaultProxy
from tests.indexer.helpers import dump, follower, fresh_dump, record_fast


def test_faulty_rpc_yields_same_rows_as_clean_run(chain: UnionDriver, store_factory: StoreFactory) -> None:
    people = scenario.members()
    for index in range(30):
        record_fast(chain, 1, [(people[index % 3].address, index + 1, bytes([index]) + bytes(31))] * 3)
    store = store_factory()
    with FaultProxy(chain.anvil.rpc_url, seed=4, rate=0.25, max_log_range=4, slow_seconds=0.35) as proxy:
        indexer = follower(chain.union, store, rpc_url=proxy.url, timeout=0.25, initial_block_range=64)
        indexer.run(once=True)

    assert set(proxy.injected) == {*FAULTS, "range"}
    assert store.health().last_error is not None
    assert dump(store) == fresh_dump(chain.union, store_factory())
