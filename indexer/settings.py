"""Settings of the indexer entry point (environment prefix ``UNION_``), on top of the shared chain settings."""

from __future__ import annotations

from functools import cache

from pydantic import Field, model_validator

from union.errors import ConfigurationError
from union.settings import DEFAULT_STATE_DIR, ChainSettings

__all__ = ["DEFAULT_DATABASE_URL", "IndexerSettings", "get_indexer_settings"]

DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_STATE_DIR / 'union.db'}"
"""The embedded default: one SQLite file next to the demo's manifest."""


class IndexerSettings(ChainSettings):
    """Where to write (``UNION_DATABASE_URL``), how final a block must be, and how hard to push the RPC node."""

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql+psycopg://user@host/db",
    )
    confirmations: int = Field(default=0, ge=0, description="blocks the indexer stays behind the head (0 locally)")
    reorg_window: int = Field(
        default=64, ge=1, description="deepest reorg the indexer can roll back; deeper ones stop it with an error"
    )
    poll_interval: float = Field(default=2.0, gt=0, description="seconds between polls once at the head")
    initial_block_range: int = Field(default=1_000, ge=1, description="first eth_getLogs range, in blocks")
    max_block_range: int = Field(default=100_000, ge=1, description="largest eth_getLogs range ever asked")
    target_logs_per_request: int = Field(
        default=10_000, ge=1, description="ranges shrink when a response holds more logs than this, grow when far less"
    )
    rpc_max_attempts: int = Field(default=8, ge=1, description="attempts per RPC request before it counts as failed")
    rpc_backoff_base: float = Field(default=0.25, gt=0, description="first retry delay (s); doubles each attempt")
    rpc_backoff_max: float = Field(default=20.0, gt=0, description="longest retry delay (s)")

    @model_validator(mode="after")
    def _ranges_are_consistent(self) -> IndexerSettings:
        if self.initial_block_range > self.max_block_range:
            raise ConfigurationError(
                f"initial_block_range ({self.initial_block_range}) exceeds max_block_range ({self.max_block_range})"
            )
        return self


@cache
def get_indexer_settings() -> IndexerSettings:
    """The indexer process's settings, read once from the environment and ``.env``."""
    return IndexerSettings()
