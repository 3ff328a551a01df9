"""One scheduler per store: a database lock held for the scheduler's lifetime; a second scheduler waits, idle.

APScheduler never shares a job store between schedulers, and two schedulers would propose and execute twice. With
PostgreSQL the scheduler holds a session advisory lock (released by the server when the process or its connection
dies, so a killed scheduler never leaves it stuck); with a SQLite file it holds an exclusive ``flock`` on
``<database>.scheduler.lock`` (released by the kernel when the process dies): :class:`indexer.locking.RoleLock`.
"""

from __future__ import annotations

from types import TracebackType
from typing import Final, Self

from sqlalchemy import Engine

from indexer.locking import RoleLock
from union.errors import SchedulerLockError

__all__ = ["SCHEDULER_LOCK_KEY", "SchedulerLock"]

SCHEDULER_LOCK_KEY: Final = (
    0x756E696F6E736368  # "unionsch": the advisory lock id every scheduler of a store contends for
)


class SchedulerLock(RoleLock):
    """Held while a scheduler runs; a second scheduler waits idle (:meth:`wait`) or fails (:meth:`acquire`)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, role="scheduler", key=SCHEDULER_LOCK_KEY)

    def acquire(self) -> Self:
        """Take the lock or fail at once with :class:`SchedulerLockError`."""
        if not self.try_acquire():
            raise SchedulerLockError(f"another scheduler runs on this store (it holds the {self.describe()})")
        return self

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()
