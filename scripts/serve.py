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

import contextlib
import logging
import os
import signal
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from eth_account.signers.local import LocalAccount
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from sqlalchemy import text
from web3 import Web3

from api.app import create_app
from api.context import EpochSchedule
from api.relay import RelaySettings, open_relay, relayer_account
from api.settings import ApiSettings
from indexer.service import build_follower
from indexer.store import Store, create_store_engine
from scheduler import AlarmBoard, SchedulerService, SchedulerSettings, UnionJobs, proposer_account
from scheduler.jobs import IndependentCheck
from scripts.cli import app, console, err_console, friendly_errors
from treasury.plan import Plan
from treasury.verify import verify_union
from union.chain import connect
from union.contracts import UnionContracts
from union.errors import ConfigurationError, ManifestError, UnionError
from union.manifest import DeploymentManifest
from union.types import ProposalId

__all__ = ["Role", "ServeConfig", "UnionServer", "config_app", "load_config"]

logger = logging.getLogger(__name__)

config_app = typer.Typer(help="Check the configuration of `union serve`.")
app.add_typer(config_app, name="config")


_S = TypeVar("_S", bound=BaseSettings)


class Role(StrEnum):
    """What one ``union serve`` process runs."""

    ALL = "all"
    INDEXER = "indexer"
    SCHEDULER = "scheduler"
    API = "api"


_SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (SchedulerSettings, ApiSettings, RelaySettings)


def _known_fields() -> set[str]:
    return {name for cls in _SETTINGS_CLASSES for name in cls.model_fields}


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML file's settings, sections flattened (``[chain] rpc_url`` → ``rpc_url``); unknown keys are refused."""
    try:
        document = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigurationError(f"no configuration file at {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path} is not valid TOML: {exc}") from exc
    flat: dict[str, Any] = {}
    for key, value in document.items():
        items = value.items() if isinstance(value, dict) else [(key, value)]
        for name, item in items:
            if name in flat:
                raise ConfigurationError(f"{path}: {name} is set twice")
            flat[name] = item
    unknown = sorted(set(flat) - _known_fields())
    if unknown:
        raise ConfigurationError(f"{path}: unknown settings {', '.join(unknown)} (see union.example.toml)")
    return flat


@dataclass(frozen=True)
class ServeConfig:
    """The settings of every service of one process, read once."""

    scheduler: SchedulerSettings
    api: ApiSettings
    relay: RelaySettings

    @property
    def relay_enabled(self) -> bool:
        return self.relay.relay_keystore is not None or self.relay.relay_private_key is not None


def load_config(path: Path | None, overrides: Mapping[str, Any] | None = None) -> ServeConfig:
    """Settings from ``overrides`` (the caller's), then the environment, then the TOML file, then ``.env``."""
    values = read_toml(path) if path is not None else {}
    values = {name: value for name, value in values.items() if f"UNION_{name.upper()}" not in os.environ}
    values |= dict(overrides or {})

    def build(cls: type[_S]) -> _S:
        try:
            return cls(**{name: value for name, value in values.items() if name in cls.model_fields})
        except ValidationError as exc:
            raise ConfigurationError(f"invalid configuration:\n{exc}") from exc

    return ServeConfig(build(SchedulerSettings), build(ApiSettings), build(RelaySettings))


def _connect(settings: SchedulerSettings, manifest: DeploymentManifest) -> Web3:
    return connect(
        settings.rpc_url, expected_chain_id=settings.chain_id or manifest.chain_id, timeout=settings.rpc_timeout
    )


def rpc_independent_check(w3: Web3, manifest: DeploymentManifest, confirmations: int) -> IndependentCheck:
    """Verify a distribution proposal from the RPC node alone (``treasury.verify``), never from the store."""

    def check(proposal_id: ProposalId, published: Plan | None) -> list[str]:
        report = verify_union(
            w3,
            manifest,
            proposal_id=proposal_id,
            documents=[(published, "the store")] if published is not None else (),
            fetch_documents=False,
            confirmations=confirmations,
        )
        differences = list(report.problems)
        for checked in report.rounds:
            differences.extend(checked.differences)
            differences.extend(
                f"{row.check}: expected {row.expected}, proposed {row.on_chain}" for row in checked.checks if not row.ok
            )
        return differences

    return check


