"""``union serve`` and ``union config check``: run the union's services, and say what is wrong before running them.

``union serve --role all`` (the embedded default, SQLite) runs in one process the scheduler — whose first job
follows the chain into the store — and the API with the dashboard and, when a relayer key is configured, the relay.
With PostgreSQL, run one ``--role scheduler`` (indexer and automation) and any number of ``--role api`` processes;
``--role indexer`` follows the chain without automation. A second scheduler on the same store waits idle behind the
database lock. SIGTERM or Ctrl-C stops cleanly: the running job or batch finishes and commits, uvicorn drains.

Configuration comes from the environment (``UNION_*``), a documented TOML file (``--config union.toml``, see
``union.example.toml``) and ``.env``, in that order of precedence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy import text
from web3 import Web3

from api.relay import relayer_account
from indexer.store import create_store_engine
from scheduler import SchedulerSettings, proposer_account
from scripts.cli import app, console, err_console, friendly_errors
from scripts.serving import REPLICAS_PARENT_ENV, Role, ServeConfig, UnionServer, load_config, stop_on_signals
from union.chain import connect
from union.contracts import UnionContracts
from union.errors import ConfigurationError, ManifestError, UnionError
from union.manifest import DeploymentManifest
from union.quorum import describe_quorum_rule, quorum_settings_problem, quorum_votes
from union.signers import LOCAL_CHAIN_IDS

__all__ = ["config_app", "config_check", "run_checks", "serve"]

config_app = typer.Typer(help="Check the configuration of `union serve`.")
app.add_typer(config_app, name="config")


ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", envvar="UNION_CONFIG", help="TOML configuration (union.example.toml)")
]


@app.command()
@friendly_errors
def serve(
    role: Annotated[Role, typer.Option("--role", help="what this process runs")] = Role.ALL,
    config: ConfigOption = None,
) -> None:
    """Run the union: the scheduler (indexer + automation), the API and dashboard, and the relay if configured."""
    settings = load_config(config)
    if role is Role.API and settings.api.api_workers > 1:
        _serve_read_replicas(settings)
        return
    server = UnionServer(settings, role)
    with stop_on_signals(server.stop_event), server:
        if server.runs_api:
            server.wait_until_serving()
            console.print(f"API and dashboard on [bold]{server.api_url}[/] (docs: {server.api_url}/docs)")
        if server.runs_scheduler:
            console.print(f"scheduler ({role.value}) on {settings.scheduler.database_url}")
        server.stop_event.wait()
    server.raise_if_failed()
    console.print("stopped cleanly")


def _serve_read_replicas(settings: ServeConfig) -> None:
    """``--role api`` with ``api_workers > 1``: uvicorn's worker processes, each building the read-only app from the
    environment (``scripts.serving.read_replica_app``); the relay needs its one process and is refused here."""
    if settings.relay_enabled:
        raise ConfigurationError(
            "the relay runs in exactly one process: set api_workers = 1 where the relayer key is configured, "
            "and run the extra API workers without it"
        )
    for name, value in settings.api.model_dump(mode="json").items():
        os.environ[f"UNION_{name.upper()}"] = str(value)  # the workers read the same settings
    os.environ[REPLICAS_PARENT_ENV] = str(os.getpid())
    api = settings.api
    console.print(f"read-only API on http://{api.api_host}:{api.api_port} with {api.api_workers} worker processes")
    uvicorn.run(
        "scripts.serving:read_replica_app",
        factory=True,
        host=api.api_host,
        port=api.api_port,
        workers=api.api_workers,
        log_level="warning",
    )
    console.print("stopped cleanly")


# -- config check -------------------------------------------------------------------------------------------------


@dataclass
class CheckReport:
    """Each check's outcome, printed as it runs."""

    failures: int = 0

    def ok(self, what: str, detail: str = "") -> None:
        console.print(f"[green]ok[/]   {what}" + (f" — {detail}" if detail else ""), highlight=False)

    def fail(self, what: str, why: str) -> None:
        self.failures += 1
        err_console.print(f"[bold red]FAIL[/] {what}: {why}", highlight=False)


