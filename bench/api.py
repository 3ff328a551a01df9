"""Transparency API read throughput: ``python -m bench.api`` (writes bench/results/api.json).

1. A store holding a 10,000-member union with 12 funded epochs, written directly through the indexer's schema (bulk
   inserts, no chain: this is a read benchmark). Every epoch has a contribution entry per member, ETH revenue for two
   purposes and a plan computed by the real planner (``treasury.Plan.from_inputs``), stored byte-exact, proposed,
   voted on (2,000 ballots each), executed and verified; 30 % of the members have claimed. The SQLite file is cached
   under build/bench/api/ (``--regenerate`` rebuilds it); PostgreSQL gets a fresh database each run
   (``UNION_BENCH_POSTGRES_URL``, else ``UNION_TEST_POSTGRES_URL``, else postgresql+psycopg://postgres@127.0.0.1:5432).
2. The API in a separate process on loopback (uvicorn, 2 worker processes, uvloop + httptools), read side only.
3. wrk from Debian's packages (``apt-get install -y wrk``; this script installs nothing), one thread, 50 connections,
   30 s per endpoint, against ``/v1/treasury``, ``/v1/members/{address}`` and
   ``/v1/members/{address}/claims/{token}`` — the last two with a Lua script picking a random member per request.
   Requests/s and p50/p99 latency as wrk reports them; non-2xx answers and socket errors are counted too.

Each endpoint is warmed up first — one pass over every member from 16 parallel clients (its rate, with nothing
cached, is reported as ``warm_up.rps``), then 15 s of unmeasured random load — so each worker's answer cache holds what
a long-running server's holds. A benchmark measures; it asserts nothing. Target (issue 5):
>= 2,000 requests/s with p99 <= 50 ms for each endpoint with SQLite, on this 2-core machine, load generator included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
import psycopg
from eth_typing import ChecksumAddress, HexStr
from eth_utils import keccak, to_checksum_address
from fastapi import FastAPI
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from api.app import create_app
from api.context import EpochSchedule
from api.plans import PLAN_VERIFICATIONS, PLANS
from api.settings import ApiSettings
from indexer.models import (
    Block,
    Claim,
    ConsentChange,
    Contribution,
    DistributionRound,
    DividendPolicy,
    Epoch,
    IndexerCursor,
    IndexerStatus,
    Member,
    MembershipChange,
    Proposal,
    ProposalAction,
    ProposalStateChange,
    Purpose,
    PurposeFunding,
    Revenue,
    TreasuryMovement,
    Vote,
)
from indexer.store import Store, create_store_engine
from treasury.inputs import (
    BlockRange,
    ChainContext,
    ContributionEntry,
    EventRef,
    PlanInputs,
    PolicyChange,
    RevenueEvent,
    purpose_id,
)
from treasury.inputs import ConsentChange as ConsentFact
from treasury.inputs import EpochSchedule as PlanSchedule
from treasury.plan import Plan
from treasury.policy import DividendPolicy as Policy

ROOT: Final = Path(__file__).resolve().parent.parent
RESULTS: Final = ROOT / "bench" / "results" / "api.json"
CACHE: Final = ROOT / "build" / "bench" / "api"
WRK_INSTALL: Final = "apt-get install -y wrk   (Debian/Ubuntu package 'wrk'; this benchmark installs nothing itself)"

GENESIS: Final = 1_767_225_600  # 2026-01-01T00:00:00Z
EPOCH_LENGTH: Final = 7 * 86_400
GRACE: Final = 86_400
BLOCK_TIME: Final = 12
ETHER: Final = 10**18
ZERO: Final = ChecksumAddress(to_checksum_address("0x" + "00" * 20))
GENERAL: Final = "0x" + "00" * 32
AI_TRAINING: Final = "0x" + keccak(text="ai-training").hex()
OPERATIONS: Final = to_checksum_address("0x90f79bf6eb2c4f870365e785982e1f101e93b906")
BUYER: Final = to_checksum_address("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc")
SECOND_BUYER: Final = to_checksum_address("0x976ea74026e726554db657fa54763abd0c3a0aa9")
CONTRACTS: Final = {
    name: to_checksum_address("0x" + keccak(text=f"bench-{name}").hex()[-40:])
    for name in ("membership", "ledger", "treasury", "distributor", "governor")
}
SCHEMA_VERSION: Final = 1
"""Bump when the generated store changes shape, so a cached SQLite file is rebuilt."""


@dataclass(frozen=True)
class BenchUnion:
    """What the load generator needs to know about the generated store."""

    members: list[str]
    token: str

    def dump(self) -> dict[str, Any]:
        return {"members": self.members, "token": self.token, "schema": SCHEMA_VERSION}


def _block_at(timestamp: int) -> int:
    return 1 + (timestamp - GENESIS + 86_400) // BLOCK_TIME


def _tx(block: int, index: int) -> HexStr:
    return HexStr("0x" + keccak(text=f"tx:{block}:{index}").hex())


class _Rows:
    """Rows per table, inserted in chunks at the end (one executemany per chunk)."""

    def __init__(self) -> None:
        self.tables: dict[Any, list[dict[str, Any]]] = {}

    def add(self, model: Any, row: dict[str, Any]) -> None:
        self.tables.setdefault(model, []).append(row)

    def logged(self, model: Any, block: int, log_index: int, timestamp: int, **row: Any) -> None:
        self.add(
            model,
            {
                "block_number": block,
                "log_index": log_index,
                "tx_hash": _tx(block, log_index),
                "block_timestamp": timestamp,
            }
            | row,
        )

    def write(self, store: Store) -> None:
        with store.engine.begin() as connection:
            for model, rows in self.tables.items():
                for start in range(0, len(rows), 5_000):
                    connection.execute(insert(model), rows[start : start + 5_000])


def _plan(
    epoch: int,
    members: list[str],
    units: list[int],
    entry_base: int,
    consenting: list[str],
    previous: Plan | None,
    revenue_events: list[RevenueEvent],
    policy: PolicyChange,
    cursor_block: int,
) -> Plan:
    schedule = PlanSchedule(GENESIS, EPOCH_LENGTH, GRACE)
    block = _block_at(schedule.start(epoch) + 3_600)
    contributions = [
        ContributionEntry(
            EventRef(block + index // 500, index % 500, _tx(block + index // 500, index % 500)),
            entry_base + index + 1,
            epoch,
            ChecksumAddress(member),
            units[index],
        )
        for index, member in enumerate(members)
    ]
    consent_block = _block_at(GENESIS - 1_000)
    consents = [
        ConsentFact(
            EventRef(consent_block + index // 500, index % 500, _tx(consent_block + index // 500, index % 500)),
            ChecksumAddress(member),
            purpose_id(AI_TRAINING),
            True,
            GENESIS - 1_000,
        )
        for index, member in enumerate(consenting)
    ]
    inputs = PlanInputs(
        chain=ChainContext(
            31337, CONTRACTS["membership"], CONTRACTS["ledger"], CONTRACTS["treasury"], CONTRACTS["distributor"]
        ),
        token=ZERO,
        from_epoch=epoch - 1,
        through_epoch=epoch,
        schedule=schedule,
        blocks=BlockRange(1, cursor_block),
        contributions=contributions,
        revenues=revenue_events,
        consent_changes=consents,
        policy_changes=[policy],
        previous_cumulative=dict(previous.new_cumulative) if previous else {},
        previous_carries={purpose_id(p): c for p, c in previous.totals.carries.items()} if previous else {},
    )
    return Plan.from_inputs(inputs)


def generate(url: str, member_count: int, epochs: int, seed: int = 7) -> BenchUnion:
    """Write the whole union into a fresh store at ``url`` through the indexer's schema."""
    rng = random.Random(seed)
    store = Store.open(url)
    rows = _Rows()
    members = [to_checksum_address("0x" + keccak(text=f"member-{index}").hex()[-40:]) for index in range(member_count)]
    admitted_at = GENESIS - 3_000
    for index, member in enumerate(members):
        block = _block_at(admitted_at) + index // 500
        rows.logged(MembershipChange, block, index % 500, admitted_at, member=member, kind="joined")
        rows.add(
            Member,
            {
                "address": member,
                "is_member": True,
                "terms": 1,
                "first_joined_at": admitted_at,
                "joined_at": admitted_at,
                "joined_block": block,
                "left_at": None,
                "left_block": None,
                "expelled": False,
                "delegate": None,
                "last_block": block,
            },
        )
    policy_block = _block_at(GENESIS - 2_000)
    rows.logged(Purpose, policy_block, 0, GENESIS - 2_000, purpose_id=AI_TRAINING, name="ai-training")
    rows.logged(
        DividendPolicy,
        policy_block,
        1,
        GENESIS - 2_000,
        reserve_bps=1_000,
        operations_bps=500,
        floor_bps=2_000,
        cap_bps=0,
        operations_account=OPERATIONS,
    )
    policy = PolicyChange(
        EventRef(policy_block, 1, _tx(policy_block, 1)), GENESIS - 2_000, Policy(1_000, 500, 2_000, 0, OPERATIONS)
    )
    consenting = [member for member in members if rng.random() < 0.3]
    for index, member in enumerate(consenting):
        block = _block_at(GENESIS - 1_000) + index // 500
        rows.logged(
            ConsentChange, block, index % 500, GENESIS - 1_000, member=member, purpose_id=AI_TRAINING, granted=True
        )

    schedule = EpochSchedule(GENESIS, EPOCH_LENGTH, GRACE)
    cursor_block = _block_at(schedule.grace_end(epochs) + 6 * 86_400)
    balance = earmarked = 0
    previous: Plan | None = None
    claimed: dict[str, int] = {}
    entry_id = 0
    for epoch in range(1, epochs + 1):
        units = [rng.randint(1, 100) for _ in members]
        block = _block_at(schedule.start(epoch) + 3_600)
        for index, member in enumerate(members):
            rows.logged(
                Contribution,
                block + index // 500,
                index % 500,
                schedule.start(epoch) + 3_600,
                entry_id=entry_id + index + 1,
                epoch=epoch,
                member=member,
                units=str(units[index]),
                evidence="0x" + keccak(text=f"evidence-{epoch}-{index}").hex(),
            )
        rows.add(
            Epoch,
            {
                "epoch": epoch,
                "entries": len(members),
                "units": str(sum(units)),
                "revoked_entries": 0,
                "revoked_units": "0",
                "net_units": str(sum(units)),
                "disputes": 0,
                "last_block": block + len(members) // 500,
            },
        )
        paid_at = schedule.start(epoch) + 7_200
        revenue_block = _block_at(paid_at)
        revenue_events = []
        for log_index, (purpose, payer, amount, licence) in enumerate(
            (
                (GENERAL, BUYER, 100 * ETHER, f"grant-{epoch}"),
                (AI_TRAINING, SECOND_BUYER, 20 * ETHER, f"licence-{epoch}"),
            )
        ):
            rows.logged(
                Revenue,
                revenue_block,
                log_index,
                paid_at,
                token=ZERO,
                purpose_id=purpose,
                payer=payer,
                amount=str(amount),
                epoch=epoch,
                license_ref=licence,
            )
            balance += amount
            earmarked += amount
            rows.logged(
                TreasuryMovement,
                revenue_block,
                log_index + 10,
                paid_at,
                token=ZERO,
                kind="revenue",
                amount=str(amount),
                balance_delta=str(amount),
                earmark_delta=str(amount),
                balance_after=str(balance),
                earmarked_after=str(earmarked),
                counterparty=payer,
                purpose_id=purpose,
                memo=licence,
            )
            revenue_events.append(
                RevenueEvent(
                    EventRef(revenue_block, log_index, _tx(revenue_block, log_index)),
                    ZERO,
                    purpose_id(purpose),
                    amount,
                    paid_at,
                )
            )
        plan = _plan(epoch, members, units, entry_id, consenting, previous, revenue_events, policy, cursor_block)
        entry_id += len(members)
        _fund(rows, plan, epoch, schedule, members, rng)
        balance -= plan.totals.amount
        earmarked -= plan.totals.amount + plan.totals.reserve_released
        funded_at = schedule.grace_end(epoch) + 2 * 86_400
        rows.logged(
            TreasuryMovement,
            _block_at(funded_at),
            1,
            funded_at,
            token=ZERO,
            kind="dividends_funded",
            amount=str(plan.totals.amount),
            balance_delta=str(-plan.totals.amount),
            earmark_delta=str(-(plan.totals.amount + plan.totals.reserve_released)),
            balance_after=str(balance),
            earmarked_after=str(earmarked),
            counterparty=None,
            purpose_id=None,
            memo=plan.plan_hash,
        )
        if epoch in (6, epochs):
            claim_at = funded_at + 3_600
            for index, member in enumerate(m for m in members if rng.random() < 0.3):
                cumulative = plan.new_cumulative.get(ChecksumAddress(member), 0)
                amount = cumulative - claimed.get(member, 0)
                if amount <= 0:
                    continue
                claimed[member] = cumulative
                rows.logged(
                    Claim,
                    _block_at(claim_at) + index // 200,
                    index % 200,
                    claim_at,
                    token=ZERO,
                    account=member,
                    amount=str(amount),
                    cumulative_amount=str(cumulative),
                )
        previous = plan

    rows.add(
        IndexerCursor, {"id": 1, "chain_id": 31337, "block_number": cursor_block, "block_hash": _tx(cursor_block, 0)}
    )
    cursor_time = GENESIS - 86_400 + (cursor_block - 1) * BLOCK_TIME
    rows.add(
        Block,
        {
            "number": cursor_block,
            "hash": _tx(cursor_block, 0),
            "parent_hash": _tx(cursor_block - 1, 0),
            "timestamp": cursor_time,
            "has_events": False,
        },
    )
    rows.add(
        IndexerStatus,
        {
            "id": 1,
            "head": cursor_block,
            "target": cursor_block,
            "blocks_per_second": None,
            "events_per_second": None,
            "last_error": None,
            "last_error_at": None,
            "updated_at": time.time(),
        },
    )
    rows.write(store)
    store.close()
    return BenchUnion(members=members, token=ZERO)


