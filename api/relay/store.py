"""What the relay remembers: the transaction it sent for each request, and the lock that makes it the only relay.

Idempotency: a signed ballot or consent change is identified by its EIP-712 digest (chain, contract, signer, nonce
and content), a claim by (chain, distributor, token, account, cumulative amount). The transaction hash is written
the moment the node accepts the transaction — before the receipt — so the same request sent again, even after a
restart, returns that transaction instead of paying for a second one. The table ``relay_submissions`` lives in the
relay's database (the indexer's store by default) and is created by the relay itself: it is the relay's own state,
not derived from the chain, so the indexer's migrations and rollbacks never touch it. Without a database the log is
in memory only (tests, a throw-away local chain).

Exactly one relay: the relayer key has one nonce sequence, so two processes sending with it would collide. With
PostgreSQL the relay holds a session advisory lock for its lifetime (``pg_try_advisory_lock``; released when the
process or its connection dies); with a SQLite file it holds an exclusive ``flock`` on ``<database>.relay.lock``.
A second relay on the same store fails at start with :class:`RelayLockError`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Self

from sqlalchemy import Engine, delete, insert, select

from indexer.locking import RoleLock
from indexer.models import Base, RelaySubmission
from indexer.store import upgrade_schema
from union.errors import RelayLockError

__all__ = [
    "RELAY_LOCK_KEY",
    "RelayLock",
    "Submission",
    "SubmissionLog",
]

RELAY_LOCK_KEY: Final = 0x756E696F6E72656C  # "unionrel": the advisory lock id every relay of a store contends for

_submissions = Base.metadata.tables[RelaySubmission.__tablename__]


@dataclass(frozen=True, slots=True)
class Submission:
    """A transaction the relay sent for one request."""

    request_key: str
    kind: str
    subject: str
    transaction_hash: str


class SubmissionLog:
    """Request key → transaction, in memory and (when an engine is given) in the ``relay_submissions`` table.

    The memory holds the most recent ``cache_size`` submissions; the table holds them all. Without a table an old
    entry may be forgotten — harmless, since its nonce is used on chain and the relay refuses the request anyway.
    """

    def __init__(self, engine: Engine | None = None, *, cache_size: int = 100_000) -> None:
        self._engine = engine
        self._cache_size = cache_size
        self._cache: OrderedDict[str, Submission] = OrderedDict()
        self._lock = threading.Lock()
        if engine is not None:
            upgrade_schema(engine)  # the table comes with the store's migrations (a no-op on a current store)

    def get(self, request_key: str) -> Submission | None:
        with self._lock:
            cached = self._cache.get(request_key)
        if cached is not None or self._engine is None:
            return cached
        with self._engine.connect() as connection:
            row = connection.execute(
                select(_submissions.c.kind, _submissions.c.subject, _submissions.c.transaction_hash).where(
                    _submissions.c.request_key == request_key
                )
            ).first()
        if row is None:
            return None
        found = Submission(request_key, row.kind, row.subject, row.transaction_hash)
        self._remember(found)
        return found

    def _remember(self, submission: Submission) -> None:
        with self._lock:
            self._cache[submission.request_key] = submission
            self._cache.move_to_end(submission.request_key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def record(self, submission: Submission) -> None:
        """Remember a sent transaction (durably first, so a crash right after sending still finds it)."""
        if self._engine is not None:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(_submissions).values(
                        request_key=submission.request_key,
                        kind=submission.kind,
                        subject=submission.subject,
                        transaction_hash=submission.transaction_hash,
                        created_at=int(time.time()),
                    )
                )
        self._remember(submission)

    def forget(self, request_key: str) -> None:
        """Drop a submission whose transaction failed on chain, so the (still unused) signature can be sent again."""
        if self._engine is not None:
            with self._engine.begin() as connection:
                connection.execute(delete(_submissions).where(_submissions.c.request_key == request_key))
        with self._lock:
            self._cache.pop(request_key, None)


class RelayLock(RoleLock):
    """Held for the relay's lifetime; a second relay on the same store fails at start with :class:`RelayLockError`."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, role="relay", key=RELAY_LOCK_KEY)

    def acquire(self) -> Self:
        if not self.try_acquire():
            raise RelayLockError(
                f"another process already runs the relay on this database (it holds the {self.describe()}); "
                "only one relay may send with the relayer key"
            )
        return self

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()
