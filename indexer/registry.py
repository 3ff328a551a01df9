"""Handlers registered per (contract, event), Ponder style: ``@on("UnionTreasury", "RevenueReceived")``.

A handler receives the decoded event and a :class:`~indexer.store.BatchWriter`, the only way it can write. Handlers
must be deterministic functions of the event and of what the store already holds, so re-indexing a block range
always produces the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from union.errors import UnionValueError

if TYPE_CHECKING:
    from indexer.store import BatchWriter
    from union.events import DecodedEvent

__all__ = ["Handler", "HandlerRegistry", "default_registry", "on"]

Handler = Callable[["DecodedEvent", "BatchWriter"], None]


@dataclass(frozen=True, slots=True)
class _Registration:
    handler: Handler
    needs_sender: bool


@dataclass(slots=True)
class HandlerRegistry:
    """Handlers by (contract name, event name); at most one each, so the write order is never ambiguous."""

    _handlers: dict[tuple[str, str], _Registration] = field(default_factory=dict)

    def on(self, contract: str, event: str, *, needs_sender: bool = False) -> Callable[[Handler], Handler]:
        """Register the decorated function for ``contract``'s ``event``.

        ``needs_sender``: the follower fetches the transaction's sender (``DecodedEvent.tx_from``) before calling,
        e.g. to tell a relayed vote from a direct one; only those transactions are fetched.
        """

        def register(handler: Handler) -> Handler:
            key = (contract, event)
            if key in self._handlers:
                raise UnionValueError(f"a handler for {contract}.{event} is already registered")
            self._handlers[key] = _Registration(handler, needs_sender)
            return handler

        return register

    def handler(self, contract: str, event: str) -> Handler | None:
        registration = self._handlers.get((contract, event))
        return registration.handler if registration else None

    def needs_sender(self, contract: str, event: str) -> bool:
        registration = self._handlers.get((contract, event))
        return registration is not None and registration.needs_sender

    def keys(self) -> list[tuple[str, str]]:
        return sorted(self._handlers)


default_registry = HandlerRegistry()
"""The registry the union's projections (``indexer.projections``) register into."""

on = default_registry.on
