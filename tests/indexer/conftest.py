"""Fixtures of the indexer suite: every store-touching test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``UNION_TEST_POSTGRES_URL`` or, failing that, a throwaway server started from local binaries
(``initdb``/``pg_ctl``; see ``tests/helpers/postgres.py``). Each store gets its own freshly created database,
dropped afterwards.
Where neither exists the PostgreSQL cases are skipped with the reason — and fail instead under
``UNION_TEST_REQUIRE_ALL=1``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.store import Store
from tests.helpers import postgres
from tests.helpers.driver import UnionDriver
from tests.indexer import scenario
from union.localnet import LocalUnion

StoreFactory = Callable[[], Store]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url_factory(backend: str, postgres_server: str | None, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes URLs of fresh, empty databases of the test's backend; PostgreSQL ones are dropped afterwards."""
    created: list[str] = []
    admin_url = None
    if backend == "postgresql":
        if postgres_server is None:
            postgres.no_postgres()
        admin_url = postgres_server

    def make() -> str:
        if admin_url is None:
            created.append(f"sqlite:///{tmp_path / f'store-{len(created)}.db'}")  # a new file each time
        else:
            created.append(postgres.create_database(admin_url, prefix="union_indexer_test"))
        return created[-1]

    yield make
    if admin_url is not None:
        for url in created:
            postgres.drop_database(admin_url, url)


@pytest.fixture
def store_factory(store_url_factory: Callable[[], str]) -> Iterator[StoreFactory]:
    """Opens fresh stores (migrated) of the test's backend; closes them afterwards."""
    stores: list[Store] = []

    def make() -> Store:
        store = Store.open(store_url_factory())
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


@pytest.fixture(scope="module")
def busy_union(deployed_union: LocalUnion) -> Iterator[UnionDriver]:
    """The deployed union after one busy epoch, built once per module and rolled back at its end."""
    base = deployed_union.anvil.rpc("evm_snapshot")
    driver = UnionDriver(deployed_union)
    scenario.busy_epoch(driver, batches=1, batch_size=5)
    yield driver
    assert deployed_union.anvil.rpc("evm_revert", base) is True


@pytest.fixture
def chain(busy_union: UnionDriver) -> Iterator[UnionDriver]:
    """``busy_union`` for one test: whatever the test mines is reverted afterwards."""
    snapshot = busy_union.anvil.rpc("evm_snapshot")
    busy_union.reset_nonces()
    yield busy_union
    assert busy_union.anvil.rpc("evm_revert", snapshot) is True
    busy_union.reset_nonces()