def build_jobs(settings: SchedulerSettings, store: Store, *, proposer: LocalAccount | None = None) -> UnionJobs:
    """The scheduler's jobs for the configured deployment (the proposer must be a member: refused otherwise)."""
    manifest = DeploymentManifest.load(settings.manifest)
    w3 = _connect(settings, manifest)
    follower = build_follower(settings, manifest, store=store)
    account = proposer if proposer is not None else proposer_account(settings, manifest.chain_id)
    jobs = UnionJobs(
        w3,
        manifest,
        store,
        follower,
        AlarmBoard(store.engine),
        proposer=account,
        confirmations=settings.confirmations,
        public_url=settings.public_url,
        independent_check=rpc_independent_check(w3, manifest, settings.confirmations),
    )
    if account is not None:
        jobs.check_proposer()
    else:
        logger.warning("no proposing key (UNION_KEYSTORE): the scheduler verifies and reconciles but never proposes")
    return jobs


@dataclass
class UnionServer:
    """The services of one process, started in threads and stopped in order (scheduler, then API)."""

    config: ServeConfig
    role: Role = Role.ALL
    proposer: LocalAccount | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _uvicorn: uvicorn.Server | None = None
    _exit: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    store: Store | None = None
    jobs: UnionJobs | None = None
    errors: list[BaseException] = field(default_factory=list)

    @property
    def runs_scheduler(self) -> bool:
        return self.role in (Role.ALL, Role.SCHEDULER, Role.INDEXER)

    @property
    def runs_api(self) -> bool:
        return self.role in (Role.ALL, Role.API)

    @property
    def api_url(self) -> str:
        return f"http://{self.config.api.api_host}:{self.config.api.api_port}"

    def start(self) -> None:
        """Open the store, build every service of the role and start them; raises on a configuration problem."""
        settings = self.config.scheduler
        if self.runs_scheduler:
            self.store = self._exit.enter_context(_closing_store(Store.open(settings.database_url)))
            self.jobs = build_jobs(settings, self.store, proposer=self.proposer)
            intervals = settings.intervals()
            if self.role is Role.INDEXER:
                intervals = {"follow": settings.follow_interval}
            service = SchedulerService(
                self.jobs,
                self.store.engine,
                intervals,
                job_table=settings.job_table,
                lock_poll_interval=settings.lock_poll_interval,
            )
            self._spawn("scheduler", lambda: service.run(self.stop_event))
        if self.runs_api:
            store = self.store or self._exit.enter_context(
                _closing_store(Store(create_store_engine(self.config.api.database_url)))
            )
            relay = None
            if self.config.relay_enabled:
                relay = self._exit.enter_context(open_relay(self.config.relay))
            application = create_app(self.config.api, store, EpochSchedule.load(self.config.api.manifest), relay=relay)
            server = uvicorn.Server(
                uvicorn.Config(
                    application,
                    host=self.config.api.api_host,
                    port=self.config.api.api_port,
                    log_level="warning",
                    lifespan="off",
                )
            )
            self._uvicorn = server
            self._spawn("api", server.run)

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                target()
            except BaseException as exc:
                logger.exception("the %s service stopped with an error", name)
                self.errors.append(exc)
                self.stop_event.set()

        thread = threading.Thread(target=guarded, name=f"union-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def wait_until_serving(self, timeout: float = 30.0) -> None:
        """Block until uvicorn accepts connections (no-op without the API)."""
        server = self._uvicorn
        if server is None:
            return
        finished = threading.Event()
        deadline = timeout
        while not server.started and not self.stop_event.is_set() and deadline > 0:
            finished.wait(0.05)
            deadline -= 0.05
        if not server.started:
            raise UnionError(
                f"the API did not start on {self.api_url}" + (f": {self.errors[0]}" if self.errors else "")
            )

    def stop(self) -> None:
        """Stop the scheduler (after its running job) and the API (after its open requests), then close the store."""
        self.stop_event.set()
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        for thread in self._threads:
            thread.join(timeout=120)
        self._threads.clear()
        self._exit.close()

    def __enter__(self) -> UnionServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextlib.contextmanager
def _closing_store(store: Store) -> Iterator[Store]:
    try:
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (the services then finish what they are doing) instead of killing the process."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        logger.warning("received %s: stopping after the current work", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


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
    server = UnionServer(settings, role)
    with stop_on_signals(server.stop_event), server:
        if server.runs_api:
            server.wait_until_serving()
            console.print(f"API and dashboard on [bold]{server.api_url}[/] (docs: {server.api_url}/docs)")
        if server.runs_scheduler:
            console.print(f"scheduler ({role.value}) on {settings.scheduler.database_url}")
        server.stop_event.wait()
    if server.errors:
        raise UnionError(f"a service stopped with an error: {server.errors[0]}")
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
