"""Alarms in the store and the one-scheduler lock: no chain needed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from indexer.store import create_store_engine
from scheduler.alarms import AlarmBoard, AlarmKind
from scheduler.locking import SchedulerLock
from union.errors import SchedulerLockError


def test_raising_an_open_alarm_again_keeps_one_alarm_and_clearing_closes_it(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    board = AlarmBoard(engine, clock=lambda: 1_000.0)
    assert board.raise_alarm(AlarmKind.BALANCE_BELOW_BOOKS, "token:ETH", "short by 5")
    assert not board.raise_alarm(AlarmKind.BALANCE_BELOW_BOOKS, "token:ETH", "short by 7")
    (alarm,) = board.open_alarms()
    assert (alarm.kind, alarm.key, alarm.message) == (AlarmKind.BALANCE_BELOW_BOOKS, "token:ETH", "short by 7")
    assert board.clear(AlarmKind.BALANCE_BELOW_BOOKS, "token:ETH")
    assert not board.clear(AlarmKind.BALANCE_BELOW_BOOKS, "token:ETH")
    assert board.open_alarms() == []
    assert board.raise_alarm(AlarmKind.BALANCE_BELOW_BOOKS, "token:ETH", "short again")


def test_alarm_board_on_a_store_that_already_has_the_table_keeps_its_alarms(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    AlarmBoard(create_store_engine(url)).raise_alarm(AlarmKind.JOB_FAILED, "job:follow", "boom")
    assert [a.key for a in AlarmBoard(create_store_engine(url)).open_alarms()] == ["job:follow"]


def test_second_scheduler_on_the_same_sqlite_store_cannot_take_the_lock_until_the_first_releases(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first, second = SchedulerLock(create_store_engine(url)), SchedulerLock(create_store_engine(url))
    first.acquire()
    with pytest.raises(SchedulerLockError, match="another scheduler"):
        second.acquire()
    stop = threading.Event()
    stop.set()
    assert second.wait(stop) is False  # idle until stopped
    first.release()
    assert second.try_acquire()
    second.release()


def test_idle_scheduler_takes_over_when_the_running_one_stops(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    running, idle = SchedulerLock(create_store_engine(url)), SchedulerLock(create_store_engine(url))
    running.acquire()
    took_over = threading.Event()
    stop = threading.Event()

    def wait_for_lock() -> None:
        if idle.wait(stop, poll_interval=0.05):
            took_over.set()

    waiter = threading.Thread(target=wait_for_lock)
    waiter.start()
    assert not took_over.wait(0.3)
    running.release()
    waiter.join(timeout=10)
    assert took_over.is_set()
    idle.release()
