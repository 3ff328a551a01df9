"""The indexer's settings: read from UNION_* variables, with unsafe combinations refused."""

from __future__ import annotations

import pytest

from indexer.settings import DEFAULT_DATABASE_URL, IndexerSettings


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNION_DATABASE_URL", "postgresql+psycopg://indexer@db/union")
    monkeypatch.setenv("UNION_CONFIRMATIONS", "12")
    monkeypatch.setenv("UNION_REORG_WINDOW", "128")
    settings = IndexerSettings()
    assert (settings.database_url, settings.confirmations, settings.reorg_window) == (
        "postgresql+psycopg://indexer@db/union",
        12,
        128,
    )


def test_default_store_is_a_sqlite_file_under_the_state_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNION_DATABASE_URL", raising=False)
    assert IndexerSettings().database_url == DEFAULT_DATABASE_URL == "sqlite:///.union/union.db"


def test_first_range_larger_than_the_largest_is_refused() -> None:
    with pytest.raises(ValueError, match="initial_block_range"):  # pydantic wraps our ConfigurationError
        IndexerSettings(initial_block_range=5_000, max_block_range=1_000)
