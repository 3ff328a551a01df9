"""The scheduler service: APScheduler on the store's job table, behind the lock, stopping after the running job."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import cast

from indexer.store import create_store_engine
from scheduler.alarms import AlarmBoard
from scheduler.jobs import JOB_ORDER, JobReport, UnionJobs
from scheduler.service import SchedulerService
from union.errors import UnionError


class CountingJobs:
    """Stands in for UnionJobs: counts runs; ``propose_distributions`` fails once, then succeeds."""

    def __init__(self, alarms: AlarmBoard) -> None:
        self.alarms = alarms
        self.runs: dict[str, int] = dict.fromkeys(JOB_ORDER, 0)
        self.running = threading.Event()
        self.finished_while_stopping = False
        self.stop_after_follow: threading.Event | None = None
        self.stop_requested = threading.Event()

    def _run(self, name: str) -> JobReport:
        self.runs[name] += 1
        if name == "follow" and self.stop_after_follow is not None:
            self.stop_after_follow.set()  # the service stops once its first pass is done
        if name == "propose_distributions" and self.runs[name] == 1:
            raise UnionError("the proposer is out of gas")
        if name == "reconcile" and self.runs[name] == 2:
            self.running.set()
            time.sleep(0.5)  # a slow job: stopping must wait for it
            self.finished_while_stopping = True
        return JobReport(name)

    def __getattr__(self, name: str) -> object:
        if name in JOB_ORDER:
            return lambda: self._run(name)
        raise AttributeError(name)


def test_service_runs_every_job_alarms_on_failure_clears_on_success_and_stops_after_the_running_job(
    tmp_path: Path,
) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'union.db'}")
    alarms = AlarmBoard(engine)
    jobs = CountingJobs(alarms)
    service = SchedulerService(cast(UnionJobs, jobs), engine, dict.fromkeys(JOB_ORDER, 0.1))
    stop = threading.Event()
    thread = threading.Thread(target=service.run, args=(stop,))
    thread.start()
    assert jobs.running.wait(30)
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
    assert jobs.finished_while_stopping
    assert all(count >= 1 for count in jobs.runs.values())
    assert jobs.runs["propose_distributions"] >= 2
    assert alarms.open_alarms() == []  # the failure raised job_failed, the next success cleared it
    assert service.stored_jobs() == dict.fromkeys(JOB_ORDER, 0.1)
    assert not service.lock.held


def test_a_restart_with_another_role_keeps_only_its_own_jobs_in_the_job_store(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'union.db'}")
    jobs = CountingJobs(AlarmBoard(engine))
    for intervals in (dict.fromkeys(JOB_ORDER, 30.0), {"follow": 2.0}):
        service = SchedulerService(cast(UnionJobs, jobs), engine, intervals)
        stop = threading.Event()
        jobs.stop_after_follow = stop
        thread = threading.Thread(target=service.run, args=(stop,))
        thread.start()
        thread.join(30)
        assert service.stored_jobs() == intervals
