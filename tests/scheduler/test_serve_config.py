"""``union serve`` configuration and ``union config check``: what is wrong is said, exit 0 only when all is good."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scripts.cli import app
from scripts.serving import load_config
from tests.helpers.driver import UnionDriver
from union.errors import ConfigurationError
from union.localnet import LocalAccounts
from voting.proposals import quorum_proposal

runner = CliRunner()


def _toml(path: Path, **values: object) -> Path:
    lines = ["[chain]"]
    for key, value in values.items():
        lines.append(f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value!r}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_toml_settings_are_read_and_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _toml(tmp_path / "union.toml", rpc_url="http://node:8545", api_port=9000, follow_interval=1.5)
    monkeypatch.setenv("UNION_API_PORT", "9100")
    settings = load_config(config)
    assert settings.scheduler.rpc_url == "http://node:8545"
    assert settings.scheduler.follow_interval == 1.5
    assert settings.api.api_port == 9100


def test_unknown_toml_setting_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown settings rpc_uri"):
        load_config(_toml(tmp_path / "union.toml", rpc_uri="http://node:8545"))


def test_raw_proposer_key_for_a_public_chain_is_refused(tmp_path: Path) -> None:
    key = LocalAccounts.member(0).key.hex()
    with pytest.raises(ConfigurationError, match="local chain only"):
        load_config(_toml(tmp_path / "union.toml", chain_id=100, private_key=key))


def test_config_check_names_the_unreachable_node_and_the_missing_manifest(tmp_path: Path) -> None:
    config = _toml(
        tmp_path / "union.toml",
        rpc_url="http://127.0.0.1:9",
        manifest=str(tmp_path / "missing.json"),
        database_url=f"sqlite:///{tmp_path / 'union.db'}",
    )
    result = runner.invoke(app, ["config", "check", "--config", str(config)])
    assert result.exit_code == 1
    assert "FAIL manifest" in result.output
    assert "no deployment manifest" in result.output
    assert "FAIL rpc" in result.output
    assert "cannot reach the RPC node" in result.output


@pytest.mark.anvil
def test_config_check_passes_with_a_member_key_and_names_a_non_member(union: UnionDriver, tmp_path: Path) -> None:
    member, outsider = LocalAccounts.member(30), LocalAccounts.member(31)
    union.admit([member.address])
    common = {
        "rpc_url": union.anvil.rpc_url,
        "chain_id": 31337,
        "manifest": str(union.union.manifest_path),
        "database_url": f"sqlite:///{tmp_path / 'union.db'}",
    }
    good = _toml(tmp_path / "good.toml", **common, private_key=member.key.hex())
    result = runner.invoke(app, ["config", "check", "--role", "scheduler", "--config", str(good)])
    assert result.exit_code == 0, result.output
    assert "all good" in result.output
    quorum = "ok quorum — 20 % of the members rounded up, at least 3: a proposal made now needs 1 of the 1 members"
    assert quorum in " ".join(result.output.split())
    bad = _toml(tmp_path / "bad.toml", **common, private_key=outsider.key.hex())
    result = runner.invoke(app, ["config", "check", "--role", "scheduler", "--config", str(bad)])
    assert result.exit_code == 1
    assert f"{outsider.address} is not a member" in result.output


def test_config_check_names_a_wrong_keystore_password(tmp_path: Path) -> None:
    from union.signers import create_keystore  # noqa: PLC0415

    keystore = tmp_path / "key.json"
    create_keystore(keystore, "right horse battery")
    (tmp_path / "password").write_text("wrong\n")
    config = _toml(
        tmp_path / "union.toml",
        rpc_url="http://127.0.0.1:9",
        manifest=str(tmp_path / "missing.json"),
        keystore=str(keystore),
        password_file=str(tmp_path / "password"),
    )
    result = runner.invoke(app, ["config", "check", "--role", "scheduler", "--config", str(config)])
    assert result.exit_code == 1
    assert "FAIL proposer key" in result.output
    assert "wrong password" in result.output


def test_the_documented_example_configuration_is_valid_and_complete() -> None:
    from scripts.serving import read_toml  # noqa: PLC0415

    example = Path(__file__).resolve().parents[2] / "union.example.toml"
    documented = read_toml(example)
    settings = load_config(example)
    assert settings.scheduler.database_url == documented["database_url"]
    commented = {
        line.lstrip("# ").split(" ")[0]
        for line in example.read_text().splitlines()
        if line.startswith("# ") and " = " in line
    }
    from scripts.serving import known_settings  # noqa: PLC0415

    assert known_settings() <= set(documented) | commented, "every setting is documented in union.example.toml"


@pytest.mark.anvil
def test_config_check_fails_when_governance_let_one_member_pass_proposals_and_says_why(
    union: UnionDriver, tmp_path: Path
) -> None:
    """The chain accepts a minimum of 1 (a vote decided it); ``config check`` reads it back and refuses it."""
    members = [LocalAccounts.member(index) for index in range(3)]
    union.admit([member.address for member in members])
    union.advance(1)
    lowered = quorum_proposal(union.contracts.governor, quorum_percent=None, min_quorum=1, description="Minimum 1")
    union.pass_proposal(members[0], lowered, members)
    config = _toml(
        tmp_path / "union.toml",
        rpc_url=union.anvil.rpc_url,
        chain_id=31337,
        manifest=str(union.union.manifest_path),
        database_url=f"sqlite:///{tmp_path / 'union.db'}",
    )
    result = runner.invoke(app, ["config", "check", "--role", "api", "--config", str(config)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "FAIL quorum: the governor's quorum now: min_quorum = 1 is below 2" in output
    assert "in a union of 2 to 5 members one member alone could pass a proposal" in output
