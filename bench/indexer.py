"""Indexer throughput: ``python -m bench.indexer`` (writes bench/results/indexer.json).

1. A chain with 1,000,000 union events: the union deployed on anvil, members admitted, then
   ``ContributionLedger.record`` batches of 500 entries (2,000 transactions). Generated once and cached as an anvil
   state dump under build/bench/ (``--regenerate`` rebuilds it); later runs load it with ``--load-state``.
2. End to end, from RPC to committed rows: the indexer into a fresh SQLite file and into a fresh PostgreSQL database
   (``UNION_BENCH_POSTGRES_URL``, else ``UNION_TEST_POSTGRES_URL``, else the local default server).
3. A straightforward web3.py loop on a subset of the same chain — ``contract.events.X.get_logs`` per event type and
   range, then one ORM object per row — as the baseline the indexer is compared with.

A benchmark measures; it asserts nothing. Targets (issue 4): >= 20,000 events/s into SQLite, >= 5x the naive loop.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from web3 import Web3

from indexer import projections  # noqa: F401 - registers the union's handlers
from indexer.follower import Follower
from indexer.models import Contribution, EventRow
from indexer.service import contracts_from_manifest
from indexer.store import Store
from union.chain import AnvilProcess
from union.contracts import load_abi
from union.events import args_to_json
from union.localnet import LocalAccounts, deploy_local_union, local_deploy_config
from union.manifest import DeploymentManifest
from union.paths import project_root
from union.rpc import JsonRpcClient

ROOT = project_root()
BENCH_DIR = ROOT / "build" / "bench"
RESULTS = ROOT / "bench" / "results" / "indexer.json"
BATCH = 500
MEMBERS = 200
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

logger = logging.getLogger("bench.indexer")


def _paths(events: int) -> tuple[Path, Path, Path]:
    stem = BENCH_DIR / f"chain-{events}"
    return stem.with_suffix(".state.json"), stem.with_suffix(".manifest.json"), stem.with_suffix(".meta.json")


def generate(events: int) -> None:
    """Deploy, admit members, record ``events`` entries in batches of 500; anvil dumps its state on exit."""
    state, manifest_path, meta = _paths(events)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for path in (state, manifest_path, meta):
        path.unlink(missing_ok=True)
    accounts = LocalAccounts.default()
    started = time.monotonic()
    with AnvilProcess(accounts=20, extra_args=("--dump-state", str(state))) as anvil:
        union = deploy_local_union(
            anvil, manifest_path, local_deploy_config(accounts, epoch_length=365 * 86_400, grace=86_400)
        )
        rpc = JsonRpcClient(anvil.rpc_url, timeout=120)
        members = [LocalAccounts.member(index).address for index in range(MEMBERS)]
        membership = union.manifest.address_of("UnionMembership")
        ledger = union.manifest.address_of("ContributionLedger")
        steward = accounts.steward.address
        admit = function_signature_to_4byte_selector("admit(address[])")
        for start in range(0, MEMBERS, 100):
            data = admit + encode(["address[]"], [members[start : start + 100]])
            _send(rpc, steward, membership, data)
        record = function_signature_to_4byte_selector("record(uint64,address[],uint256[],bytes32[])")
        for batch in range(events // BATCH):
            entries = range(batch * BATCH, (batch + 1) * BATCH)
            data = record + encode(
                ["uint64", "address[]", "uint256[]", "bytes32[]"],
                [
                    1,
                    [members[entry % MEMBERS] for entry in entries],
                    [1 + entry % 97 for entry in entries],
                    [entry.to_bytes(32, "big") for entry in entries],
                ],
            )
            _send(rpc, steward, ledger, data)
            if batch % 200 == 0:
                logger.info("generated %d / %d entries", (batch + 1) * BATCH, events)
        head = int(rpc.call("eth_blockNumber"), 16)
        rpc.close()
        _stop_and_wait_for_dump(anvil)
    meta.write_text(json.dumps({"events": events, "head": head, "seconds": time.monotonic() - started}))


def _stop_and_wait_for_dump(anvil: AnvilProcess) -> None:
    """SIGTERM makes anvil write its state; a dump of a million logs takes far longer than ``stop()`` waits."""
    pid = anvil.pid
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    stat = Path(f"/proc/{pid}/stat")
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        try:
            if stat.read_text().split(")")[-1].split()[0] in ("Z", "X"):
                break
        except FileNotFoundError:
            break
        time.sleep(0.5)
    anvil.stop()


def _send(rpc: JsonRpcClient, sender: str, to: str, data: bytes) -> None:
    transaction = {"from": sender, "to": to, "data": "0x" + data.hex()}
    transaction["gas"] = hex(int(rpc.call("eth_estimateGas", [transaction]), 16) * 6 // 5)
    tx_hash = rpc.call("eth_sendTransaction", [transaction])
    receipt = None
    for _ in range(2_000):
        receipt = rpc.call("eth_getTransactionReceipt", [tx_hash])
        if receipt is not None:
            break
        time.sleep(0.005)
    if receipt is None or receipt["status"] != "0x1":
        reason = "unknown"
        try:
            rpc.call("eth_call", [transaction, "latest"])
        except Exception as exc:  # the replay tells why it reverted
            reason = str(exc)
        raise RuntimeError(f"generation transaction {tx_hash} failed: {receipt and receipt['gasUsed']} {reason}")


def _follow(rpc_url: str, manifest: DeploymentManifest, database_url: str, until: int | None = None) -> dict[str, Any]:
    store = Store.open(database_url)
    follower = Follower(
        JsonRpcClient(rpc_url, timeout=300),
        store,
        contracts_from_manifest(manifest),
        initial_block_range=20,
        target_logs_per_request=10_000,
    )
    started = time.perf_counter()
    report = follower.sync(until=until)
    seconds = time.perf_counter() - started
    follower.rpc.close()
    store.close()
    return {
        "events": report.events,
        "blocks": report.blocks,
        "seconds": round(seconds, 3),
        "events_per_s": round(report.events / seconds),
    }


def _naive(rpc_url: str, manifest: DeploymentManifest, database_url: str, until_block: int) -> dict[str, Any]:
    """The straightforward loop: web3 contract events per type and range, one ORM object per row."""
    store = Store.open(database_url)
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 300}))
    contracts = {
        name: w3.eth.contract(address=Web3.to_checksum_address(deployed.address), abi=load_abi(name))
        for name, deployed in manifest.contracts.items()
    }
    event_names = {
        name: sorted({item["name"] for item in load_abi(name) if item["type"] == "event"}) for name in contracts
    }
    events = 0
    timestamps: dict[int, int] = {}
    started = time.perf_counter()
    step = 20
    with Session(store.engine) as session:
        for start in range(manifest.deployment_block, until_block + 1, step):
            end = min(until_block, start + step - 1)
            for name, contract in contracts.items():
                for event_name in event_names[name]:
                    for log in getattr(contract.events, event_name).get_logs(from_block=start, to_block=end):
                        if log["blockNumber"] not in timestamps:
                            timestamps[log["blockNumber"]] = w3.eth.get_block(log["blockNumber"])["timestamp"]
                        args = {
                            key: value.hex() if isinstance(value, bytes) else value
                            for key, value in log["args"].items()
                        }
                        position = {
                            "block_number": log["blockNumber"],
                            "log_index": log["logIndex"],
                            "tx_hash": log["transactionHash"].to_0x_hex(),
                            "block_timestamp": timestamps[log["blockNumber"]],
                        }
                        session.add(
                            EventRow(
                                **position,
                                tx_index=log["transactionIndex"],
                                address=log["address"],
                                contract=name,
                                event=log["event"],
                                args=args_to_json(args),
                            )
                        )
                        if log["event"] == "ContributionRecorded":
                            session.add(
                                Contribution(
                                    **position,
                                    entry_id=args["entryId"],
                                    epoch=args["epoch"],
                                    member=args["member"],
                                    units=str(args["units"]),
                                    evidence="0x" + args["evidence"],
                                )
                            )
                        events += 1
            session.commit()
    seconds = time.perf_counter() - started
    store.close()
    return {
        "events": events,
        "blocks": until_block - manifest.deployment_block + 1,
        "seconds": round(seconds, 3),
        "events_per_s": round(events / seconds),
    }


def _fresh_sqlite(name: str) -> str:
    path = BENCH_DIR / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _postgres_database(server_url: str) -> tuple[str, str]:
    admin = make_url(server_url)
    name = f"union_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin.set(drivername="postgresql").render_as_string(False), autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return name, admin.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(server_url: str, name: str) -> None:
    admin = make_url(server_url)
    with psycopg.connect(admin.set(drivername="postgresql").render_as_string(False), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="contribution entries on the chain")
    parser.add_argument("--naive-blocks", type=int, default=40, help="blocks of entries the naive loop indexes")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached chain")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help="build the cached chain and stop")
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    state, manifest_path, meta = _paths(options.events)
    if options.regenerate or not (state.exists() and meta.exists()):
        logger.info("generating a chain with %d entries (cached under %s)", options.events, BENCH_DIR)
        generate(options.events)
    if options.generate_only:
        return
    generation = json.loads(meta.read_text())
    manifest = DeploymentManifest.load(manifest_path)

    results: dict[str, Any] = {"chain": generation, "load_average_at_start": os.getloadavg()}
    with AnvilProcess(accounts=20, extra_args=("--load-state", str(state))) as anvil:
        logger.info("indexing into SQLite")
        results["sqlite"] = _follow(anvil.rpc_url, manifest, _fresh_sqlite("indexer-bench.db"))
        logger.info("sqlite: %s", results["sqlite"])
        if not options.skip_postgres:
            server = os.environ.get("UNION_BENCH_POSTGRES_URL") or os.environ.get(
                "UNION_TEST_POSTGRES_URL", DEFAULT_POSTGRES
            )
            name, url = _postgres_database(server)
            try:
                logger.info("indexing into PostgreSQL")
                results["postgres"] = _follow(anvil.rpc_url, manifest, url)
                logger.info("postgres: %s", results["postgres"])
            finally:
                _drop_postgres_database(server, name)
        until = manifest.deployment_block + options.naive_blocks + 30
        logger.info("naive web3.py loop and the indexer on the same blocks, up to block %d", until)
        results["naive_sqlite"] = _naive(anvil.rpc_url, manifest, _fresh_sqlite("naive-bench.db"), until)
        results["indexer_same_blocks"] = _follow(anvil.rpc_url, manifest, _fresh_sqlite("subset-bench.db"), until)
        logger.info("naive: %s, indexer: %s", results["naive_sqlite"], results["indexer_same_blocks"])

    sqlite_rate = results["sqlite"]["events_per_s"]
    naive_rate = results["naive_sqlite"]["events_per_s"]
    # The ratio compares the two on the same blocks, back to back, so a change of machine load skews it least.
    same_blocks_rate = results["indexer_same_blocks"]["events_per_s"]
    results["summary"] = {
        "sqlite_events_per_s": sqlite_rate,
        "postgres_events_per_s": results.get("postgres", {}).get("events_per_s"),
        "naive_events_per_s": naive_rate,
        "sqlite_vs_naive": round(same_blocks_rate / naive_rate, 1),
        "targets": {"sqlite_events_per_s": 20_000, "sqlite_vs_naive": 5},
    }
    results["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        # The machine is shared: a load average above the CPU count means the figures above are lower bounds.
        "load_average_at_end": os.getloadavg(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    logger.info("summary: %s", results["summary"])


if __name__ == "__main__":
    main()
