"""Steward deployment: deploy the union, wire every role, renounce the deployer's powers, verify, write the manifest.

The deployment is a list of named steps. Each step first looks at the chain (or at a transaction the manifest
recorded before a crash) and does nothing if its effect is already there, so re-running with an existing manifest
resumes: nothing is deployed twice. The manifest is rewritten atomically after every step. At the end the wiring is
read back from the chain and compared with the configuration; any difference fails loudly and leaves the manifest
marked incomplete.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress, HexStr
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from union.chain import TransactionSender, tx_hash_hex
from union.compiler import CompilerOutput, compile_contracts
from union.errors import ChainIdMismatchError, DeploymentError, ManifestError
from union.manifest import Address, DeployedContract, DeploymentManifest, DeploymentParameters
from union.quorum import DEFAULT_MIN_QUORUM, quorum_settings_problem
from union.signers import LOCAL_CHAIN_IDS
from union.types import ZERO_ADDRESS

__all__ = [
    "DeployConfig",
    "DeploymentReport",
    "StepResult",
    "deploy_union",
    "deployment_parameters",
    "load_deploy_config",
    "verify_wiring",
]

logger = logging.getLogger(__name__)

DEFAULT_ADMIN_ROLE: Final = bytes(32)
ADMISSIONS_ROLE: Final = keccak(text="ADMISSIONS_ROLE")
RECORDER_ROLE: Final = keccak(text="RECORDER_ROLE")
PROPOSER_ROLE: Final = keccak(text="PROPOSER_ROLE")
CANCELLER_ROLE: Final = keccak(text="CANCELLER_ROLE")
EXECUTOR_ROLE: Final = keccak(text="EXECUTOR_ROLE")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EpochConfig(_Section):
    genesis: int | None = Field(
        default=None, description="Unix time epoch 1 starts; omitted = the deployment's latest block time + delay"
    )
    genesis_delay: int = Field(default=0, ge=0, description="seconds after deployment when genesis is omitted")
    length: int = Field(gt=0, description="seconds per epoch")
    grace: int = Field(ge=0, description="seconds after an epoch ends during which its entries may still change")


class GovernanceConfig(_Section):
    voting_delay: int = Field(ge=1)
    voting_period: int = Field(gt=0)
    quorum_percent: int = Field(ge=0, le=100, description="of the members at the snapshot, rounded up")
    min_quorum: int = Field(
        default=DEFAULT_MIN_QUORUM, ge=1, description="the fewest votes that pass a proposal (all members if fewer)"
    )
    late_quorum_extension: int = Field(ge=0)
    timelock_delay: int = Field(ge=0)
    guardian: Address


class RolesConfig(_Section):
    admissions: list[Address] = Field(min_length=1)
    recorders: list[Address] = Field(min_length=1)


class PolicyConfig(_Section):
    reserve_bps: int = Field(ge=0, le=10_000)
    operations_bps: int = Field(ge=0, le=10_000)
    floor_bps: int = Field(ge=0, le=10_000)
    cap_bps: int = Field(ge=0, le=10_000)
    operations_account: Address = ZERO_ADDRESS

    @model_validator(mode="after")
    def _consistent(self) -> PolicyConfig:
        if self.reserve_bps + self.operations_bps > 10_000:
            raise ValueError("reserve_bps + operations_bps exceeds 10,000 (100 %)")
        if (self.operations_bps > 0) != (self.operations_account != ZERO_ADDRESS):
            raise ValueError("operations_account must be set exactly when operations_bps > 0")
        return self


class DeployConfig(_Section):
    """``deploy.toml``: everything a deployment needs besides the RPC node and the deployer's key."""

    union_name: str = Field(min_length=1)
    membership_symbol: str = Field(min_length=1)
    local_test_union: bool = Field(
        default=False, description="a union on a local chain for tests: may use quorum settings a real union may not"
    )
    purposes: list[str] = Field(default_factory=list)
    epoch: EpochConfig
    governance: GovernanceConfig
    roles: RolesConfig
    policy: PolicyConfig

    @model_validator(mode="after")
    def _purposes_unique(self) -> DeployConfig:
        if len(set(self.purposes)) != len(self.purposes):
            raise ValueError("purposes must be unique")
        if any(name in {"", "general"} for name in self.purposes):
            raise ValueError("'general' is built in (id zero) and a purpose needs a name")
        return self

    @model_validator(mode="after")
    def _quorum_protects_the_union(self) -> DeployConfig:
        governance = self.governance
        problem = quorum_settings_problem(
            governance.quorum_percent, governance.min_quorum, local_test_union=self.local_test_union
        )
        if problem is not None:
            raise ValueError(problem)
        return self


