"""Stewards' commands: deploy the union."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from eth_account.signers.local import LocalAccount
from rich.table import Table

from scripts.cli import app, console, friendly_errors
from union.chain import connect
from union.deployment import DeploymentReport, deploy_union, load_deploy_config
from union.errors import ConfigurationError
from union.signers import load_keystore, read_password, signer_from_private_key

RpcUrl = Annotated[str, typer.Option("--rpc-url", envvar="UNION_RPC_URL", help="JSON-RPC endpoint of the chain")]
KeystoreOption = Annotated[
    Path | None, typer.Option("--keystore", envvar="UNION_KEYSTORE", help="encrypted JSON keystore of the signer")
]
PasswordFile = Annotated[
    Path | None,
    typer.Option("--password-file", envvar="UNION_PASSWORD_FILE", help="file with the keystore password (else asked)"),
]
PrivateKey = Annotated[
    str | None,
    typer.Option("--private-key", envvar="UNION_PRIVATE_KEY", help="raw key: local chains only", show_default=False),
]


def load_signer(
    keystore: Path | None, password_file: Path | None, private_key: str | None, chain_id: int
) -> LocalAccount:
    """The signer from a keystore (password from a file or a prompt), or a raw key on a local chain."""
    if keystore is not None and private_key is not None:
        raise ConfigurationError("give either --keystore or --private-key, not both")
    if keystore is not None:
        return load_keystore(keystore, read_password(password_file))
    if private_key is not None:
        return signer_from_private_key(private_key, chain_id)
    raise ConfigurationError("a signer is needed: --keystore FILE (with --password-file or a prompt)")


def print_report(report: DeploymentReport) -> None:
    table = Table(title="deployment steps", show_lines=False)
    table.add_column("step")
    table.add_column("status")
    table.add_column("transaction")
    table.add_column("gas", justify="right")
    for step in report.steps:
        table.add_row(
            step.name, step.status, step.transaction_hash or "", f"{step.gas_used:,}" if step.gas_used else ""
        )
    console.print(table)
    contracts = Table(title=f"the union on chain {report.manifest.chain_id}")
    contracts.add_column("contract")
    contracts.add_column("address")
    contracts.add_column("block", justify="right")
    for name, deployed in report.manifest.contracts.items():
        contracts.add_row(name, deployed.address, str(deployed.block_number))
    console.print(contracts)


@app.command()
@friendly_errors
def deploy(
    config: Annotated[Path, typer.Option("--config", help="deployment configuration (see deploy.example.toml)")],
    manifest: Annotated[Path, typer.Option("--manifest", help="where the deployment manifest is written")],
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show what would be sent; send nothing")] = False,
) -> None:
    """Deploy the union, wire every role, renounce the deployer's powers, verify, and write the manifest.

    Re-running with an existing manifest resumes: what is deployed is not deployed again.
    """
    deploy_config = load_deploy_config(config)
    w3 = connect(rpc_url)
    signer = load_signer(keystore, password_file, private_key, w3.eth.chain_id)
    report = deploy_union(w3, signer, deploy_config, manifest, dry_run=dry_run)
    print_report(report)
    if dry_run:
        console.print("[yellow]dry run: nothing was sent[/]")
    else:
        console.print(f"[green]the union is deployed and its wiring verified[/]; manifest: {manifest}")
