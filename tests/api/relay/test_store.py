"""The relay's memory across restarts, and the lock that lets only one relay send with the relayer key."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from api.relay import RelayLock, Submission, SubmissionLog
from union.errors import RelayLockError


def test_submission_log_survives_a_restart(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    SubmissionLog(engine).record(Submission("0x" + "ab" * 32, "vote", "0x" + "11" * 20, "0x" + "cd" * 32))

    restarted = SubmissionLog(engine)

    found = restarted.get("0x" + "ab" * 32)
    assert found is not None
    assert found.transaction_hash == "0x" + "cd" * 32
    restarted.forget("0x" + "ab" * 32)
    assert SubmissionLog(engine).get("0x" + "ab" * 32) is None


def test_second_relay_on_the_same_sqlite_store_is_refused_until_the_first_stops(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'union.db'}")
    with RelayLock(engine), pytest.raises(RelayLockError, match="another process already runs the relay"):
        RelayLock(engine).acquire()
    with RelayLock(engine):
        pass


def test_memory_keeps_the_latest_submissions_and_the_table_keeps_them_all(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    log = SubmissionLog(engine, cache_size=2)
    memory_only = SubmissionLog(cache_size=2)
    keys = ["0x" + f"{i:064x}" for i in range(3)]
    for key in keys:
        submission = Submission(key, "claim", "0x" + "11" * 20, "0x" + key[-2:] * 32)
        log.record(submission)
        memory_only.record(submission)

    assert memory_only.get(keys[0]) is None
    assert memory_only.get(keys[2]) is not None
    first = log.get(keys[0])
    assert first is not None
    assert first.transaction_hash == "0x" + "00" * 32


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server from the local binaries (run as the ``postgres`` user when we are root)."""
    url = os.environ.get("UNION_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None:
        if os.environ.get("UNION_TEST_REQUIRE_ALL") == "1":
            pytest.fail("no PostgreSQL binaries (initdb, pg_ctl) and UNION_TEST_POSTGRES_URL is unset")
        pytest.skip("no PostgreSQL binaries (initdb, pg_ctl) and UNION_TEST_POSTGRES_URL is unset")
    # Under the system temp dir, not pytest's (mode 0700, closed to the postgres user when we are root).
    base = Path(tempfile.mkdtemp(prefix="union-relay-pg-"))
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


def test_second_relay_on_the_same_postgresql_store_is_refused_until_the_first_stops(postgres_url: str) -> None:
    first_process, second_process = create_engine(postgres_url), create_engine(postgres_url)
    try:
        with RelayLock(first_process):
            with pytest.raises(RelayLockError, match="advisory lock"):
                RelayLock(second_process).acquire()
            SubmissionLog(first_process).record(
                Submission("0x" + "ef" * 32, "consent", "0x" + "22" * 20, "0x" + "01" * 32)
            )
        with RelayLock(second_process):
            found = SubmissionLog(second_process).get("0x" + "ef" * 32)
            assert found is not None
            assert found.kind == "consent"
    finally:
        first_process.dispose()
        second_process.dispose()
