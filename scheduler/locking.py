"""One scheduler per store: a database lock held for the scheduler's lifetime; a second scheduler waits, idle.

APScheduler never shares a job store between schedulers, and two schedulers would propose and execute twice. With
PostgreSQL the scheduler holds a session advisory lock (released by the server when the process or its connection
dies, so a killed scheduler never leaves it stuck); with a SQLite file it holds an exclusive ``flock`` on
``<database>.scheduler.lock`` (released by the kernel when the process dies).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from union.errors import SchedulerLockError

__all__ = ["SCHEDULER_LOCK_KEY", "SchedulerLock"]

logger = logging.getLogger(__name__)

SCHEDULER_LOCK_KEY: Final = (
    0x756E696F6E736368  # "unionsch": the advisory lock id every scheduler of a store contends for
)


class SchedulerLock:
    """Held while a scheduler runs; :meth:`try_acquire` never blocks, :meth:`wait` polls until it holds the lock."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._lock_file: int | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._lock_file is not None

    def describe(self) -> str:
        url = make_url(str(self._engine.url))
        if url.get_backend_name() == "postgresql":
            return f"PostgreSQL advisory lock {SCHEDULER_LOCK_KEY}"
        return f"{url.database}.scheduler.lock"

    def try_acquire(self) -> bool:
        """Take the lock if it is free; returns whether this process now holds it."""
        if self.held:
            return True
        url = make_url(str(self._engine.url))
        if url.get_backend_name() == "postgresql":
            connection = self._engine.connect()
            held = bool(
                connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK_KEY}).scalar()
            )
            connection.commit()
            if not held:
                connection.close()
                return False
            self._connection = connection
            return True
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(f"{url.database}.scheduler.lock")
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                return False
            self._lock_file = descriptor
            return True
        raise SchedulerLockError(f"cannot lock a scheduler on {url.render_as_string(hide_password=True)}")

    def acquire(self) -> Self:
        """Take the lock or fail at once with :class:`SchedulerLockError`."""
        if not self.try_acquire():
            raise SchedulerLockError(f"another scheduler runs on this store (it holds the {self.describe()})")
        return self

    def wait(self, stop: threading.Event, *, poll_interval: float = 2.0) -> bool:
        """Wait idle until the lock is ours (returns True) or ``stop`` is set (returns False)."""
        announced = False
        while not stop.is_set():
            if self.try_acquire():
                return True
            if not announced:
                logger.warning("another scheduler holds the %s; waiting idle until it stops", self.describe())
                announced = True
            stop.wait(poll_interval)
        return False

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # a dead connection has released the lock already
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK_KEY})
                connection.commit()
            connection.close()
        descriptor, self._lock_file = self._lock_file, None
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()
