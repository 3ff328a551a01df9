"""One process per role on a store: the lock the scheduler and the relay each hold for their lifetime.

Some work must never run twice at once against the same store: two schedulers would propose and execute twice, two
relays would send with the same key and collide on nonces (DESIGN.md §4, §6). With PostgreSQL the holder keeps a
session advisory lock (the server releases it when the process or its connection dies, so a killed holder never
leaves it stuck); with a SQLite file it keeps an exclusive ``flock`` on ``<database>.<role>.lock`` (the kernel
releases it when the process dies).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from union.errors import StoreStateError

__all__ = ["RoleLock"]

logger = logging.getLogger(__name__)


class RoleLock:
    """The store-wide lock of one role; :meth:`try_acquire` never blocks, :meth:`wait` polls until it is held.

    ``key`` is the PostgreSQL advisory lock id every process of the role contends for; ``role`` names the lock file
    next to a SQLite database and the lock in messages.
    """

    def __init__(self, engine: Engine, *, role: str, key: int) -> None:
        self._engine = engine
        self._role = role
        self._key = key
        self._connection: Connection | None = None
        self._lock_file: int | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._lock_file is not None

    def describe(self) -> str:
        """Where the lock lives, for messages: the advisory lock id or the lock file."""
        url = make_url(str(self._engine.url))
        if url.get_backend_name() == "postgresql":
            return f"PostgreSQL advisory lock {self._key}"
        return f"{url.database}.{self._role}.lock"

    def try_acquire(self) -> bool:
        """Take the lock if it is free; returns whether this process now holds it."""
        if self.held:
            return True
        url = make_url(str(self._engine.url))
        if url.get_backend_name() == "postgresql":
            connection = self._engine.connect()
            held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}).scalar())
            connection.commit()
            if not held:
                connection.close()
                return False
            self._connection = connection
            return True
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(f"{url.database}.{self._role}.lock")
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                return False
            self._lock_file = descriptor
            return True
        raise StoreStateError(
            f"cannot hold the {self._role} lock on {url.render_as_string(hide_password=True)}: "
            "it needs PostgreSQL or a SQLite file"
        )

    def wait(self, stop: threading.Event, *, poll_interval: float = 2.0) -> bool:
        """Wait idle until the lock is ours (returns True) or ``stop`` is set (returns False)."""
        announced = False
        while not stop.is_set():
            if self.try_acquire():
                return True
            if not announced:
                logger.warning("another %s holds the %s; waiting idle until it stops", self._role, self.describe())
                announced = True
            stop.wait(poll_interval)
        return False

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # a dead connection has released the lock already
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
                connection.commit()
            connection.close()
        descriptor, self._lock_file = self._lock_file, None
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)