def _fund(rows: _Rows, plan: Plan, epoch: int, schedule: EpochSchedule, members: list[str], rng: random.Random) -> None:
    """Store the plan, and the proposal that funded it: created, 2,000 ballots, queued, executed; verified."""
    stored_at = schedule.grace_end(epoch) + 600
    rows.add(
        PLANS,
        {
            "plan_hash": plan.plan_hash,
            "token": plan.token,
            "from_epoch": plan.from_epoch,
            "through_epoch": plan.through_epoch,
            "root": plan.root,
            "document": plan.canonical_bytes().decode(),
            "created_at": float(stored_at),
        },
    )
    proposal_id = str(int.from_bytes(keccak(text=plan.plan_hash), "big"))
    created_at = schedule.grace_end(epoch) + 1_200
    created_block = _block_at(created_at)
    rows.logged(
        Proposal,
        created_block,
        0,
        created_at,
        proposal_id=proposal_id,
        proposer=members[0],
        vote_start=created_at + 60,
        vote_end=created_at + 86_400,
        description=f"Dividends for epoch {epoch}",
    )
    args = {
        "fromEpoch": plan.from_epoch,
        "newRoot": plan.root,
        "planHash": plan.plan_hash,
        "purposes": [
            {"amount": str(amount), "purposeId": purpose, "reserveReleased": str(reserve)}
            for purpose, amount, reserve in plan.purpose_fundings()
        ],
        "throughEpoch": plan.through_epoch,
        "token": plan.token,
    }
    rows.add(
        ProposalAction,
        {
            "proposal_id": proposal_id,
            "action_index": 0,
            "block_number": created_block,
            "target": CONTRACTS["treasury"],
            "target_contract": "UnionTreasury",
            "value": "0",
            "signature": "fundDividends(address,uint64,uint64,(bytes32,uint256,uint256)[],bytes32,bytes32)",
            "calldata": "0xd2026be9",
            "function": "fundDividends",
            "args": json.dumps(args, sort_keys=True, separators=(",", ":")),
        },
    )
    voters = rng.sample(members, k=min(2_000, len(members)))
    vote_at = created_at + 3_600
    for index, voter in enumerate(voters):
        rows.logged(
            Vote,
            _block_at(vote_at) + index // 100,
            index % 100,
            vote_at,
            proposal_id=proposal_id,
            voter=voter,
            support=1,
            weight="1",
            reason="",
            params="0x",
            tx_from=OPERATIONS,
            relayed=True,
        )
    queued_at = created_at + 86_500
    rows.logged(
        ProposalStateChange,
        _block_at(queued_at),
        0,
        queued_at,
        proposal_id=proposal_id,
        state="queued",
        eta=queued_at + 3_600,
        extended_deadline=None,
    )
    funded_at = schedule.grace_end(epoch) + 2 * 86_400
    funded_block = _block_at(funded_at)
    rows.logged(
        DistributionRound,
        funded_block,
        0,
        funded_at,
        token=plan.token,
        from_epoch=plan.from_epoch,
        through_epoch=plan.through_epoch,
        amount=str(plan.totals.amount),
        reserve_released=str(plan.totals.reserve_released),
        root=plan.root,
        plan_hash=plan.plan_hash,
    )
    for index, (purpose, amount, reserve) in enumerate(plan.purpose_fundings()):
        # On chain these are logged just before DividendsFunded; nothing the API serves depends on that order.
        rows.logged(
            PurposeFunding,
            funded_block,
            3 + index,
            funded_at,
            token=plan.token,
            purpose_id=purpose,
            through_epoch=plan.through_epoch,
            amount=str(amount),
            reserve_released=str(reserve),
        )
    rows.add(
        ProposalStateChange,
        {
            "block_number": funded_block,
            "log_index": 2,
            "tx_hash": _tx(funded_block, 0),  # the funding happens inside the execution's transaction
            "block_timestamp": funded_at,
            "proposal_id": proposal_id,
            "state": "executed",
            "eta": None,
            "extended_deadline": None,
        },
    )
    rows.add(
        PLAN_VERIFICATIONS,
        {
            "plan_hash": plan.plan_hash,
            "checked_at": float(stored_at + 60),
            "proposal_id": proposal_id,
            "reproduced": True,
            "differences": "[]",
        },
    )


