"""Settings of the transparency API entry point (environment prefix ``UNION_``), built once by :func:`get_settings`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from indexer.settings import DEFAULT_DATABASE_URL
from union.settings import DEFAULT_STATE_DIR

__all__ = ["ApiSettings", "get_settings"]


class ApiSettings(BaseSettings):
    """Where the store is, how fresh cached answers may be, and when the API stops calling itself ready."""

    model_config = SettingsConfigDict(env_prefix="UNION_", env_file=".env", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="the indexer's store (the API only reads it)")
    manifest: Path = Field(
        default=DEFAULT_STATE_DIR / "manifest.json",
        description="deployment manifest: the epoch schedule (genesis, length, grace) the store does not hold",
    )
    api_host: str = Field(default="127.0.0.1", description="address uvicorn binds")
    api_port: int = Field(default=8000, ge=1, le=65_535, description="port uvicorn binds")
    api_workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes (read side only)")
    api_threads: int = Field(
        default=12,
        ge=1,
        le=200,
        description="threads per process answering from the store; fewer than the connection pool (5 + 10 overflow), "
        "which also lends one connection to the store-version check",
    )
    public_url: str = Field(default="", description="prefix of the links the API writes (empty: relative links)")
    cache_max_age: int = Field(
        default=5, ge=0, le=3_600, description="Cache-Control max-age of read answers, in seconds"
    )
    cache_poll_interval: float = Field(
        default=0.5,
        ge=0,
        le=60,
        description="seconds between checks of the store's version (indexer cursor, plans, verifications); "
        "cached answers are at most this stale",
    )
    cache_max_entries: int = Field(default=100_000, ge=0, description="answers kept per process (0: no cache)")
    max_body_bytes: int = Field(
        default=262_144,
        ge=1_024,
        le=64 * 1_048_576,
        description="largest request body accepted, in bytes (413 above); the largest valid ballot (a 10,000-character "
        "reason, every character escaped as a \\u surrogate pair, and the longest signature) is about 130 KB",
    )
    max_body_depth: int = Field(
        default=32,
        ge=2,
        le=200,
        description="deepest nesting of arrays and objects a request body may have (422 deeper); the relay's bodies "
        "nest one level, and the bound stays far below the interpreter's recursion limit (union.RECURSION_LIMIT)",
    )
    ready_max_lag: int = Field(
        default=20, ge=0, description="blocks the indexer may be behind the head before /ready answers 503"
    )
    ready_error_window: float = Field(
        default=300.0, ge=0, description="an indexer error newer than this many seconds makes /ready answer 503"
    )
    ready_max_staleness: float = Field(
        default=120.0, gt=0, description="health figures older than this many seconds make /ready answer 503"
    )


@cache
def get_settings() -> ApiSettings:
    """The API process's settings, read once from the environment and ``.env``."""
    return ApiSettings()
