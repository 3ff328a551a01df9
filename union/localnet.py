"""A union on a local anvil chain: the well-known development accounts and a deployment config with short epochs.

Used by ``union demo`` and the tests. Never for a real chain: the keys below are public (anvil's default mnemonic)
and :func:`union.signers.signer_from_private_key` refuses them anywhere but a local chain id.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from union.chain import DEFAULT_ANVIL_MNEMONIC, AnvilProcess
from union.deployment import (
    DeployConfig,
    DeploymentReport,
    EpochConfig,
    GovernanceConfig,
    PolicyConfig,
    RolesConfig,
    deploy_union,
)
from union.manifest import DeploymentManifest
from union.quorum import DEFAULT_MIN_QUORUM

__all__ = ["LocalAccounts", "LocalUnion", "deploy_local_union", "dev_account", "local_deploy_config"]

Account.enable_unaudited_hdwallet_features()


@cache
def dev_account(index: int) -> LocalAccount:
    """The ``index``-th account of anvil's default mnemonic (``m/44'/60'/0'/0/index``)."""
    account: LocalAccount = Account.from_mnemonic(DEFAULT_ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return account


@dataclass(frozen=True)
class LocalAccounts:
    """Who is who on a local chain; members start at index 10 and need no ETH (the relay pays)."""

    deployer: LocalAccount
    steward: LocalAccount  # admissions and recorder roles
    guardian: LocalAccount
    operations: LocalAccount
    relayer: LocalAccount
    buyer: LocalAccount
    second_buyer: LocalAccount

    @classmethod
    def default(cls) -> LocalAccounts:
        return cls(*(dev_account(i) for i in range(7)))

    @staticmethod
    def member(index: int) -> LocalAccount:
        return dev_account(10 + index)


def local_deploy_config(
    accounts: LocalAccounts,
    *,
    epoch_length: int = 3_600,
    grace: int = 600,
    genesis_delay: int = 0,
    voting_delay: int = 1,
    voting_period: int = 600,
    quorum_percent: int = 20,
    min_quorum: int = DEFAULT_MIN_QUORUM,
    timelock_delay: int = 60,
    purposes: tuple[str, ...] = ("ai-training", "medical-research"),
    local_test_union: bool = False,
) -> DeployConfig:
    """A deployment config with short, local timings (anvil's clock is moved forward by the caller).

    The quorum is a real union's (DESIGN.md §8) unless ``local_test_union`` lets a test use a smaller one.
    """
    return DeployConfig(
        union_name="Demo Data Union",
        membership_symbol="DEMO",
        local_test_union=local_test_union,
        purposes=list(purposes),
        epoch=EpochConfig(genesis=None, genesis_delay=genesis_delay, length=epoch_length, grace=grace),
        governance=GovernanceConfig(
            voting_delay=voting_delay,
            voting_period=voting_period,
            quorum_percent=quorum_percent,
            min_quorum=min_quorum,
            late_quorum_extension=60,
            timelock_delay=timelock_delay,
            guardian=accounts.guardian.address,
        ),
        roles=RolesConfig(admissions=[accounts.steward.address], recorders=[accounts.steward.address]),
        policy=PolicyConfig(
            reserve_bps=1_000,
            operations_bps=500,
            floor_bps=2_000,
            cap_bps=0,
            operations_account=accounts.operations.address,
        ),
    )


@dataclass(frozen=True)
class LocalUnion:
    """A deployed union on a running anvil, with the handles a caller needs."""

    anvil: AnvilProcess
    w3: Web3
    accounts: LocalAccounts
    manifest: DeploymentManifest
    manifest_path: Path
    report: DeploymentReport


def deploy_local_union(anvil: AnvilProcess, manifest_path: Path, config: DeployConfig | None = None) -> LocalUnion:
    """Deploy a union on ``anvil`` with :func:`local_deploy_config` (or ``config``)."""
    accounts = LocalAccounts.default()
    w3 = anvil.web3()
    report = deploy_union(w3, accounts.deployer, config or local_deploy_config(accounts), manifest_path)
    return LocalUnion(anvil, w3, accounts, report.manifest, manifest_path, report)