# ------------------------------------------------------------------------------------------------ the server


def bench_app() -> FastAPI:
    """The app uvicorn's workers build (``--factory bench.api:bench_app``): read side over ``UNION_DATABASE_URL``."""
    settings = ApiSettings()
    store = Store(create_store_engine(settings.database_url))
    return create_app(settings, store, EpochSchedule(GENESIS, EPOCH_LENGTH, GRACE))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """uvicorn in its own process group, stopped by its PID."""

    def __init__(self, url: str, workers: int, log: Path) -> None:
        self.port = _free_port()
        environment = os.environ | {"UNION_DATABASE_URL": url, "UNION_CACHE_POLL_INTERVAL": "1.0"}
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "bench.api:bench_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
            "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
            "--backlog", "4096",
        ]  # fmt: skip
        self._log = log.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the API did not start; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        self._log.close()


# ------------------------------------------------------------------------------------------------ load


_LUA = """
local paths = {}
local prefix = "%(prefix)s"
local suffix = "%(suffix)s"
init = function(args)
  for line in io.lines("%(members)s") do paths[#paths + 1] = line end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end
request = function()
  if #paths == 0 then return wrk.format("GET", prefix) end
  return wrk.format("GET", prefix .. paths[math.random(#paths)] .. suffix)
end
done = function(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d,' ..
    '"non_2xx":%%d,"connect_errors":%%d,"read_errors":%%d,"write_errors":%%d,"timeouts":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
"""


