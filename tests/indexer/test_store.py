"""The store: migrated by Alembic to exactly the models, idempotent to open, and guarded against misuse."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from eth_utils import keccak
from sqlalchemy import select

from indexer.models import Base, Plan, PlanVerification
from indexer.registry import default_registry
from indexer.store import IndexBatch, Store
from tests.indexer.conftest import StoreFactory
from union.errors import StoreStateError, UnionValueError

ZERO = "0x" + "00" * 20


def test_migrations_create_exactly_the_models(store_factory: StoreFactory) -> None:
    store = store_factory()
    with store.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"version_table": "indexer_alembic_version"}), Base.metadata
        )
    assert differences == []


def test_opening_a_migrated_store_again_changes_nothing(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.ensure_chain(31337, 5)
    again = Store.open(store.engine.url.render_as_string(hide_password=False))
    try:
        cursor = again.cursor()
        assert cursor is not None
        assert (cursor.chain_id, cursor.block_number) == (31337, 4)
    finally:
        again.close()


def test_store_of_another_chain_is_refused(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.ensure_chain(1, 0)
    with pytest.raises(StoreStateError, match="chain 1, not chain 10"):
        store.ensure_chain(10, 0)


def test_batch_that_does_not_follow_the_cursor_is_refused(store_factory: StoreFactory) -> None:
    store = store_factory()
    store.ensure_chain(31337, 10)
    batch = IndexBatch(31337, 12, 12, "0x" + "00" * 32, [], [], reorg_window=4)
    with pytest.raises(StoreStateError, match="does not follow the cursor"):
        store.apply(batch, default_registry)


def test_plan_is_stored_once_and_served_byte_for_byte(store_factory: StoreFactory) -> None:
    store = store_factory()
    document = '{"root":"0xab","token":"0x0000000000000000000000000000000000000000"}'
    plan_hash = "0x" + keccak(document.encode()).hex()
    assert store.put_plan(plan_hash, ZERO, 0, 2, "0xAB", document, 1.5) is True
    assert store.put_plan(plan_hash, ZERO, 0, 2, "0xAB", document, 9.0) is False
    store.record_verification(plan_hash, 7, False, ["root differs"], 2.0)
    with store.engine.connect() as connection:
        assert connection.execute(select(Plan.document, Plan.root, Plan.created_at)).all() == [(document, "0xab", 1.5)]
        verification = connection.execute(select(PlanVerification)).one()
    assert (verification.proposal_id, verification.reproduced, verification.differences) == (
        "7",
        False,
        '["root differs"]',
    )


def test_plan_whose_document_does_not_hash_to_its_id_is_refused(store_factory: StoreFactory) -> None:
    store = store_factory()
    with pytest.raises(UnionValueError, match="hashes to"):
        store.put_plan("0x" + "00" * 32, ZERO, 0, 1, "0x" + "00" * 32, "{}", 1.0)
