"""The scheduler process: APScheduler 3 with its job store in the union's database, behind the one-scheduler lock.

Jobs are stored by reference (``scheduler.service:run_job`` and the job's name) so the store survives restarts;
the live objects they act on (connections, keys) belong to the :class:`SchedulerService` of this process. One
worker thread runs the jobs one at a time (a proposer key has one nonce sequence), ``coalesce`` folds missed
runs into one, and a job that fails is logged, counted as an alarm, and simply runs again at its next time: every
job is idempotent. Stopping waits for the running job to finish (``shutdown(wait=True)``), so SIGTERM loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Final

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from scheduler.alarms import AlarmKind
from scheduler.jobs import JOB_ORDER, JobReport, UnionJobs
from scheduler.locking import SchedulerLock
from union.errors import RpcUnavailableError, StoreStateError, UnionError

__all__ = ["SchedulerService", "run_job"]

logger = logging.getLogger(__name__)
# A line per run, and a warning whenever a job is due while another runs (by design: one worker), would drown the
# jobs' own reports; APScheduler's errors still show.
logging.getLogger("apscheduler").setLevel(logging.ERROR)

_JOB_REFERENCE: Final = "scheduler.service:run_job"


class _ActiveJobs:
    """The jobs of this process's running scheduler (stored jobs hold only a name, never live objects)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: UnionJobs | None = None

    def set(self, jobs: UnionJobs | None) -> None:
        with self.lock:
            self.jobs = jobs

    def get(self) -> UnionJobs | None:
        with self.lock:
            return self.jobs


_ACTIVE: Final = _ActiveJobs()


def run_job(name: str) -> JobReport | None:
    """The function every stored job calls: run job ``name`` of this process's scheduler.

    Failures never escape to APScheduler: a transient one (the node or the indexer behind) is logged, anything
    else also raises a ``job_failed`` alarm, cleared by the job's next success.
    """
    jobs = _ACTIVE.get()
    if jobs is None:
        logger.warning("job %s fired with no scheduler active in this process", name)
        return None
    key = f"job:{name}"
    try:
        report: JobReport = getattr(jobs, name)()
    except (RpcUnavailableError, StoreStateError, OperationalError) as exc:
        # The node or the indexer is behind, or SQLite refused a write while another one committed: next run.
        logger.warning("job %s will run again: %s", name, exc)
        return None
    except UnionError as exc:
        _record_alarm(jobs, key, f"job {name} failed: {exc}")
        return None
    except Exception as exc:  # a bug or an unexpected node answer: loud, and retried at the next run
        logger.exception("job %s crashed", name)
        _record_alarm(jobs, key, f"job {name} crashed: {type(exc).__name__}: {exc}")
        return None
    try:
        jobs.alarms.clear(AlarmKind.JOB_FAILED, key)
    except SQLAlchemyError as exc:
        logger.warning("could not clear the job_failed alarm of %s now: %s", name, exc)
    return report


def _record_alarm(jobs: UnionJobs, key: str, message: str) -> None:
    """Raise a job_failed alarm; if the store refuses the write (SQLite busy), the alarm is at least logged."""
    try:
        jobs.alarms.raise_alarm(AlarmKind.JOB_FAILED, key, message)
    except SQLAlchemyError as exc:
        logger.error("ALARM job_failed (%s): %s (not stored: %s)", key, message, exc)


class SchedulerService:
    """Runs :class:`UnionJobs` on a schedule while holding the store's scheduler lock."""

    def __init__(
        self,
        jobs: UnionJobs,
        engine: Engine,
        intervals: Mapping[str, float],
        *,
        job_table: str = "scheduler_jobs",
        lock_poll_interval: float = 2.0,
    ) -> None:
        unknown = set(intervals) - set(JOB_ORDER)
        if unknown:
            raise UnionError(f"unknown scheduler jobs: {sorted(unknown)}")
        self.jobs = jobs
        self.engine = engine
        self.intervals = dict(intervals)
        self.job_table = job_table
        self.lock = SchedulerLock(engine)
        self.lock_poll_interval = lock_poll_interval
        self._scheduler: BackgroundScheduler | None = None

    def _start_scheduler(self) -> BackgroundScheduler:
        """Start APScheduler on the store's job table with exactly this process's jobs (a job stored by an earlier
        run with another role is removed), at this run's intervals."""
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=self.job_table)},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        scheduler.start(paused=True)
        for stored in scheduler.get_jobs():
            if stored.id not in self.intervals:
                stored.remove()
        for name in JOB_ORDER:
            if name not in self.intervals:
                continue
            scheduler.add_job(
                _JOB_REFERENCE,
                "interval",
                seconds=self.intervals[name],
                args=[name],
                id=name,
                name=name,
                replace_existing=True,
            )
        scheduler.resume()
        return scheduler

    def stored_jobs(self) -> dict[str, float]:
        """The jobs the store's job table holds now, with their intervals in seconds (for checks and tests)."""
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=self.job_table)}, timezone="UTC"
        )
        scheduler.start(paused=True)
        try:
            return {job.id: job.trigger.interval.total_seconds() for job in scheduler.get_jobs()}
        finally:
            scheduler.shutdown(wait=False)

    def run(self, stop: threading.Event) -> None:
        """Wait for the lock (idle while another scheduler runs), run the jobs until ``stop``, then stop cleanly."""
        if not self.lock.wait(stop, poll_interval=self.lock_poll_interval):
            return
        logger.info("scheduler holds the %s; running its jobs", self.lock.describe())
        try:
            _ACTIVE.set(self.jobs)
            # One pass at once, in dependency order, so a restart acts without waiting a whole interval.
            for name in JOB_ORDER:
                if name in self.intervals and not stop.is_set():
                    run_job(name)
            scheduler = self._start_scheduler()
            self._scheduler = scheduler
            logger.info("scheduler running: %s", ", ".join(f"{k} every {v:g}s" for k, v in self.intervals.items()))
            stop.wait()
            logger.info("scheduler stopping: waiting for the running job to finish")
            self.jobs.stop_requested.set()
            scheduler.pause()  # no new runs are submitted while the executor drains
            scheduler.shutdown(wait=True)
        finally:
            _ACTIVE.set(None)
            self._scheduler = None
            self.lock.release()