def _wrk(base: str, prefix: str, suffix: str, members_file: Path, seconds: int, connections: int, threads: int,
         workdir: Path) -> dict[str, Any]:  # fmt: skip
    script = workdir / f"wrk-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(_LUA % {"prefix": prefix, "suffix": suffix, "members": members_file})
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), base]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    figures: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "seconds": round(seconds_run, 2),
        "rps": round(figures["requests"] / seconds_run, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p90_ms": round(figures["p90_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "max_ms": round(figures["max_us"] / 1000, 2),
        "non_2xx": figures["non_2xx"],
        "socket_errors": figures["connect_errors"] + figures["read_errors"] + figures["write_errors"]
        + figures["timeouts"],
    }  # fmt: skip


def _warm(base: str, paths: list[str], connections: int) -> dict[str, Any]:
    """One pass over ``paths`` from ``connections`` parallel clients: fills the answer cache before the measured run.

    Reports the cold rate: answers per second when nothing is cached yet.
    """
    started = time.perf_counter()
    failures = 0

    def fetch(chunk: list[str]) -> int:
        with httpx.Client(base_url=base, timeout=60) as client:
            return sum(1 for path in chunk if client.get(path).status_code != 200)

    chunks = [paths[index::connections] for index in range(connections)]
    with ThreadPoolExecutor(max_workers=connections) as pool:
        failures = sum(pool.map(fetch, chunks))
    elapsed = time.perf_counter() - started
    return {"requests": len(paths), "seconds": round(elapsed, 2), "rps": round(len(paths) / elapsed, 1),
            "non_200": failures}  # fmt: skip


