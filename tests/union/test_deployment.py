"""`union deploy`: deploys, wires, renounces, verifies; resumes after an interruption; fails clearly and writes
nothing half-way for an unreachable node, the wrong chain, an account without funds, or a wrong password."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from typer.testing import CliRunner

from scripts.cli import app
from union.chain import AnvilProcess, TransactionSender, connect
from union.contracts import load_abi
from union.deployment import DeployConfig, deploy_union, deployment_parameters, load_deploy_config, verify_wiring
from union.errors import (
    ChainIdMismatchError,
    DeploymentError,
    InsufficientFundsError,
    RpcUnavailableError,
    WrongPasswordError,
)
from union.localnet import LocalAccounts, local_deploy_config
from union.manifest import DeploymentManifest
from union.signers import create_keystore, load_keystore

DEPLOY_STEPS = 5


@pytest.fixture
def fresh_anvil(tmp_path: Path) -> Iterator[AnvilProcess]:
    with AnvilProcess(log_path=tmp_path / "anvil.log") as anvil:
        yield anvil


class InterruptingSender(TransactionSender):
    """Sends ``budget`` transactions, then fails as a killed process or a dropped connection would."""

    budget: int = 0

    def transact(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.budget <= 0:
            raise RpcUnavailableError("connection dropped (simulated)")
        self.budget -= 1
        return super().transact(*args, **kwargs)


def _deploy_transactions(manifest: DeploymentManifest) -> set[str]:
    return {contract.transaction_hash for contract in manifest.contracts.values()}


def test_deploy_wires_every_role_and_renounces_the_deployer(fresh_anvil: AnvilProcess, tmp_path: Path) -> None:
    accounts = LocalAccounts.default()
    w3 = fresh_anvil.web3()
    report = deploy_union(w3, accounts.deployer, local_deploy_config(accounts), tmp_path / "manifest.json")
    manifest = DeploymentManifest.load(tmp_path / "manifest.json")
    assert manifest.complete
    assert set(manifest.contracts) == {
        "UnionMembership",
        "ContributionLedger",
        "TimelockController",
        "UnionGovernor",
        "UnionTreasury",
        "DividendDistributor",
    }
    assert manifest.chain_id == 31337
    assert manifest.deployment_block >= 1
    assert verify_wiring(w3, manifest) == []
    assert len([s for s in report.sent if s.name.startswith("deploy ")]) == DEPLOY_STEPS
    governor = w3.eth.contract(address=manifest.address_of("UnionGovernor"), abi=load_abi("UnionGovernor"))
    assert (manifest.parameters.min_quorum, governor.functions.minQuorum().call()) == (3, 3)
    assert manifest.parameters.local_test_union is False


def test_resume_after_interruption_deploys_nothing_twice(fresh_anvil: AnvilProcess, tmp_path: Path) -> None:
    accounts = LocalAccounts.default()
    w3 = fresh_anvil.web3()
    config = local_deploy_config(accounts)
    path = tmp_path / "manifest.json"
    sender = InterruptingSender(w3, accounts.deployer)
    sender.budget = 3
    with pytest.raises(RpcUnavailableError):
        deploy_union(w3, accounts.deployer, config, path, sender=sender)
    partial = DeploymentManifest.load(path)
    assert not partial.complete
    assert len(partial.contracts) == 3

    report = deploy_union(w3, accounts.deployer, config, path)
    final = DeploymentManifest.load(path)
    assert final.complete
    for name, contract in partial.contracts.items():
        assert final.contracts[name] == contract, f"{name} was deployed again"
    assert [s.name for s in report.steps if s.status == "already done"][:3] == [
        "deploy UnionMembership",
        "deploy ContributionLedger",
        "deploy TimelockController",
    ]
    # A third run finds everything in place and sends nothing.
    assert deploy_union(w3, accounts.deployer, config, path).sent == []


def test_interruption_after_sending_finds_the_transaction_instead_of_resending(
    fresh_anvil: AnvilProcess, tmp_path: Path
) -> None:
    """The transaction hash is recorded before the wait: a crash while waiting resumes from that transaction."""
    accounts = LocalAccounts.default()
    w3 = fresh_anvil.web3()
    path = tmp_path / "manifest.json"

    class CrashWhileWaiting(TransactionSender):
        def _send(self, transaction, on_sent=None):  # type: ignore[no-untyped-def]
            signed = self.account.sign_transaction(transaction)
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            assert on_sent is not None
            on_sent("0x" + bytes(tx_hash).hex())
            raise RpcUnavailableError("killed while waiting for the receipt (simulated)")

    with pytest.raises(RpcUnavailableError):
        deploy_union(
            w3, accounts.deployer, local_deploy_config(accounts), path, sender=CrashWhileWaiting(w3, accounts.deployer)
        )
    assert "deploy UnionMembership" in DeploymentManifest.load(path).step_transactions
    deploy_union(w3, accounts.deployer, local_deploy_config(accounts), path)
    final = DeploymentManifest.load(path)
    assert final.contracts["UnionMembership"].transaction_hash == final.step_transactions["deploy UnionMembership"]
    assert w3.eth.get_transaction_count(accounts.deployer.address) == len(final.step_transactions)


def test_unreachable_rpc_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(RpcUnavailableError, match="cannot reach the RPC node"):
        connect("http://127.0.0.1:9", timeout=2)


def test_manifest_of_another_chain_is_refused_and_left_untouched(fresh_anvil: AnvilProcess, tmp_path: Path) -> None:
    accounts = LocalAccounts.default()
    path = tmp_path / "manifest.json"
    manifest = DeploymentManifest(
        chain_id=10,
        deployer=accounts.deployer.address,
        compiler_version="0.8.37",
        parameters=deployment_parameters(local_deploy_config(accounts), 1_700_000_000),
    )
    manifest.save(path)
    before = path.read_bytes()
    with pytest.raises(ChainIdMismatchError, match="chain 10"):
        deploy_union(fresh_anvil.web3(), accounts.deployer, local_deploy_config(accounts), path)
    assert path.read_bytes() == before


def test_insufficient_funds_fails_before_anything_is_sent(fresh_anvil: AnvilProcess, tmp_path: Path) -> None:
    pauper = Account.create()
    accounts = LocalAccounts.default()
    w3 = fresh_anvil.web3()
    with pytest.raises(InsufficientFundsError):
        deploy_union(w3, pauper, local_deploy_config(accounts), tmp_path / "manifest.json")
    assert not (tmp_path / "manifest.json").exists()
    assert w3.eth.get_transaction_count(pauper.address) == 0


def test_wrong_password_is_named(tmp_path: Path) -> None:
    create_keystore(tmp_path / "key.json", "correct horse")
    with pytest.raises(WrongPasswordError, match="wrong password"):
        load_keystore(tmp_path / "key.json", "battery staple")


def test_verify_wiring_names_every_difference(fresh_anvil: AnvilProcess, tmp_path: Path) -> None:
    accounts = LocalAccounts.default()
    w3 = fresh_anvil.web3()
    deploy_union(w3, accounts.deployer, local_deploy_config(accounts), tmp_path / "manifest.json")
    manifest = DeploymentManifest.load(tmp_path / "manifest.json")
    tampered = manifest.model_copy(
        update={
            "parameters": manifest.parameters.model_copy(
                update={"timelock_delay": 1, "quorum_percent": 99, "min_quorum": 7}
            )
        }
    )
    problems = verify_wiring(w3, tampered)
    assert any("timelock min delay" in p for p in problems)
    assert any("quorum numerator" in p for p in problems)
    assert "governor minimum quorum: expected 7, the chain says 3" in problems
    tampered.complete = False
    tampered.save(tmp_path / "tampered.json")
    with pytest.raises(DeploymentError, match="differs"):
        deploy_union(w3, accounts.deployer, local_deploy_config(accounts), tmp_path / "tampered.json")
    assert not DeploymentManifest.load(tmp_path / "tampered.json").complete


def test_cli_deploys_from_a_keystore_and_dry_run_sends_nothing(fresh_anvil: AnvilProcess, tmp_path: Path) -> None:
    accounts = LocalAccounts.default()
    keystore = tmp_path / "deployer.json"
    create_keystore(keystore, "pw", accounts.deployer.key)
    (tmp_path / "password").write_text("pw\n")
    config = tmp_path / "deploy.toml"
    config.write_text(_toml(accounts))
    manifest = tmp_path / "manifest.json"
    common = ["deploy", "--config", str(config), "--manifest", str(manifest), "--rpc-url", fresh_anvil.rpc_url]
    common += ["--keystore", str(keystore), "--password-file", str(tmp_path / "password")]
    runner = CliRunner()

    dry = runner.invoke(app, [*common, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would send" in dry.output
    assert not manifest.exists()
    assert fresh_anvil.web3().eth.get_transaction_count(accounts.deployer.address) == 0

    result = runner.invoke(app, common)
    assert result.exit_code == 0, result.output
    assert json.loads(manifest.read_text())["complete"] is True

    (tmp_path / "password").write_text("wrong\n")
    wrong = runner.invoke(app, common)
    assert wrong.exit_code == 1
    assert "wrong password" in wrong.output


def _quorum_refusal(**governance: int) -> str:
    """The error a deployment config with these governance settings gets (a real union: not a local test union)."""
    config = local_deploy_config(LocalAccounts.default()).model_dump()
    config["governance"] |= governance
    with pytest.raises(ValueError, match="quorum") as refused:
        DeployConfig.model_validate(config)
    return str(refused.value)


def test_config_refuses_a_quorum_that_one_member_could_meet_and_says_why() -> None:
    lone = _quorum_refusal(quorum_percent=10, min_quorum=1)
    assert "min_quorum = 1 is below 2" in lone
    assert "in a union of 2 to 10 members one member alone could pass a proposal" in lone
    no_percent = _quorum_refusal(quorum_percent=0, min_quorum=3)
    assert "quorum_percent = 0 is outside 1–100" in no_percent
    assert "pass proposals on 3 votes" in no_percent
    assert "min_quorum" in _quorum_refusal(min_quorum=0)
    assert "quorum_percent" in _quorum_refusal(quorum_percent=101)


def test_config_accepts_a_real_quorum_and_a_local_test_union_anything_the_governor_takes() -> None:
    accounts = LocalAccounts.default()
    assert local_deploy_config(accounts).governance.min_quorum == 3
    assert local_deploy_config(accounts, quorum_percent=1, min_quorum=2).governance.quorum_percent == 1
    lenient = local_deploy_config(accounts, quorum_percent=0, min_quorum=1, local_test_union=True)
    assert deployment_parameters(lenient, 0).local_test_union is True
    with pytest.raises(ValueError, match="min_quorum\n  Input should be greater than or equal to 1"):
        local_deploy_config(accounts, min_quorum=0, local_test_union=True)


def test_example_config_loads_with_the_default_minimum_quorum() -> None:
    config = load_deploy_config(Path(__file__).parents[2] / "deploy.example.toml")
    assert (config.governance.quorum_percent, config.governance.min_quorum) == (10, 3)
    assert config.local_test_union is False


def test_local_test_union_is_refused_on_a_chain_that_is_not_local(tmp_path: Path) -> None:
    accounts = LocalAccounts.default()
    config = local_deploy_config(accounts, min_quorum=1, local_test_union=True)
    with AnvilProcess(log_path=tmp_path / "anvil.log", chain_id=100) as gnosis_like:
        w3 = gnosis_like.web3()
        with pytest.raises(DeploymentError, match="chain 100 is not a local chain"):
            deploy_union(w3, accounts.deployer, config, tmp_path / "manifest.json")
        assert w3.eth.get_transaction_count(accounts.deployer.address) == 0
    assert not (tmp_path / "manifest.json").exists()


def test_cli_refuses_a_lone_member_quorum_before_sending_anything(fresh_anvil: AnvilProcess, tmp_path: Path) -> None:
    accounts = LocalAccounts.default()
    config = tmp_path / "deploy.toml"
    config.write_text(_toml(accounts).replace("quorum_percent = 20", "quorum_percent = 20\nmin_quorum = 1"))
    manifest = tmp_path / "manifest.json"
    result = CliRunner().invoke(
        app,
        [
            *("deploy", "--config", str(config), "--manifest", str(manifest), "--rpc-url", fresh_anvil.rpc_url),
            *("--private-key", accounts.deployer.key.hex()),
        ],
    )
    assert result.exit_code == 1
    assert "one member alone could pass a proposal" in " ".join(result.output.split())
    assert not manifest.exists()
    assert fresh_anvil.web3().eth.get_transaction_count(accounts.deployer.address) == 0


def _toml(accounts: LocalAccounts) -> str:
    return f"""
union_name = "Test Union"
membership_symbol = "TU"
purposes = ["ai-training"]
[epoch]
length = 3600
grace = 600
[governance]
voting_delay = 1
voting_period = 600
quorum_percent = 20
late_quorum_extension = 60
timelock_delay = 60
guardian = "{accounts.guardian.address.lower()}"
[roles]
admissions = ["{accounts.steward.address}"]
recorders = ["{accounts.steward.address}"]
[policy]
reserve_bps = 1000
operations_bps = 500
floor_bps = 2000
cap_bps = 0
operations_account = "{accounts.operations.address}"
"""
