"""The services of ``union serve`` and ``union demo``, wired: configuration, the scheduler's jobs, and one process's
scheduler, API and relay started in threads and stopped cleanly (a library for the two commands; no CLI here).

Configuration precedence: the caller's overrides, then the environment (``UNION_*``), then the TOML file
(``--config``, sections flattened, see ``union.example.toml``), then ``.env``, then the defaults.
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
from typing import Any, Final, TypeVar

import uvicorn
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from web3 import Web3

from api.app import app_from_environment, create_app
from api.context import EpochSchedule
from api.relay import RelaySettings, open_relay
from api.settings import ApiSettings
from indexer.service import build_follower
from indexer.store import Store, create_store_engine
from scheduler import AlarmBoard, SchedulerService, SchedulerSettings, UnionJobs, proposer_account
from scheduler.jobs import IndependentCheck
from treasury.plan import Plan
from treasury.verify import verify_union
from union.chain import connect
from union.children import die_with_parent
from union.errors import ConfigurationError, ServiceFailedError
from union.manifest import DeploymentManifest
from union.types import ProposalId

__all__ = [
    "REPLICAS_PARENT_ENV",
    "Role",
    "ServeConfig",
    "ServiceFailure",
    "UnionServer",
    "build_jobs",
    "known_settings",
    "load_config",
    "read_replica_app",
    "read_toml",
    "rpc_independent_check",
    "stop_on_signals",
]

logger = logging.getLogger(__name__)

_S = TypeVar("_S", bound=BaseSettings)


class Role(StrEnum):
    """What one ``union serve`` process runs."""

    ALL = "all"
    INDEXER = "indexer"
    SCHEDULER = "scheduler"
    API = "api"


_SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (SchedulerSettings, ApiSettings, RelaySettings)


def known_settings() -> set[str]:
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
    unknown = sorted(set(flat) - known_settings())
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


@dataclass(frozen=True)
class ServiceFailure:
    """A service of the process that stopped without being asked to: which one, and why."""

    service: str
    reason: str

    def __str__(self) -> str:
        return f"the {self.service} service died: {self.reason}"


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


@dataclass
class UnionServer:
    """The services of one process, started in threads and stopped in order (scheduler, then API).

    The services live and die together: when one stops without being asked to (an exception, or a return), the
    failure is logged with the service's name and the others are told to stop, so the process never runs on half
    alive; its command then exits non-zero (see :meth:`raise_if_failed`) and a supervisor restarts it.
    """

    config: ServeConfig
    role: Role = Role.ALL
    proposer: LocalAccount | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _uvicorn: uvicorn.Server | None = None
    _exit: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    store: Store | None = None
    jobs: UnionJobs | None = None
    failures: list[ServiceFailure] = field(default_factory=list)

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
        def supervised() -> None:
            try:
                target()
            except BaseException as exc:
                self._failed(ServiceFailure(name, _reason(exc)), exc)
            else:
                if not self.stop_event.is_set():
                    self._failed(ServiceFailure(name, "it stopped without being asked to"), None)

        thread = threading.Thread(target=supervised, name=f"union-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _failed(self, failure: ServiceFailure, exc: BaseException | None) -> None:
        logger.critical("%s; stopping the union's other services", failure, exc_info=exc)
        self.failures.append(failure)
        self.stop_event.set()
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True

    def raise_if_failed(self, grace: float = 0.0) -> None:
        """Raise :class:`ServiceFailedError` naming the first service that died, if one did; wait up to ``grace``
        seconds for one that is dying to say so (when something else failed meanwhile, e.g. a refused connection)."""
        if grace > 0:
            self.stop_event.wait(grace)
        if self.failures:
            others = f" (and {len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
            raise ServiceFailedError(f"{self.failures[0]}{others}; the union's other services were stopped")

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
            raise ServiceFailedError(
                f"the API did not start on {self.api_url}" + (f": {self.failures[0]}" if self.failures else "")
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


REPLICAS_PARENT_ENV: Final = "UNION_REPLICAS_PARENT_PID"
"""Set by ``union serve`` for its uvicorn workers: the process they must die with."""


def read_replica_app() -> FastAPI:
    """The app of one uvicorn worker of ``union serve --role api`` with ``api_workers > 1`` (read side, settings from
    the environment), in a worker that dies with its ``union serve`` even if that is killed outright — also when
    that happens before this worker got here (hence the parent's pid from the environment, not ``getppid()``)."""
    die_with_parent(int(os.environ.get(REPLICAS_PARENT_ENV, os.getppid())))
    return app_from_environment()


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
