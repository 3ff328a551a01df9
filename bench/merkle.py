"""Benchmark of the dividend engine: a million-account plan, its document and proofs, and OZ's merkle-tree.

``python -m bench.merkle`` writes ``bench/results/merkle.json`` and ``merkle.md``. Each measurement runs in a
fresh child process (``python -m bench.merkle --child …``) so its peak RSS (``ru_maxrss``, of the child and,
separately, of its one pool worker) is that measurement's alone:

- ``plan``: one epoch, one general-purpose revenue, 1,000,000 members with one entry each, a policy with reserve,
  operations, floor and cap; timed: :func:`treasury.allocation.allocate` + cumulative amounts + the distributor's
  tree and root (both cores: the child and one worker of a fork-started process pool), median of 3 runs. The
  inputs are generated in the child before timing; they count in its peak memory. Then, once, what a later round
  adds: merging those allocations into a million previous cumulative amounts.
- ``document``: the full plan document for the same inputs (allocation, tree, dump, pydantic model), its canonical
  bytes and plan hash written to a file, then a :class:`treasury.proofs.ProofIndex` loaded from that file (tree
  re-validated) serving 10,000 random members' claim arguments.
- ``oz``: 100,000 ``(address, uint256)`` leaves built by ``@openzeppelin/merkle-tree`` under node (timed inside node:
  ``StandardMerkleTree.of`` + ``root``) and by ours from the same values (median of 3); the roots must agree.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from eth_typing import BlockNumber, ChainId, ChecksumAddress, HexStr

from treasury.allocation import allocate, cumulative_amounts
from treasury.inputs import (
    GENERAL_PURPOSE,
    BlockRange,
    ChainContext,
    ContributionEntry,
    EpochId,
    EpochSchedule,
    EventRef,
    PlanInputs,
    PolicyChange,
    RevenueEvent,
    checksum_address,
)
from treasury.merkle import ADDRESS_AMOUNT_ENCODING, StandardMerkleTree
from treasury.plan import Plan, distribution_tree
from treasury.policy import ZERO_ADDRESS, DividendPolicy
from treasury.proofs import ProofIndex

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
OZ_HELPER = REPO / "tests" / "helpers" / "oz_merkle.mjs"
SEED = 20261122
TARGET_SECONDS = 3.0
TARGET_PEAK_MIB = 2048
TARGET_SPEEDUP = 20.0


def _rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _random_address(rng: random.Random) -> ChecksumAddress:
    return checksum_address("0x" + rng.randbytes(20).hex())


def synthetic_inputs(accounts: int, seed: int = SEED) -> PlanInputs:
    """One epoch of ``accounts`` members (1–1,000 units each) and one general revenue of ~1.2M ETH."""
    rng = random.Random(seed)
    schedule = EpochSchedule(genesis=1_700_000_000, length=7 * 86_400, grace=86_400)
    membership, ledger, treasury, distributor = (_random_address(rng) for _ in range(4))
    chain = ChainContext(ChainId(31337), membership, ledger, treasury, distributor)
    tx = HexStr("0x" + "ab" * 32)
    entries = [
        ContributionEntry(
            EventRef(BlockNumber(100 + index // 500), index % 500, tx),
            index + 1,
            EpochId(1),
            _random_address(rng),
            rng.randint(1, 1_000),
        )
        for index in range(accounts)
    ]
    policy = DividendPolicy(
        reserve_bps=500, operations_bps=300, floor_bps=1_000, cap_bps=100, operations_account=_random_address(rng)
    )
    return PlanInputs(
        chain=chain,
        token=ZERO_ADDRESS,
        from_epoch=EpochId(0),
        through_epoch=EpochId(1),
        schedule=schedule,
        blocks=BlockRange(BlockNumber(1), BlockNumber(100 + accounts // 500 + 10)),
        contributions=entries,
        revenues=[
            RevenueEvent(
                EventRef(BlockNumber(50), 0, tx), ZERO_ADDRESS, GENERAL_PURPOSE, 1_234_567 * 10**18 + 89, 1_700_000_100
            )
        ],
        policy_changes=[PolicyChange(EventRef(BlockNumber(1), 0, tx), 1_699_999_000, policy)],
    )


def _pool() -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork"))
    pool.submit(int).result()  # start the worker now, while the process is still small
    return pool


def child_plan(accounts: int, runs: int) -> dict[str, Any]:
    """Allocation + cumulative amounts + tree + root, ``runs`` times; the median is the figure."""
    pool = _pool()
    started = time.perf_counter()
    inputs = synthetic_inputs(accounts)
    generation_seconds = time.perf_counter() - started
    samples: list[dict[str, float]] = []
    root = ""
    for _ in range(runs):
        worker_cpu = pool.submit(time.process_time).result()
        main_cpu = time.process_time()
        t0 = time.perf_counter()
        allocation = allocate(inputs)
        t1 = time.perf_counter()
        cumulative = cumulative_amounts(inputs.previous_cumulative, allocation.allocated)
        t2 = time.perf_counter()
        tree = distribution_tree(cumulative, executor=pool)
        assert tree is not None
        root = tree.root
        t3 = time.perf_counter()
        main_cpu = time.process_time() - main_cpu
        worker_cpu = pool.submit(time.process_time).result() - worker_cpu
        samples.append(
            {
                "allocation": t1 - t0,
                "cumulative": t2 - t1,
                "tree_and_root": t3 - t2,
                "total": t3 - t0,
                "main_cpu": main_cpu,
                "worker_cpu": worker_cpu,
            }
        )
        del tree
    pool.shutdown()
    # Every later round adds its allocations to the previous cumulative amounts: a million on a million here.
    previous = cumulative.as_dict()
    t0 = time.perf_counter()
    merged = cumulative_amounts(previous, allocation.allocated)
    next_round_cumulative_seconds = time.perf_counter() - t0
    assert len(merged) == len(cumulative)
    assert merged.total == 2 * cumulative.total
    median_run = sorted(samples, key=lambda sample: sample["total"])[len(samples) // 2]
    return {
        "accounts": accounts,
        "leaves": accounts + 1,
        "runs": samples,
        "median": median_run,
        "root": root,
        "input_generation_seconds": generation_seconds,
        "next_round_cumulative_seconds": next_round_cumulative_seconds,
        "peak_rss_mib": _rss_mib(resource.RUSAGE_SELF),
        "worker_peak_rss_mib": _rss_mib(resource.RUSAGE_CHILDREN),
    }


def child_document(accounts: int, proofs: int) -> dict[str, Any]:
    """The plan document written to disk, and claim arguments served from it."""
    pool = _pool()
    inputs = synthetic_inputs(accounts)
    t0 = time.perf_counter()
    plan = Plan.from_inputs(inputs, executor=pool)
    t1 = time.perf_counter()
    document = plan.canonical_bytes()
    plan_hash = plan.plan_hash
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "plan.json"
        path.write_bytes(document)
        t3 = time.perf_counter()
        index = ProofIndex.from_json(path.read_bytes(), validate=True)
        t4 = time.perf_counter()
    pool.shutdown()
    members = list(plan.new_cumulative)
    root = plan.root
    document_mib = len(document) / 2**20
    # A proof server keeps the index, not the plan model: drop the rest so the timings below are the index's alone.
    del plan, document, inputs
    gc.collect()
    rng = random.Random(SEED)
    chosen = [rng.choice(members) for _ in range(proofs)]
    latencies: list[float] = []
    for member in chosen:
        s0 = time.perf_counter()
        index.claim(member)
        latencies.append(time.perf_counter() - s0)
    sample = index.claim(chosen[0])
    assert StandardMerkleTree.verify_proof(
        root, ADDRESS_AMOUNT_ENCODING, [sample.account, sample.cumulative_amount], sample.proof
    )
    latencies.sort()
    return {
        "accounts": accounts,
        "plan_from_inputs_seconds": t1 - t0,
        "canonical_bytes_and_hash_seconds": t2 - t1,
        "write_seconds": t3 - t2,
        "document_mib": document_mib,
        "plan_hash": plan_hash,
        "proof_index_load_seconds": t4 - t3,
        "proofs_served": proofs,
        "proofs_total_seconds": sum(latencies),
        "proof_mean_microseconds": statistics.fmean(latencies) * 1e6,
        "proof_median_microseconds": latencies[len(latencies) // 2] * 1e6,
        "proof_p99_microseconds": latencies[int(len(latencies) * 0.99)] * 1e6,
        "proof_max_microseconds": latencies[-1] * 1e6,
        "peak_rss_mib": _rss_mib(resource.RUSAGE_SELF),
    }


def child_oz(accounts: int, runs: int) -> dict[str, Any]:
    """OZ's library against ours on the same 100,000 leaves."""
    rng = random.Random(SEED + 1)
    values = [["0x" + rng.randbytes(20).hex(), str(rng.getrandbits(96))] for _ in range(accounts)]
    completed = subprocess.run(
        ["node", str(OZ_HELPER)],
        input=json.dumps([{"op": "time", "values": values, "leafEncoding": list(ADDRESS_AMOUNT_ENCODING)}]),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    (oz,) = json.loads(completed.stdout)
    accounts_column = [value[0] for value in values]
    amounts_column = [int(value[1]) for value in values]
    pool = _pool()
    fast: list[float] = []
    generic: list[float] = []
    roots: set[str] = set()
    for _ in range(runs):
        t0 = time.perf_counter()
        roots.add(StandardMerkleTree.of_address_amounts(accounts_column, amounts_column, executor=pool).root)
        t1 = time.perf_counter()
        roots.add(StandardMerkleTree.of(values, ADDRESS_AMOUNT_ENCODING).root)
        t2 = time.perf_counter()
        fast.append(t1 - t0)
        generic.append(t2 - t1)
    pool.shutdown()
    if roots != {oz["root"]}:
        raise SystemExit(f"root mismatch: ours {roots}, OZ {oz['root']}")
    return {
        "accounts": accounts,
        "oz_seconds": oz["seconds"],
        "ours_seconds": statistics.median(fast),
        "ours_runs": fast,
        "ours_single_core_generic_of_seconds": statistics.median(generic),
        "speedup": oz["seconds"] / statistics.median(fast),
        "root": oz["root"],
    }


def _run_child(kind: str, *args: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.merkle", "--child", kind, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if completed.returncode != 0:
        raise SystemExit(f"bench child {kind} failed:\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _markdown(report: dict[str, Any]) -> str:
    summary, plan, document, oz = report["summary"], report["plan"], report["document"], report["oz"]
    median = plan["median"]
    return "\n".join(
        [
            "# Dividend engine benchmark (`python -m bench.merkle`)",
            "",
            f"Machine: {report['machine']['cpus']} CPUs, Python {report['machine']['python']}; "
            f"load average at start {report['machine']['load_average']}. Figures are wall-clock seconds.",
            "",
            "| measurement | figure | target | met |",
            "|---|---|---|---|",
            f"| {plan['accounts']:,} accounts: allocation + tree + root (median of {len(plan['runs'])}) "
            f"| {summary['plan_1m_seconds']:.2f} s | ≤ {TARGET_SECONDS:.0f} s "
            f"| {'yes' if summary['plan_1m_seconds'] <= TARGET_SECONDS else 'NO'} |",
            f"| peak RSS of that process (+ pool worker) | {summary['plan_1m_peak_mib']:.0f} MiB "
            f"(+ {plan['worker_peak_rss_mib']:.0f} MiB) | ≤ {TARGET_PEAK_MIB} MiB "
            f"| {'yes' if summary['plan_1m_peak_mib'] + plan['worker_peak_rss_mib'] <= TARGET_PEAK_MIB else 'NO'} |",
            f"| {oz['accounts']:,} leaves: ours (median of {len(oz['ours_runs'])}) "
            f"| {summary['ours_100k_seconds']:.3f} s | | |",
            f"| {oz['accounts']:,} leaves: @openzeppelin/merkle-tree | {summary['oz_100k_seconds']:.2f} s | | |",
            f"| speed-up over OZ | {oz['speedup']:.0f}× | ≥ {TARGET_SPEEDUP:.0f}× "
            f"| {'yes' if oz['speedup'] >= TARGET_SPEEDUP else 'NO'} |",
            "",
            f"Median run split: allocation {median['allocation']:.2f} s, cumulative amounts "
            f"{median['cumulative']:.2f} s, tree + root {median['tree_and_root']:.2f} s; CPU time in that run: "
            f"{median['main_cpu']:.2f} s in the planning process, {median['worker_cpu']:.2f} s in the pool worker "
            "(wall time above CPU time means the two cores were shared with other work).",
            f"All runs (total wall s): {', '.join(format(run['total'], '.2f') for run in plan['runs'])}; "
            f"load average at the end {report['machine']['load_average_end']}.",
            f"A later round's cumulative amounts ({plan['accounts']:,} previous + {plan['accounts']:,} new, merged): "
            f"{plan['next_round_cumulative_seconds']:.2f} s.",
            f"Ours at {oz['accounts']:,} on one core through the generic `of()` (eth_abi-free for these leaves): "
            f"{oz['ours_single_core_generic_of_seconds']:.3f} s.",
            "",
            "## Plan document and proofs",
            "",
            "| step | figure |",
            "|---|---|",
            f"| `Plan.from_inputs` ({document['accounts']:,} accounts, incl. dump) "
            f"| {document['plan_from_inputs_seconds']:.2f} s |",
            f"| canonical bytes + plan hash | {document['canonical_bytes_and_hash_seconds']:.2f} s |",
            f"| write ({document['document_mib']:.0f} MiB) | {document['write_seconds']:.2f} s |",
            f"| `ProofIndex.from_json` (tree re-validated) | {document['proof_index_load_seconds']:.2f} s |",
            f"| {document['proofs_served']:,} random claims: median / mean / p99 / max "
            f"| {document['proof_median_microseconds']:.1f} / {document['proof_mean_microseconds']:.1f} / "
            f"{document['proof_p99_microseconds']:.1f} / {document['proof_max_microseconds']:.1f} µs |",
            f"| peak RSS of that process | {document['peak_rss_mib']:.0f} MiB |",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.merkle", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--oz-accounts", type=int, default=100_000)
    parser.add_argument("--proofs", type=int, default=10_000)
    parser.add_argument("--child", choices=["plan", "document", "oz"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "plan":
        print(json.dumps(child_plan(args.accounts, args.runs)))
        return 0
    if args.child == "document":
        print(json.dumps(child_document(args.accounts, args.proofs)))
        return 0
    if args.child == "oz":
        print(json.dumps(child_oz(args.oz_accounts, args.runs)))
        return 0

    machine: dict[str, Any] = {
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }
    common = ["--accounts", str(args.accounts), "--runs", str(args.runs)]
    plan = _run_child("plan", *common)
    oz = _run_child("oz", "--oz-accounts", str(args.oz_accounts), "--runs", str(args.runs))
    document = _run_child("document", *common, "--proofs", str(args.proofs))
    machine["load_average_end"] = [round(value, 2) for value in os.getloadavg()]
    report = {
        "summary": {
            "plan_1m_seconds": plan["median"]["total"],
            "plan_1m_peak_mib": plan["peak_rss_mib"],
            "ours_100k_seconds": oz["ours_seconds"],
            "oz_100k_seconds": oz["oz_seconds"],
        },
        "targets": {
            "plan_1m_seconds": TARGET_SECONDS,
            "plan_1m_peak_mib": TARGET_PEAK_MIB,
            "speedup_over_oz": TARGET_SPEEDUP,
        },
        "machine": machine,
        "plan": plan,
        "oz": oz,
        "document": document,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "merkle.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    (RESULTS / "merkle.md").write_text(_markdown(report))
    print(_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