def run_backend(name: str, url: str, union: BenchUnion, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    members_file = workdir / "members.txt"
    members_file.write_text("\n".join(union.members) + "\n")
    server = Server(url, args.workers, workdir / f"uvicorn-{name}.log")
    results: dict[str, Any] = {}
    try:
        claims = f"/claims/{union.token}"
        endpoints = {
            "treasury": ("/v1/treasury", "", []),
            "member": ("/v1/members/", "", [f"/v1/members/{m}" for m in union.members]),
            "proof": ("/v1/members/", claims, [f"/v1/members/{m}{claims}" for m in union.members]),
        }
        for endpoint, (prefix, suffix, paths) in endpoints.items():
            warm = _warm(server.base, paths or [prefix] * 200, 16)
            if not paths:  # a fixed path: no list for the Lua script to pick from
                (workdir / "none.txt").write_text("")
            if args.warmup > 0:
                # Each worker process has its own cache and a connection sticks to one worker: random load from
                # fresh connections, unmeasured, fills what the single pass left to the other worker (and brings a
                # fixed path's workers to their steady state, as every endpoint gets).
                warm["load"] = _wrk(
                    server.base, prefix, suffix, members_file if paths else workdir / "none.txt", args.warmup,
                    args.connections, args.threads, workdir,
                )  # fmt: skip
            figures = _wrk(
                server.base, prefix, suffix, members_file if paths else workdir / "none.txt", args.duration,
                args.connections, args.threads, workdir,
            )  # fmt: skip
            results[endpoint] = figures | {"warm_up": warm}
            print(f"  {name:10s} {endpoint:9s} {figures['rps']:>9,.0f} req/s  p50 {figures['p50_ms']:6.2f} ms  "
                  f"p99 {figures['p99_ms']:6.2f} ms  non-2xx {figures['non_2xx']}  (cold {warm['rps']:,.0f} req/s)",
                  flush=True)  # fmt: skip
    finally:
        server.stop()
    return results


def _postgres_admin_url() -> str:
    url = os.environ.get("UNION_BENCH_POSTGRES_URL") or os.environ.get("UNION_TEST_POSTGRES_URL")
    return url or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _fresh_postgres() -> tuple[str, str, str]:
    admin = make_url(_postgres_admin_url())
    name = f"bench_api_{uuid.uuid4().hex[:10]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False), dsn, name


def _drop_postgres(dsn: str, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_store(args: argparse.Namespace) -> tuple[str, BenchUnion, float | None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"union-{args.members}x{args.epochs}.db"
    meta = path.with_suffix(".json")
    if not args.regenerate and path.exists() and meta.exists():
        known = json.loads(meta.read_text())
        if known.get("schema") == SCHEMA_VERSION:
            return f"sqlite:///{path}", BenchUnion(known["members"], known["token"]), None
    for stale in (path, path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    union = generate(f"sqlite:///{path}", args.members, args.epochs)
    meta.write_text(json.dumps(union.dump()))
    return f"sqlite:///{path}", union, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (one keeps a core for the server)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--warmup", type=int, default=15, help="seconds of unmeasured random load before each run")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached SQLite store")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(f"wrk is not installed. Install it with:\n    {WRK_INSTALL}", file=sys.stderr)
        return 2
    workdir = CACHE / "run"
    workdir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()

    print(f"SQLite store: {args.members:,} members, {args.epochs} funded epochs", flush=True)
    sqlite_url, union, generated = _sqlite_store(args)
    details: dict[str, Any] = {
        "sqlite": {"generation_seconds": generated, **run_backend("sqlite", sqlite_url, union, args, workdir)}
    }
    if not args.skip_postgres:
        url, dsn, name = _fresh_postgres()
        try:
            print(f"PostgreSQL store (fresh database {name})", flush=True)
            started = time.perf_counter()
            generate(url, args.members, args.epochs)
            details["postgresql"] = {"generation_seconds": round(time.perf_counter() - started, 1)} | run_backend(
                "postgresql", url, union, args, workdir
            )
        finally:
            _drop_postgres(dsn, name)
    sqlite = details["sqlite"]
    summary = {
        "treasury_rps": sqlite["treasury"]["rps"],
        "treasury_p99_ms": sqlite["treasury"]["p99_ms"],
        "member_rps": sqlite["member"]["rps"],
        "member_p99_ms": sqlite["member"]["p99_ms"],
        "proof_rps": sqlite["proof"]["rps"],
        "proof_p99_ms": sqlite["proof"]["p99_ms"],
    }
    target = {"rps_at_least": 2_000, "p99_ms_at_most": 50}
    met = all(summary[f"{k}_rps"] >= 2_000 and summary[f"{k}_p99_ms"] <= 50 for k in ("treasury", "member", "proof"))
    result = {
        "summary": summary,
        "target": target,
        "target_met_sqlite": met,
        "details": details,
        "setup": {
            "members": args.members,
            "funded_epochs": args.epochs,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "seconds_per_endpoint": args.duration,
            "uvicorn_workers": args.workers,
            "server": "uvicorn + uvloop + httptools, read side only (api.app.create_app)",
            "load_generator": "wrk (Debian package) with a Lua script picking a random member per request",
            "warm_up": "per endpoint: one pass over every member from 16 parallel clients, then --warmup seconds of "
            "unmeasured random load (fills each worker's answer cache), then the measured run",
            "machine": {
                "cpus": os.cpu_count(),
                "load_average_before": list(load_before),
                "load_average_after": list(os.getloadavg()),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
