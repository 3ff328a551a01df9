"""The relay's memory across restarts, and the lock that lets only one relay send with the relayer key."""

from __future__ import annotations

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


def test_second_relay_on_the_same_postgresql_store_is_refused_until_the_first_stops(fresh_postgres_url: str) -> None:
    first_process, second_process = create_engine(fresh_postgres_url), create_engine(fresh_postgres_url)
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