def run_checks(config: ServeConfig, role: Role) -> CheckReport:
    """Every check ``union serve --role ROLE`` depends on, each reported; nothing is written anywhere."""
    report = CheckReport()
    settings = config.scheduler
    manifest: DeploymentManifest | None = None
    try:
        manifest = DeploymentManifest.load(settings.manifest)
        if not manifest.complete:
            report.fail("manifest", f"{settings.manifest} records an incomplete deployment; re-run `union deploy`")
        else:
            report.ok("manifest", f"{settings.manifest} (chain {manifest.chain_id})")
    except ManifestError as exc:
        report.fail("manifest", str(exc))
    w3: Web3 | None = None
    try:
        w3 = connect(settings.rpc_url, expected_chain_id=settings.chain_id, timeout=settings.rpc_timeout)
        chain_id = w3.eth.chain_id
        if manifest is not None and manifest.chain_id != chain_id:
            report.fail(
                "rpc", f"{settings.rpc_url} serves chain {chain_id}, the manifest is for chain {manifest.chain_id}"
            )
            w3 = None
        else:
            report.ok("rpc", f"{settings.rpc_url} (chain {chain_id}, block {w3.eth.block_number})")
    except UnionError as exc:
        report.fail("rpc", str(exc))
    contracts: UnionContracts | None = None
    if w3 is not None and manifest is not None:
        missing = [
            name for name, deployed in manifest.contracts.items() if not w3.eth.get_code(manifest.address_of(name))
        ]
        if missing:
            report.fail("contracts", f"no code at the manifest's address of {', '.join(sorted(missing))}")
        else:
            contracts = UnionContracts.from_manifest(w3, manifest)
            report.ok("contracts", f"{len(manifest.contracts)} contracts have code")
    if contracts is not None and manifest is not None:
        _check_quorum(report, manifest, contracts)
    for label, url in (("database", settings.database_url), ("api database", config.api.database_url)):
        if label == "api database" and url == settings.database_url:
            continue
        try:
            engine = create_store_engine(url)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            report.ok(label, url.split("@")[-1])
        except Exception as exc:  # any driver error: the message says what (host, auth, path)
            report.fail(label, f"cannot open {url.split('@')[-1]}: {exc}")
    if role in (Role.ALL, Role.SCHEDULER):
        _check_proposer(report, settings, manifest, contracts)
    if role in (Role.ALL, Role.API) and config.relay_enabled:
        _check_relayer(report, config, manifest, w3)
    return report


def _check_quorum(report: CheckReport, manifest: DeploymentManifest, contracts: UnionContracts) -> None:
    """The quorum the governor applies now, read from the chain: governance may have changed the deployed one."""
    governor = contracts.governor.functions
    try:
        percent = int(governor.quorumNumerator().call())
        minimum = int(governor.minQuorum().call())
    except Exception as exc:  # a governor from before DESIGN.md §8 has no minQuorum(): its quorum rounds down to 0
        report.fail("quorum", f"cannot read the governor's quorum settings ({exc}); it may predate the minimum quorum")
        return
    test_union = manifest.parameters.local_test_union
    if test_union and manifest.chain_id not in LOCAL_CHAIN_IDS:
        report.fail("quorum", f"the manifest marks a local test union on chain {manifest.chain_id}, not a local chain")
        return
    problem = quorum_settings_problem(percent, minimum, local_test_union=test_union)
    if problem is not None:
        report.fail("quorum", f"the governor's quorum now: {problem} — change it by a vote (`union propose quorum`)")
        return
    members = int(contracts.membership.functions.memberCount().call())
    report.ok(
        "quorum",
        f"{describe_quorum_rule(percent, minimum)}: a proposal made now needs "
        f"{quorum_votes(members, percent, minimum)} of the {members} members"
        + (" (a local test union)" if test_union else ""),
    )


def _check_proposer(
    report: CheckReport,
    settings: SchedulerSettings,
    manifest: DeploymentManifest | None,
    contracts: UnionContracts | None,
) -> None:
    if settings.keystore is None and settings.private_key is None:
        report.ok("proposer", "none configured: the scheduler will verify and reconcile, never propose")
        return
    try:
        account = proposer_account(settings, manifest.chain_id if manifest else settings.chain_id or 0)
    except UnionError as exc:
        report.fail("proposer key", str(exc))
        return
    if account is None:
        return
    report.ok("proposer key", account.address)
    if contracts is None:
        return
    if not bool(contracts.membership.functions.isMember(account.address).call()):
        report.fail("proposer", f"{account.address} is not a member: only members may propose (DESIGN §2)")
    else:
        balance = contracts.membership.w3.eth.get_balance(account.address)
        report.ok("proposer", f"{account.address} is a member and holds {Web3.from_wei(balance, 'ether')} ETH for gas")


def _check_relayer(
    report: CheckReport, config: ServeConfig, manifest: DeploymentManifest | None, w3: Web3 | None
) -> None:
    try:
        account = relayer_account(config.relay, manifest.chain_id if manifest else config.relay.chain_id or 0)
    except UnionError as exc:
        report.fail("relayer key", str(exc))
        return
    if w3 is None:
        report.ok("relayer key", account.address)
        return
    balance = w3.eth.get_balance(account.address)
    floor = config.relay.relay_balance_floor_wei
    if balance < floor:
        report.fail("relayer", f"{account.address} holds {balance} wei, below the floor of {floor}: fund it")
    else:
        report.ok("relayer", f"{account.address} holds {Web3.from_wei(balance, 'ether')} ETH")


@config_app.command("check")
@friendly_errors
def config_check(
    role: Annotated[Role, typer.Option("--role", help="check what this role needs")] = Role.ALL,
    config: ConfigOption = None,
) -> None:
    """Check the configuration: manifest, RPC node, contracts, database, keys, membership; exit 0 if all good."""
    try:
        settings = load_config(config)
    except UnionError as exc:
        err_console.print(f"[bold red]FAIL[/] configuration: {exc}", highlight=False)
        raise typer.Exit(1) from None
    report = run_checks(settings, role)
    if report.failures:
        err_console.print(f"{report.failures} problem(s) found", highlight=False)
        raise typer.Exit(1)
    console.print("all good")
