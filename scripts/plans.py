"""``union plan`` and ``union verify``: build a token's next dividend plan, or re-verify every distribution, from an
RPC node and the deployment manifest alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated

import typer
from eth_typing import ChecksumAddress
from eth_utils import is_address, keccak, to_checksum_address
from rich.table import Table

from scripts.cli import app, console, friendly_errors
from treasury.inputs import GENERAL_PURPOSE, PurposeId
from treasury.plan import Plan
from treasury.readers import PlanHistory, RpcPlanInputsReader
from treasury.verify import VerificationReport, earmark_shortfalls, token_label, verify_union
from union.chain import connect
from union.errors import UnionValueError
from union.manifest import DeploymentManifest
from union.rpc import JsonRpcClient
from union.settings import DEFAULT_STATE_DIR
from union.types import ZERO_ADDRESS

__all__ = ["hashing_pool", "parse_token", "plan_command", "verify_command"]

RpcUrl = Annotated[str, typer.Option("--rpc-url", envvar="UNION_RPC_URL", help="JSON-RPC endpoint of the chain")]
Manifest = Annotated[
    Path, typer.Option("--manifest", envvar="UNION_MANIFEST", help="the union's deployment manifest (JSON)")
]
Confirmations = Annotated[
    int, typer.Option("--confirmations", min=0, help="blocks behind the head treated as final (0 on a local chain)")
]

Parallel = Annotated[
    bool,
    typer.Option(
        "--parallel/--no-parallel", help="share the Merkle hashing of big plans with one worker process (two cores)"
    ),
]


@contextmanager
def hashing_pool(parallel: bool) -> Iterator[ProcessPoolExecutor | None]:
    """One worker process for the planner's hashing (``None`` without ``parallel``), shut down on the way out.

    Forked and started before anything is read, while this process is still small: the worker's copy of it stays
    small, and a million-account plan does not wait for a process to start. The plan is the same with or without it.
    """
    if not parallel:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork"))
    try:
        pool.submit(int).result()
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def parse_token(value: str) -> ChecksumAddress:
    """``ETH`` (or the zero address) for native ETH, else an ERC-20 address in any case."""
    if value.strip().upper() == "ETH":
        return ZERO_ADDRESS
    if not is_address(value.strip()):
        raise UnionValueError(f"--token must be ETH or a token address, got {value!r}")
    return to_checksum_address(value.strip())


def _purpose_names(manifest: DeploymentManifest) -> dict[str, str]:
    names = {"0x" + keccak(text=name).hex(): name for name in manifest.parameters.purposes}
    names[GENERAL_PURPOSE] = "general"
    return names


def _read_plans(paths: list[Path]) -> list[tuple[Plan, str]]:
    plans: list[tuple[Plan, str]] = []
    for path in paths:
        try:
            plans.append((Plan.from_json(path.read_bytes()), str(path)))
        except OSError as exc:
            raise UnionValueError(f"cannot read the plan document {path}: {exc}") from exc
    return plans


def _purpose_label(names: dict[str, str]) -> Callable[[str], str]:
    return lambda purpose: names.get(purpose, purpose[:10] + "…")


def _purpose_table(plan: Plan, names: dict[str, str], earmarks: Mapping[PurposeId, int]) -> Table:
    """Per purpose, over the covered epochs: gross, released by governance, reserve, operations, members' shares,
    released excess, carry, what the funding takes from the purpose's earmark and what the chain holds earmarked."""
    table = Table(title=f"{token_label(plan.token)}: epochs {plan.from_epoch + 1}-{plan.through_epoch}")
    columns = (
        "purpose",
        "gross",
        "released",
        "reserve",
        "operations",
        "to members",
        "cap released",
        "carry after",
        "eligible",
        "takes",
        "earmarked now",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "purpose" else "right")
    sums: dict[PurposeId, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    eligible: dict[PurposeId, int] = defaultdict(int)
    for epoch in plan.epochs:
        for outcome in epoch.purposes:
            released = outcome.released
            stages = (
                outcome.gross,
                released.carry + released.distributable + released.reserve + released.operations,
                outcome.reserve,
                outcome.operations,
                sum(outcome.allocations.values()),
                outcome.cap_released,
            )
            sums[outcome.purpose] = [total + stage for total, stage in zip(sums[outcome.purpose], stages, strict=True)]
            eligible[outcome.purpose] = max(eligible[outcome.purpose], outcome.eligible_members)
    label = _purpose_label(names)
    for purpose_key, stage_sums in sorted(sums.items()):
        funding = plan.totals.purposes.get(purpose_key)
        takes = funding.amount + funding.reserve_released if funding is not None else 0
        held = earmarks.get(purpose_key, 0)
        table.add_row(
            label(purpose_key),
            *map(str, stage_sums),
            str(plan.totals.carries.get(purpose_key, 0)),
            str(eligible[purpose_key]),
            str(takes),
            str(held) if held >= takes else f"[bold red]{held}[/]",
        )
    return table


@app.command("plan")
@friendly_errors
def plan_command(
    epoch: Annotated[int, typer.Argument(min=1, help="the last epoch the plan covers")],
    out: Annotated[Path, typer.Option("--out", help="where to write the canonical plan document")],
    token: Annotated[str, typer.Option("--token", help="ETH or an ERC-20 address")] = "ETH",  # noqa: S107
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest_path: Manifest = DEFAULT_STATE_DIR / "manifest.json",
    confirmations: Confirmations = 0,
    previous_plan: Annotated[
        list[Path] | None,
        typer.Option("--previous-plan", help="a published plan document to build on instead of rebuilding it"),
    ] = None,
    parallel: Parallel = True,
) -> None:
    """Build the dividend plan of TOKEN from its last funded epoch through EPOCH, from chain data only.

    Writes the canonical document (the exact bytes the plan hash is computed from) and prints its hash, root and
    totals. Refuses while EPOCH's grace window is open (its entries may still change).
    """
    with hashing_pool(parallel) as pool:
        manifest = DeploymentManifest.load(manifest_path)
        asset = parse_token(token)
        connect(rpc_url, expected_chain_id=manifest.chain_id)
        client = JsonRpcClient(rpc_url)
        try:
            reader = RpcPlanInputsReader.open(client, manifest, confirmations=confirmations)
            documents = [plan for plan, _ in _read_plans(previous_plan or [])]
            history = PlanHistory(reader, documents=documents, executor=pool)
            plan = history.next_plan(asset, epoch)
            earmarks = history.facts.earmarks(asset)
        finally:
            client.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(plan.canonical_bytes())
    names = _purpose_names(manifest)
    console.print(_purpose_table(plan, names, earmarks))
    summary = Table.grid(padding=(0, 2))
    for label, value in (
        ("plan", str(out)),
        ("planHash", plan.plan_hash),
        ("root", plan.root),
        ("epochs", f"({plan.from_epoch}, {plan.through_epoch}]"),
        ("amount", str(plan.totals.amount)),
        ("reserveReleased", str(plan.totals.reserve_released)),
        ("accounts", str(len(plan.new_cumulative))),
        ("blocks", f"{plan.inputs.from_block}..{plan.inputs.to_block}"),
    ):
        summary.add_row(f"[bold]{label}[/]", value)
    console.print(summary)
    for shortfall in earmark_shortfalls(plan.purpose_fundings(), earmarks, _purpose_label(names)):
        # DESIGN §8 makes this impossible for a plan made after its range's releases; a release executed since the
        # range ended (before the funding) can still do it, and the members should know before they vote.
        console.print(f"[bold red]exceeds the earmark[/]: {shortfall}", highlight=False)


def print_report(report: VerificationReport) -> None:
    """The report as a table (one row per check) and, under it, every named difference."""
    table = Table(title=f"union verify — chain {report.chain_id}, final block {report.final_block}")
    for column in ("round", "token", "epochs", "check", "expected", "on-chain", "ok"):
        table.add_column(column, overflow="fold")
    for verified in report.rounds:
        state = f" ({verified.proposal_state})" if verified.proposal_state else ""
        for index, check in enumerate(verified.checks):
            first = index == 0
            table.add_row(
                verified.round + state if first else "",
                token_label(verified.token) if first else "",
                verified.epochs if first else "",
                check.check,
                check.expected,
                check.on_chain,
                "[green]yes[/]" if check.ok else "[bold red]NO[/]",
            )
        table.add_section()
    console.print(table)
    for verified in report.rounds:
        if verified.document:
            console.print(f"{verified.round}: published plan read from {verified.document}", highlight=False)
        for difference in verified.differences:
            console.print(f"[red]{verified.round}[/]: {difference}", highlight=False)
    for problem in report.problems:
        console.print(f"[bold red]problem[/]: {problem}", highlight=False)
    if not report.rounds and not report.problems:
        console.print("nothing to verify: no distribution was funded or proposed yet")
    verdict = "[bold green]verified: every distribution reproduces from chain data[/]"
    console.print(verdict if report.ok else "[bold red]verification FAILED[/]")


@app.command("verify")
@friendly_errors
def verify_command(
    epoch: Annotated[int | None, typer.Option("--epoch", min=1, help="only rounds covering this epoch")] = None,
    token: Annotated[str | None, typer.Option("--token", help="only this token (ETH or an address)")] = None,
    proposal: Annotated[str | None, typer.Option("--proposal", help="check this distribution proposal")] = None,
    plan: Annotated[
        list[Path] | None, typer.Option("--plan", help="a published plan document, to name every difference")
    ] = None,
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest_path: Manifest = DEFAULT_STATE_DIR / "manifest.json",
    confirmations: Confirmations = 0,
    fetch: Annotated[bool, typer.Option("--fetch/--no-fetch", help="fetch plans from proposal URLs")] = True,
    json_output: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    parallel: Parallel = True,
) -> None:
    """Rebuild every distribution from chain data alone and compare it with what the chain holds.

    Exit status 0 only if every funded root, plan hash, amount and released reserve (and every live distribution
    proposal) matches the rebuild and no account's cumulative amount went down.
    """
    proposal_id = None
    if proposal is not None:
        try:
            proposal_id = int(proposal, 0)
        except ValueError:
            raise UnionValueError(f"--proposal must be a proposal id (decimal or 0x hex), got {proposal!r}") from None
    with hashing_pool(parallel) as pool:
        manifest = DeploymentManifest.load(manifest_path)
        w3 = connect(rpc_url, expected_chain_id=manifest.chain_id)
        client = JsonRpcClient(rpc_url)
        try:
            report = verify_union(
                w3,
                manifest,
                token=parse_token(token) if token is not None else None,
                epoch=epoch,
                proposal_id=proposal_id,
                documents=_read_plans(plan or []),
                fetch_documents=fetch,
                confirmations=confirmations,
                rpc=client,
                executor=pool,
            )
        finally:
            client.close()
    if json_output:
        console.print_json(report.model_dump_json())
    else:
        print_report(report)
    if not report.ok:
        raise typer.Exit(1)
