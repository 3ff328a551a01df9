"""Shared fixtures: a local anvil chain with the union deployed once per session, rolled back after each test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import postgres
from tests.helpers.driver import UnionDriver
from union.chain import AnvilProcess
from union.localnet import LocalUnion, deploy_local_union

REQUIRE_ALL_ENV = "UNION_TEST_REQUIRE_ALL"


@pytest.fixture(scope="session")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilProcess]:
    """One anvil for the session, started from its binary and stopped by PID."""
    log = tmp_path_factory.mktemp("anvil") / "anvil.log"
    with AnvilProcess(log_path=log, accounts=20) as process:
        yield process


@pytest.fixture(scope="session")
def deployed_union(anvil: AnvilProcess, tmp_path_factory: pytest.TempPathFactory) -> LocalUnion:
    """The union deployed with the local config (short epochs), once per session."""
    manifest_path: Path = tmp_path_factory.mktemp("deployment") / "manifest.json"
    return deploy_local_union(anvil, manifest_path)


@pytest.fixture
def union(deployed_union: LocalUnion) -> Iterator[UnionDriver]:
    """A driver on the freshly deployed union; every change the test makes is rolled back afterwards."""
    snapshot = deployed_union.anvil.rpc("evm_snapshot")
    driver = UnionDriver(deployed_union)
    try:
        yield driver
    finally:
        deployed_union.anvil.rpc("evm_revert", snapshot)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    """The PostgreSQL server of the session (None where there is none); see :mod:`tests.helpers.postgres`."""
    with postgres.postgres_server() as url:
        yield url


@pytest.fixture
def fresh_postgres_url(postgres_server: str | None) -> Iterator[str]:
    """A freshly created PostgreSQL database for one test, dropped afterwards; skips (or fails in CI) without one."""
    if postgres_server is None:
        postgres.no_postgres()
    assert postgres_server is not None
    url = postgres.create_database(postgres_server)
    try:
        yield url
    finally:
        postgres.drop_database(postgres_server, url)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing may be skipped for want of a service or a browser: a skip fails the run there."""
    if os.environ.get(REQUIRE_ALL_ENV) != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"{skipped} test(s) were skipped but {REQUIRE_ALL_ENV}=1 requires every test to run")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
