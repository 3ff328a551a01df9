"""The one-scheduler lock and the alarms on PostgreSQL (a throwaway server from the local binaries)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from scheduler.alarms import AlarmBoard, AlarmKind
from scheduler.locking import SchedulerLock
from union.errors import SchedulerLockError

pytestmark = pytest.mark.postgres


def test_second_scheduler_on_postgresql_is_refused_until_the_first_stops(fresh_postgres_url: str) -> None:
    first, second = create_engine(fresh_postgres_url), create_engine(fresh_postgres_url)
    try:
        with SchedulerLock(first), pytest.raises(SchedulerLockError, match="advisory lock"):
            SchedulerLock(second).acquire()
        with SchedulerLock(second) as taken_over:
            assert taken_over.held
    finally:
        first.dispose()
        second.dispose()


def test_a_dead_schedulers_connection_releases_the_postgresql_lock(fresh_postgres_url: str) -> None:
    first, second = create_engine(fresh_postgres_url), create_engine(fresh_postgres_url)
    try:
        SchedulerLock(first).acquire()
        first.dispose()  # the session ends as if the process died: the server drops its advisory locks
        lock = SchedulerLock(second)
        assert lock.try_acquire()
        lock.release()
    finally:
        second.dispose()


def test_alarms_on_postgresql_are_raised_once_and_cleared(fresh_postgres_url: str) -> None:
    engine = create_engine(fresh_postgres_url)
    try:
        board = AlarmBoard(engine)
        assert board.raise_alarm(AlarmKind.DISTRIBUTOR_UNDERFUNDED, "token:pg", "owes 5, holds 4")
        assert not board.raise_alarm(AlarmKind.DISTRIBUTOR_UNDERFUNDED, "token:pg", "owes 5, holds 4")
        assert [a.key for a in board.open_alarms() if a.key == "token:pg"] == ["token:pg"]
        assert board.clear(AlarmKind.DISTRIBUTOR_UNDERFUNDED, "token:pg")
        assert all(a.key != "token:pg" for a in board.open_alarms())
    finally:
        engine.dispose()