def load_deploy_config(path: Path) -> DeployConfig:
    """Read and validate ``deploy.toml``; every problem is reported with its field path."""
    try:
        return DeployConfig.model_validate(tomllib.loads(path.read_text()))
    except FileNotFoundError:
        raise DeploymentError(f"no deployment config at {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DeploymentError(f"{path} is not valid TOML: {exc}") from exc
    except ValidationError as exc:
        raise DeploymentError(f"{path} is not a valid deployment config:\n{exc}") from exc


@dataclass(frozen=True, slots=True)
class StepResult:
    """One step of the deployment: what it did (or that it was already done) and its transaction."""

    name: str
    status: str  # "sent", "already done", "would send" (dry run)
    transaction_hash: HexStr | None = None
    gas_used: int | None = None


@dataclass
class DeploymentReport:
    manifest: DeploymentManifest
    steps: list[StepResult] = field(default_factory=list)

    @property
    def sent(self) -> list[StepResult]:
        return [step for step in self.steps if step.status == "sent"]


def deployment_parameters(config: DeployConfig, genesis: int) -> DeploymentParameters:
    """The manifest's record of ``config`` with its genesis resolved."""
    governance, policy = config.governance, config.policy
    return DeploymentParameters(
        union_name=config.union_name,
        membership_symbol=config.membership_symbol,
        local_test_union=config.local_test_union,
        epoch_genesis=genesis,
        epoch_length=config.epoch.length,
        grace_period=config.epoch.grace,
        voting_delay=governance.voting_delay,
        voting_period=governance.voting_period,
        quorum_percent=governance.quorum_percent,
        min_quorum=governance.min_quorum,
        late_quorum_extension=governance.late_quorum_extension,
        timelock_delay=governance.timelock_delay,
        guardian=governance.guardian,
        admissions=list(config.roles.admissions),
        recorders=list(config.roles.recorders),
        purposes=list(config.purposes),
        reserve_bps=policy.reserve_bps,
        operations_bps=policy.operations_bps,
        floor_bps=policy.floor_bps,
        cap_bps=policy.cap_bps,
        operations_account=policy.operations_account,
    )


def _policy_tuple(parameters: DeploymentParameters) -> tuple[int, int, int, int, ChecksumAddress]:
    return (
        parameters.reserve_bps,
        parameters.operations_bps,
        parameters.floor_bps,
        parameters.cap_bps,
        to_checksum_address(parameters.operations_account),
    )


class _Deployer:
    """Runs the steps against one chain with one signer, keeping the manifest current after each."""

    def __init__(
        self,
        w3: Web3,
        sender: TransactionSender,
        manifest: DeploymentManifest,
        manifest_path: Path,
        build: CompilerOutput,
        *,
        dry_run: bool,
    ) -> None:
        self.w3 = w3
        self.sender = sender
        self.manifest = manifest
        self.manifest_path = manifest_path
        self.build = build
        self.dry_run = dry_run
        self.report = DeploymentReport(manifest)

    # -- helpers -------------------------------------------------------------------------------------------------
    def contract(self, name: str) -> Contract:
        return self.w3.eth.contract(address=self.manifest.address_of(name), abi=self.build.get(name).abi)

    def _save(self) -> None:
        if not self.dry_run:
            self.manifest.save(self.manifest_path)

    def _record_pending(self, step: str) -> Callable[[HexStr], None]:
        def record(tx_hash: HexStr) -> None:
            self.manifest.step_transactions[step] = tx_hash
            self._save()

        return record

    def _recover_pending(self, step: str) -> TxReceipt | None:
        """The receipt of a step's transaction sent before an interruption, if it was mined successfully."""
        tx_hash = self.manifest.step_transactions.get(step)
        if tx_hash is None:
            return None
        try:
            receipt = self.w3.eth.get_transaction_receipt(HexStr(tx_hash))
        except Exception:  # web3 raises TransactionNotFound (and node-specific errors) for an unknown hash
            return None
        return receipt if receipt["status"] == 1 else None

    # -- steps ---------------------------------------------------------------------------------------------------
    def deploy(self, name: str, *args: Any) -> None:
        step = f"deploy {name}"
        if name in self.manifest.contracts:
            self.report.steps.append(StepResult(step, "already done"))
            return
        artifact = self.build.get(name)
        receipt = self._recover_pending(step)
        if receipt is None:
            if self.dry_run:
                self.report.steps.append(StepResult(step, "would send"))
                return
            factory = self.w3.eth.contract(abi=artifact.abi, bytecode=HexStr("0x" + artifact.bytecode))
            receipt = self.sender.transact(factory.constructor(*args), on_sent=self._record_pending(step))
        address = receipt["contractAddress"]
        if address is None:
            raise DeploymentError(f"{step}: the receipt has no contract address")
        self.manifest.contracts[name] = DeployedContract(
            address=address,
            transaction_hash=tx_hash_hex(receipt),
            block_number=receipt["blockNumber"],
            artifact_hash=artifact.artifact_hash,
        )
        self.manifest.completed_steps.append(step)
        self._save()
        self.report.steps.append(StepResult(step, "sent", tx_hash_hex(receipt), receipt["gasUsed"]))
        logger.info("deployed", extra={"contract": name, "address": address, "block": receipt["blockNumber"]})

    def transact(self, step: str, done: Callable[[], bool], call: Callable[[], Any]) -> None:
        """Send ``call()`` unless ``done()`` says the chain already shows its effect."""
        if done():
            self.report.steps.append(StepResult(step, "already done"))
            return
        if self.dry_run:
            self.report.steps.append(StepResult(step, "would send"))
            return
        receipt = self.sender.transact(call(), on_sent=self._record_pending(step))
        if step not in self.manifest.completed_steps:
            self.manifest.completed_steps.append(step)
        self._save()
        self.report.steps.append(StepResult(step, "sent", tx_hash_hex(receipt), receipt["gasUsed"]))

    def grant(self, contract_name: str, role: bytes, role_name: str, account: str) -> None:
        contract = self.contract(contract_name)
        self.transact(
            f"{contract_name}.grantRole({role_name}, {account})",
            lambda: bool(contract.functions.hasRole(role, account).call()),
            lambda: contract.functions.grantRole(role, account),
        )

    def renounce_admin(self, contract_name: str) -> None:
        contract = self.contract(contract_name)
        deployer = self.sender.address
        self.transact(
            f"{contract_name}.renounceRole(DEFAULT_ADMIN_ROLE, deployer)",
            lambda: not contract.functions.hasRole(DEFAULT_ADMIN_ROLE, deployer).call(),
            lambda: contract.functions.renounceRole(DEFAULT_ADMIN_ROLE, deployer),
        )


def _resolve_genesis(w3: Web3, config: DeployConfig) -> int:
    if config.epoch.genesis is not None:
        return config.epoch.genesis
    latest = w3.eth.get_block("latest")
    return int(latest["timestamp"]) + config.epoch.genesis_delay


def _run_steps(deployer: _Deployer) -> None:
    parameters = deployer.manifest.parameters
    address = deployer.manifest.address_of
    deployer.deploy("UnionMembership", parameters.union_name, parameters.membership_symbol, deployer.sender.address)
    if deployer.dry_run and "UnionMembership" not in deployer.manifest.contracts:
        return  # later steps need the addresses a real run produces
    deployer.deploy(
        "ContributionLedger",
        address("UnionMembership"),
        parameters.epoch_genesis,
        parameters.epoch_length,
        parameters.grace_period,
        deployer.sender.address,
    )
    deployer.deploy("TimelockController", parameters.timelock_delay, [], [ZERO_ADDRESS], deployer.sender.address)
    deployer.deploy(
        "UnionGovernor",
        address("UnionMembership"),
        address("TimelockController"),
        parameters.voting_delay,
        parameters.voting_period,
        parameters.quorum_percent,
        parameters.min_quorum,
        parameters.late_quorum_extension,
        parameters.guardian,
    )
    deployer.deploy(
        "UnionTreasury",
        address("TimelockController"),
        address("ContributionLedger"),
        address("UnionMembership"),
        _policy_tuple(parameters),
    )
    _record_distributor(deployer)

    membership = deployer.contract("UnionMembership")
    for purpose in parameters.purposes:
        purpose_id = keccak(text=purpose)
        deployer.transact(
            f"UnionMembership.registerPurpose({purpose})",
            lambda purpose_id=purpose_id: bool(membership.functions.isPurpose(purpose_id).call()),  # type: ignore[misc]
            lambda purpose=purpose: membership.functions.registerPurpose(purpose),  # type: ignore[misc]
        )
    for account in parameters.admissions:
        deployer.grant("UnionMembership", ADMISSIONS_ROLE, "ADMISSIONS_ROLE", account)
    for account in parameters.recorders:
        deployer.grant("ContributionLedger", RECORDER_ROLE, "RECORDER_ROLE", account)
    timelock = address("TimelockController")
    governor = address("UnionGovernor")
    deployer.grant("UnionMembership", DEFAULT_ADMIN_ROLE, "DEFAULT_ADMIN_ROLE", timelock)
    deployer.grant("ContributionLedger", DEFAULT_ADMIN_ROLE, "DEFAULT_ADMIN_ROLE", timelock)
    deployer.grant("TimelockController", PROPOSER_ROLE, "PROPOSER_ROLE", governor)
    deployer.grant("TimelockController", CANCELLER_ROLE, "CANCELLER_ROLE", governor)
    # Renouncing last: until here the deployer could still repair a step; after this only governance can act.
    deployer.renounce_admin("UnionMembership")
    deployer.renounce_admin("ContributionLedger")
    deployer.renounce_admin("TimelockController")


def _record_distributor(deployer: _Deployer) -> None:
    """The treasury creates its distributor in its constructor: record it from the same transaction."""
    if "DividendDistributor" in deployer.manifest.contracts or "UnionTreasury" not in deployer.manifest.contracts:
        return
    treasury_entry = deployer.manifest.contracts["UnionTreasury"]
    distributor = deployer.contract("UnionTreasury").functions.distributor().call()
    deployer.manifest.contracts["DividendDistributor"] = DeployedContract(
        address=distributor,
        transaction_hash=treasury_entry.transaction_hash,
        block_number=treasury_entry.block_number,
        artifact_hash=deployer.build.get("DividendDistributor").artifact_hash,
    )
    deployer._save()


def _wiring_checks(w3: Web3, manifest: DeploymentManifest, build: CompilerOutput) -> Iterator[tuple[str, Any, Any]]:
    """(what, expected, actual) for everything the configuration says about the deployed union."""

    def bind(name: str) -> Contract:
        return w3.eth.contract(address=manifest.address_of(name), abi=build.get(name).abi)

    p = manifest.parameters
    deployer = to_checksum_address(manifest.deployer)
    membership, ledger, timelock = bind("UnionMembership"), bind("ContributionLedger"), bind("TimelockController")
    governor, treasury, distributor = bind("UnionGovernor"), bind("UnionTreasury"), bind("DividendDistributor")
    for name in ("UnionMembership", "ContributionLedger", "TimelockController", "UnionGovernor", "UnionTreasury"):
        yield f"{name} has code", True, len(w3.eth.get_code(manifest.address_of(name))) > 0
    timelock_address, governor_address = timelock.address, governor.address

    for contract, name in ((membership, "UnionMembership"), (ledger, "ContributionLedger")):
        yield (
            f"{name}: timelock is admin",
            True,
            contract.functions.hasRole(DEFAULT_ADMIN_ROLE, timelock_address).call(),
        )
        yield f"{name}: deployer is not admin", False, contract.functions.hasRole(DEFAULT_ADMIN_ROLE, deployer).call()
    for account in p.admissions:
        yield f"admissions role of {account}", True, membership.functions.hasRole(ADMISSIONS_ROLE, account).call()
    for account in p.recorders:
        yield f"recorder role of {account}", True, ledger.functions.hasRole(RECORDER_ROLE, account).call()
    for purpose in p.purposes:
        yield f"purpose {purpose!r} registered", True, membership.functions.isPurpose(keccak(text=purpose)).call()

    yield "ledger membership", membership.address, ledger.functions.membership().call()
    yield "ledger genesis", p.epoch_genesis, ledger.functions.genesis().call()
    yield "ledger epoch length", p.epoch_length, ledger.functions.epochLength().call()
    yield "ledger grace period", p.grace_period, ledger.functions.gracePeriod().call()

    yield "timelock min delay", p.timelock_delay, timelock.functions.getMinDelay().call()
    yield "timelock: governor proposes", True, timelock.functions.hasRole(PROPOSER_ROLE, governor_address).call()
    yield "timelock: governor cancels", True, timelock.functions.hasRole(CANCELLER_ROLE, governor_address).call()
    yield "timelock: anyone executes", True, timelock.functions.hasRole(EXECUTOR_ROLE, ZERO_ADDRESS).call()
    yield "timelock: deployer not admin", False, timelock.functions.hasRole(DEFAULT_ADMIN_ROLE, deployer).call()
    yield "timelock: deployer not proposer", False, timelock.functions.hasRole(PROPOSER_ROLE, deployer).call()

    yield "governor token", membership.address, governor.functions.token().call()
    yield "governor timelock", timelock_address, governor.functions.timelock().call()
    yield "governor voting delay", p.voting_delay, governor.functions.votingDelay().call()
    yield "governor voting period", p.voting_period, governor.functions.votingPeriod().call()
    yield "governor quorum numerator", p.quorum_percent, governor.functions.quorumNumerator().call()
    yield "governor minimum quorum", p.min_quorum, governor.functions.minQuorum().call()
    yield "governor late quorum extension", p.late_quorum_extension, governor.functions.lateQuorumVoteExtension().call()
    yield "governor guardian", to_checksum_address(p.guardian), governor.functions.proposalGuardian().call()
    yield "governor proposal threshold", 0, governor.functions.proposalThreshold().call()

    yield "treasury timelock", timelock_address, treasury.functions.timelock().call()
    yield "treasury ledger", ledger.address, treasury.functions.ledger().call()
    yield "treasury membership", membership.address, treasury.functions.membership().call()
    yield "treasury distributor", distributor.address, treasury.functions.distributor().call()
    yield "distributor treasury", treasury.address, distributor.functions.treasury().call()
    yield "treasury policy", list(_policy_tuple(p)), list(treasury.functions.dividendPolicy().call())


def verify_wiring(w3: Web3, manifest: DeploymentManifest, build: CompilerOutput | None = None) -> list[str]:
    """Read the wiring back from the chain; returns every difference from the manifest's parameters (empty = ok)."""
    build = build or compile_contracts()
    problems = []
    for what, expected, actual in _wiring_checks(w3, manifest, build):
        if expected != actual:
            problems.append(f"{what}: expected {expected!r}, the chain says {actual!r}")
    return problems


def _check_quorum_settings(parameters: DeploymentParameters, chain_id: int) -> None:
    """Refuse, before anything is sent, a quorum under which one member could run a real union (DESIGN.md §8)."""
    if parameters.local_test_union and chain_id not in LOCAL_CHAIN_IDS:
        raise DeploymentError(
            f"local_test_union is set, but chain {chain_id} is not a local chain (ids {sorted(LOCAL_CHAIN_IDS)}): "
            "a union with real members gets the quorum rules of a real union; remove local_test_union"
        )
    problem = quorum_settings_problem(
        parameters.quorum_percent, parameters.min_quorum, local_test_union=parameters.local_test_union
    )
    if problem is not None:
        raise DeploymentError(f"refusing to deploy: {problem}")


def deploy_union(
    w3: Web3,
    account: LocalAccount,
    config: DeployConfig,
    manifest_path: Path,
    *,
    dry_run: bool = False,
    sender: TransactionSender | None = None,
) -> DeploymentReport:
    """Deploy (or resume deploying) the union described by ``config``; see the module docstring."""
    build = compile_contracts()
    chain_id = w3.eth.chain_id
    if manifest_path.exists():
        manifest = DeploymentManifest.load(manifest_path)
        if manifest.chain_id != chain_id:
            raise ChainIdMismatchError(
                f"{manifest_path} is a deployment on chain {manifest.chain_id}, but the RPC node serves chain "
                f"{chain_id}; use another --manifest path or the right --rpc-url"
            )
        if to_checksum_address(manifest.deployer) != account.address:
            raise ManifestError(
                f"{manifest_path} was deployed by {manifest.deployer}; resuming needs that key, not {account.address}"
            )
    else:
        manifest = DeploymentManifest(
            chain_id=chain_id,
            deployer=account.address,
            compiler_version=build.solc_version,
            parameters=deployment_parameters(config, _resolve_genesis(w3, config)),
        )
    _check_quorum_settings(manifest.parameters, chain_id)
    deployer = _Deployer(w3, sender or TransactionSender(w3, account), manifest, manifest_path, build, dry_run=dry_run)
    if not manifest.complete:
        _run_steps(deployer)
    if dry_run:
        return deployer.report
    problems = verify_wiring(w3, manifest, build)
    if problems:
        manifest.complete = False
        deployer._save()
        raise DeploymentError("the deployed wiring differs from the configuration:\n- " + "\n- ".join(problems))
    manifest.complete = True
    deployer._save()
    return deployer.report
