"""What every request handler reads from: the indexer's store, the epoch schedule and the loaded-plan cache."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from api.caching import ResponseCache
from api.plans import PlanLibrary
from api.settings import ApiSettings
from indexer.store import Store
from union.manifest import DeploymentManifest

__all__ = ["ApiContext", "EpochSchedule"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class EpochSchedule:
    """Epoch *e* covers ``[start(e), end(e))``; its entries are final at ``end(e) + grace`` (DESIGN.md §2).

    The store holds no epoch schedule (the ledger fixes it at deployment and emits no event for it), so the API takes
    it from the deployment manifest: public, immutable facts of the deployment.
    """

    genesis: int
    length: int
    grace: int

    @classmethod
    def from_manifest(cls, manifest: DeploymentManifest) -> EpochSchedule:
        parameters = manifest.parameters
        return cls(parameters.epoch_genesis, parameters.epoch_length, parameters.grace_period)

    @classmethod
    def load(cls, path: Path) -> EpochSchedule:
        return cls.from_manifest(DeploymentManifest.load(path))

    def start(self, epoch: int) -> int:
        return self.genesis + (epoch - 1) * self.length

    def end(self, epoch: int) -> int:
        return self.start(epoch) + self.length

    def grace_end(self, epoch: int) -> int:
        return self.end(epoch) + self.grace

    def epoch_at(self, timestamp: int) -> int:
        """The epoch whose window holds ``timestamp``; 0 before epoch 1 starts."""
        if timestamp < self.genesis:
            return 0
        return (timestamp - self.genesis) // self.length + 1


@dataclass(slots=True)
class ApiContext:
    """Shared, read-only state of one app: the store, the schedule, loaded plans, and the answer cache whose store
    version also keys :meth:`shared` values."""

    settings: ApiSettings
    store: Store
    schedule: EpochSchedule
    cache: ResponseCache
    plans: PlanLibrary = field(default_factory=PlanLibrary)
    _shared: dict[str, Any] = field(default_factory=dict)
    _shared_version: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _flights: dict[str, threading.Lock] = field(default_factory=dict)

    def shared(self, name: str, session: Session, compute: Callable[[Session], _T]) -> _T:
        """A value every request of the current store version shares (funded rounds and plans, purpose names …):
        computed once per version (one thread computes, the others wait for it), so a member's statement does not
        re-read what is the same for every member."""
        version = self.cache.version()
        with self._lock:
            if self._shared_version != version:
                self._shared = {}
                self._shared_version = version
            if name in self._shared:
                value: _T = self._shared[name]
                return value
            flight = self._flights.setdefault(name, threading.Lock())
        with flight:
            with self._lock:
                if self._shared_version == version and name in self._shared:
                    cached: _T = self._shared[name]
                    return cached
            value = compute(session)
            with self._lock:
                if self._shared_version == version:
                    self._shared[name] = value
        return value

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for one request's reads (never written through)."""
        with Session(self.store.engine) as session:
            yield session

    def link(self, path: str) -> str:
        """An absolute link when ``UNION_PUBLIC_URL`` is set, else a path relative to the API's root."""
        return self.settings.public_url.rstrip("/") + path
