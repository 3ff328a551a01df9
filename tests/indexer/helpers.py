"""Helpers of the indexer suite: build followers for the deployed union, and dump a store row for row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from indexer import projections  # noqa: F401 - registers the union's handlers
from indexer.follower import Follower
from indexer.models import Base
from indexer.service import contracts_from_manifest
from indexer.store import Store
from tests.helpers.driver import UnionDriver
from union.localnet import LocalUnion
from union.rpc import JsonRpcClient

NOT_INDEXED_DATA = frozenset({"indexer_status", "indexer_alembic_version"})

StoreDump = dict[str, list[tuple[Any, ...]]]


def dump(store: Store) -> StoreDump:
    """Every row of every data table, ordered by primary key (health figures excluded: they hold wall-clock time)."""
    tables: StoreDump = {}
    with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_INDEXED_DATA:
                continue
            query = select(table).order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in connection.execute(query)]
    return tables


def follower(
    deployed: LocalUnion, store: Store, *, rpc_url: str | None = None, fast_retries: bool = True, **options: Any
) -> Follower:
    """A follower of the deployed union into ``store`` (retries quick, so fault tests stay short)."""
    rpc = JsonRpcClient(
        rpc_url or deployed.anvil.rpc_url,
        timeout=options.pop("timeout", 10.0),
        max_attempts=options.pop("max_attempts", 40),
        backoff_base=0.01 if fast_retries else 0.25,
        backoff_max=0.05 if fast_retries else 20.0,
    )
    options.setdefault("reorg_window", 12)
    return Follower(rpc, store, contracts_from_manifest(deployed.manifest), **options)


def fresh_dump(deployed: LocalUnion, store: Store, **options: Any) -> StoreDump:
    """Index the canonical chain from scratch into an empty store and dump it."""
    fresh = follower(deployed, store, **options)
    fresh.sync()
    fresh.rpc.close()
    return dump(store)


def send_fast(union: UnionDriver, sender: str, call: Any, value: int = 0) -> str:
    """Send a contract call from an unlocked anvil account with a fixed gas allowance, and wait until it is mined.

    anvil answers ``eth_sendTransaction`` before its miner has necessarily sealed the block (under load the receipt
    lags), so the receipt is awaited: a test must never index a head that is still moving.
    """
    transaction = {
        "from": sender,
        "to": call.address,
        "data": call._encode_transaction_data(),
        "gas": hex(3_000_000),
        "value": hex(value),
    }
    response = union.w3.provider.make_request("eth_sendTransaction", [transaction])  # type: ignore[arg-type]
    if "error" in response:
        raise AssertionError(f"eth_sendTransaction failed: {response['error']}")
    tx_hash = str(response["result"])
    receipt = union.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.005)  # type: ignore[arg-type]
    if receipt["status"] != 1:
        raise AssertionError(f"transaction {tx_hash} reverted")
    return tx_hash


def record_fast(union: UnionDriver, epoch: int, entries: list[tuple[str, int, bytes]]) -> str:
    """One ``ledger.record`` transaction (one block) from the steward."""
    call = union.contracts.ledger.functions.record(
        epoch, [e[0] for e in entries], [e[1] for e in entries], [e[2] for e in entries]
    )
    return send_fast(union, union.accounts.steward.address, call)
