"""Fixtures of the indexer suite: every store-touching test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``UNION_TEST_POSTGRES_URL`` or, failing that, a throwaway server started from local binaries
(``initdb``/``pg_ctl``, as a non-root user). Each store gets its own freshly created database, dropped afterwards.
Where neither exists the PostgreSQL cases are skipped with the reason — and fail instead under
``UNION_TEST_REQUIRE_ALL=1``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from indexer.store import Store
from tests.helpers.driver import UnionDriver
from tests.indexer import scenario
from union.localnet import LocalUnion

POSTGRES_URL_ENV = "UNION_TEST_POSTGRES_URL"
REQUIRE_ALL_ENV = "UNION_TEST_REQUIRE_ALL"

StoreFactory = Callable[[], Store]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """A PostgreSQL server URL (``postgresql+psycopg://…``), or None with no server to be had."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if url:
        yield url
        return
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None or os.geteuid() == 0:
        yield None
        return
    data = tmp_path_factory.mktemp("pgdata")
    port = _free_port()
    subprocess.run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust"], check=True, capture_output=True)
    subprocess.run(
        [pg_ctl, "-D", str(data), "-o", f"-p {port} -k {data} -h 127.0.0.1", "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=False, capture_output=True)


def _no_postgres(reason: str) -> None:
    if os.environ.get(REQUIRE_ALL_ENV) == "1":
        pytest.fail(f"{reason}, but {REQUIRE_ALL_ENV}=1 requires the PostgreSQL cases to run")
    pytest.skip(reason)


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
            _no_postgres(f"no PostgreSQL: {POSTGRES_URL_ENV} is unset and no local server binaries can be used")
        admin_url = make_url(postgres_server)

    def make() -> str:
        if admin_url is None:
            return f"sqlite:///{tmp_path / f'store-{len(created)}.db'}"
        name = f"union_indexer_test_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(admin_url.set(drivername="postgresql").render_as_string(False), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return admin_url.set(database=name).render_as_string(hide_password=False)

    yield make
    if admin_url is not None:
        with psycopg.connect(admin_url.set(drivername="postgresql").render_as_string(False), autocommit=True) as db:
            for name in created:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
