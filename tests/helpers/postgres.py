"""PostgreSQL for the tests: the server from ``UNION_TEST_POSTGRES_URL`` or a throwaway one from local binaries, and
a freshly created database per use, dropped afterwards (so no run ever sees another run's rows)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

POSTGRES_URL_ENV = "UNION_TEST_POSTGRES_URL"
REQUIRE_ALL_ENV = "UNION_TEST_REQUIRE_ALL"
NO_POSTGRES = f"no PostgreSQL: {POSTGRES_URL_ENV} is unset and no local server binaries can be used"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """The server's URL (``postgresql+psycopg://…/postgres``), or None when there is none to be had."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if url:
        yield url
        return
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None:
        yield None
        return
    # Under the system temp dir, not pytest's (mode 0700, closed to the postgres user when we are root).
    base = Path(tempfile.mkdtemp(prefix="union-test-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(base, user="postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    subprocess.run(
        [*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust"], check=True, capture_output=True
    )
    options = f"-p {port} -k {base} -h 127.0.0.1"
    # The server inherits pg_ctl's stdout/stderr: never pipes (run() would wait for them forever); it logs to a file.
    start = [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "server.log"), "-w", "start"]
    subprocess.run(start, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def no_postgres(reason: str = NO_POSTGRES) -> None:
    """Skip with the reason — or fail, where ``UNION_TEST_REQUIRE_ALL=1`` (CI) requires the PostgreSQL cases."""
    if os.environ.get(REQUIRE_ALL_ENV) == "1":
        pytest.fail(f"{reason}, but {REQUIRE_ALL_ENV}=1 requires the PostgreSQL cases to run")
    pytest.skip(reason)


def _admin_dsn(server_url: str) -> str:
    return make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(server_url: str, prefix: str = "union_test") -> str:
    """A new, empty database on the server; returns its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_admin_dsn(server_url), autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    with psycopg.connect(_admin_dsn(server_url), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
