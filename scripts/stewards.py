"""Stewards' operations: admit members, record and revoke contributions, propose, and the guardian's cancel.

Thin wiring over :mod:`union.operations`: each command reads its file and checks every line before it connects, then
reads the chain (roles, membership, the ledger's events, the epoch's window) and only then sends, in batches, printing
every transaction as it is mined. A re-run after a failure sends only what is still missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

import typer
from eth_account.signers.local import LocalAccount
from eth_utils import is_hex_address, to_checksum_address
from rich.table import Table
from web3 import Web3

from api.relay.service import purpose_id_of
from scripts.cli import app, console, friendly_errors
from scripts.steward import KeystoreOption, PasswordFile, PrivateKey, RpcUrl, load_signer
from union.chain import TransactionSender, connect
from union.contracts import UnionContracts
from union.errors import PermissionDeniedError, UnionValueError
from union.manifest import DeploymentManifest
from union.operations import (
    ADMISSIONS_PER_TRANSACTION,
    ENTRIES_PER_TRANSACTION,
    SentTransaction,
    admit_members,
    check_policy,
    find_proposal,
    format_timestamp,
    parse_admissions,
    parse_contributions,
    parse_token,
    policy_description,
    prepare_admissions,
    prepare_record,
    prepare_revoke,
    quorum_description,
    record_contributions,
    release_description,
    revoke_entries,
    send_call,
    transfer_description,
)
from union.operations.contributions import RecordPlan
from union.quorum import quorum_settings_problem
from union.rpc import JsonRpcClient
from union.settings import DEFAULT_STATE_DIR
from union.types import ZERO_ADDRESS
from voting.proposals import (
    DividendPolicy,
    ProposalSpec,
    ProposalState,
    dividend_policy_proposal,
    quorum_proposal,
    release_earmark_proposal,
    transfer_proposal,
)

__all__ = ["guardian_app", "propose_app"]

ManifestPath = Annotated[
    Path, typer.Option("--manifest", envvar="UNION_MANIFEST", help="the deployment manifest (union deploy writes it)")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="check everything and show what would be sent; send nothing")]
DEFAULT_MANIFEST: Final = DEFAULT_STATE_DIR / "manifest.json"
_MEMBERS_SHOWN: Final = 25

propose_app = typer.Typer(
    help="Propose a vote (any member may): a dividend policy, a transfer of free funds, or the quorum."
)
guardian_app = typer.Typer(help="The guardian's power: cancel a proposal before it executes (never execute).")
app.add_typer(propose_app, name="propose")
app.add_typer(guardian_app, name="guardian")


# -- plumbing -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Union:
    """What a command needs to read and write the deployed union."""

    manifest: DeploymentManifest
    w3: Web3
    contracts: UnionContracts
    client: JsonRpcClient

    def from_block(self, name: str) -> int:
        """Where a contract's events start (its deployment block)."""
        return self.manifest.contracts[name].block_number if name in self.manifest.contracts else 0


@contextmanager
def _open_union(rpc_url: str, manifest_path: Path) -> Iterator[_Union]:
    manifest = DeploymentManifest.load(manifest_path)
    w3 = connect(rpc_url, expected_chain_id=manifest.chain_id)
    client = JsonRpcClient(rpc_url)
    try:
        yield _Union(manifest, w3, UnionContracts.from_manifest(w3, manifest), client)
    finally:
        client.close()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnionValueError(f"cannot read {path}: {exc}") from exc


def _print_sent(sent: SentTransaction) -> None:
    console.print(
        f"  sent {sent.label}: {sent.transaction_hash} (block {sent.block_number}, gas {sent.gas_used:,})",
        highlight=False,
    )


def _signer(union: _Union, keystore: Path | None, password_file: Path | None, private_key: str | None) -> LocalAccount:
    return load_signer(keystore, password_file, private_key, union.manifest.chain_id)


# -- admissions ---------------------------------------------------------------------------------------------------
@app.command()
@friendly_errors
def admit(
    file: Annotated[
        Path,
        typer.Argument(
            help="one address per line, or a CSV with an address column (header address/member/account, else the "
            "first column); blank lines and lines starting with # are ignored",
            show_default=False,
        ),
    ],
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: ManifestPath = DEFAULT_MANIFEST,
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=200, help="accounts admitted per transaction")
    ] = ADMISSIONS_PER_TRANSACTION,
    dry_run: DryRun = False,
) -> None:
    """Admit the accounts of FILE as members, in batches; current members are skipped and listed.

    Every line is checked first (a malformed or repeated address is reported with its line number and nothing is
    sent). The signer needs the membership's ADMISSIONS_ROLE. Re-running after a failure admits only who is missing.
    """
    rows = parse_admissions(_read(file), str(file))
    with _open_union(rpc_url, manifest) as union:
        signer = _signer(union, keystore, password_file, private_key)
        plan = prepare_admissions(union.client, union.contracts, signer.address, rows)
        for row in plan.already_members:
            console.print(f"  skipped line {row.line}: {row.address} is a member already", highlight=False)
        batches = plan.batches(batch_size)
        console.print(
            f"{file}: {len(rows)} address(es); {len(plan.already_members)} member(s) already; "
            f"{len(plan.to_admit)} to admit in {len(batches)} transaction(s)",
            highlight=False,
        )
        if dry_run:
            console.print("[yellow]dry run: nothing was sent[/]")
            return
        sent = admit_members(
            TransactionSender(union.w3, signer), union.contracts, plan, batch_size=batch_size, on_sent=_print_sent
        )
    console.print(f"[green]admitted {len(plan.to_admit)} member(s)[/] in {len(sent)} transaction(s)")


# -- contributions ------------------------------------------------------------------------------------------------
def _print_record_plan(plan: RecordPlan, rows: int, batch_size: int) -> None:
    by_member = plan.units_by_member
    console.print(
        f"epoch {plan.epoch}: {rows} row(s); {len(plan.already_recorded)} already on chain (skipped); "
        f"{len(plan.to_record)} entries to record for {len(by_member)} member(s), {plan.total_units:,} units, "
        f"in {len(plan.batches(batch_size))} transaction(s)",
        highlight=False,
    )
    for row, entry in plan.unit_mismatches:
        console.print(
            f"  [yellow]note[/]: line {row.line} says {row.units} units, but entry {entry.entry_id} on chain has "
            f"{entry.units}; it is skipped (same member and evidence) — revoke the entry and re-run to correct it",
            highlight=False,
        )
    if not by_member:
        return
    table = Table(title=f"units to record per member (epoch {plan.epoch})")
    table.add_column("member")
    table.add_column("entries", justify="right")
    table.add_column("units", justify="right")
    entries: dict[str, int] = {}
    for row in plan.to_record:
        entries[row.member] = entries.get(row.member, 0) + 1
    ranked = sorted(by_member.items(), key=lambda item: (-item[1], item[0]))
    for member, units in ranked[:_MEMBERS_SHOWN]:
        table.add_row(member, str(entries[member]), f"{units:,}")
    if len(ranked) > _MEMBERS_SHOWN:
        rest = ranked[_MEMBERS_SHOWN:]
        table.add_row(
            f"… {len(rest)} more member(s)",
            str(sum(entries[member] for member, _ in rest)),
            f"{sum(units for _, units in rest):,}",
        )
    console.print(table)


@app.command()
@friendly_errors
def record(
    epoch: Annotated[int, typer.Argument(min=1, help="the epoch the contributions belong to (from 1)")],
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV of address, units, evidence (or those columns in any order under a header row). Evidence is "
            "either a 0x 32-byte hash (0x and 64 hex digits), used as it is, or any other text, which is hashed with "
            "keccak256 of its UTF-8 bytes; a 0x value of another length is refused",
            show_default=False,
        ),
    ],
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: ManifestPath = DEFAULT_MANIFEST,
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=ENTRIES_PER_TRANSACTION, help="entries per transaction")
    ] = ENTRIES_PER_TRANSACTION,
    dry_run: DryRun = False,
) -> None:
    """Record the contributions of FILE in EPOCH, at most 500 entries a transaction.

    Every row is checked first (address, whole positive units, evidence, the same member and evidence twice, members
    only) and a bad row is reported with its line number before anything is sent. While EPOCH or its grace window is
    open, a row is skipped when a live entry of EPOCH has the same member and evidence (not revoked in EPOCH), so a
    re-run after a failure records nothing twice; a row whose entry was revoked is recorded again (remove the row
    to keep it out). Refuses when the window is not open yet or closed. The signer needs the ledger's RECORDER_ROLE.
    """
    rows = parse_contributions(_read(file), str(file))
    with _open_union(rpc_url, manifest) as union:
        signer = _signer(union, keystore, password_file, private_key)
        plan = prepare_record(
            union.client,
            union.contracts,
            signer.address,
            epoch,
            rows,
            ledger_from_block=union.from_block("ContributionLedger"),
            source=str(file),
        )
        _print_record_plan(plan, len(rows), batch_size)
        if dry_run:
            console.print("[yellow]dry run: nothing was sent[/]")
            return
        if not plan.to_record:
            console.print("[green]nothing to record[/]: every row is on chain already")
            return
        sent = record_contributions(
            TransactionSender(union.w3, signer), union.contracts, plan, batch_size=batch_size, on_sent=_print_sent
        )
    console.print(f"[green]recorded {len(plan.to_record)} entries in epoch {epoch}[/] in {len(sent)} transaction(s)")


@app.command()
@friendly_errors
def revoke(
    epoch: Annotated[int, typer.Argument(min=1, help="the epoch the entries belong to")],
    entry_ids: Annotated[list[int], typer.Argument(min=1, help="entry ids (from ContributionRecorded events)")],
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: ManifestPath = DEFAULT_MANIFEST,
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
) -> None:
    """Revoke entries of EPOCH while its window is open; each id must be an entry of EPOCH (checked from the events).

    Entries revoked already are skipped. A revoked entry no longer counts for the epoch's dividends; `union record`
    would record its row again, so remove the row from the sheet too.
    """
    with _open_union(rpc_url, manifest) as union:
        signer = _signer(union, keystore, password_file, private_key)
        plan = prepare_revoke(
            union.client,
            union.contracts,
            signer.address,
            epoch,
            entry_ids,
            ledger_from_block=union.from_block("ContributionLedger"),
        )
        for entry in plan.already_revoked:
            console.print(f"  skipped entry {entry.entry_id}: revoked already", highlight=False)
        for entry in plan.to_revoke:
            console.print(
                f"  revoking entry {entry.entry_id}: {entry.member}, {entry.units:,} units, "
                f"evidence 0x{entry.evidence.hex()}",
                highlight=False,
            )
        if not plan.to_revoke:
            console.print("[green]nothing to revoke[/]")
            return
        sent = revoke_entries(TransactionSender(union.w3, signer), union.contracts, plan, on_sent=_print_sent)
    console.print(f"[green]revoked {len(plan.to_revoke)} entries of epoch {epoch}[/] in {len(sent)} transaction(s)")


# -- proposals ----------------------------------------------------------------------------------------------------
def _require_member(union: _Union, account: str) -> None:
    if not union.contracts.membership.functions.isMember(account).call():
        raise PermissionDeniedError(
            f"the signing account {account} is not a member of the union: only members may propose; nothing was sent"
        )


def _submit_proposal(union: _Union, signer: LocalAccount, spec: ProposalSpec) -> None:
    """Propose ``spec`` from a member's account and print its id and voting window."""
    governor = union.contracts.governor
    _require_member(union, signer.address)
    proposal_id = spec.proposal_id()
    if governor.functions.proposalSnapshot(proposal_id).call() != 0:
        state = ProposalState(governor.functions.state(proposal_id).call())
        raise UnionValueError(
            f"this exact proposal exists already (id {proposal_id}, {state.name.lower()}); "
            "give it another --description to propose it again"
        )
    console.print(f"proposing: {spec.description}", highlight=False)
    sent = send_call(TransactionSender(union.w3, signer), governor.functions.propose(*spec.propose_args()), "propose")
    _print_sent(sent)
    opens = int(governor.functions.proposalSnapshot(proposal_id).call())
    closes = int(governor.functions.proposalDeadline(proposal_id).call())
    console.print(f"[green]proposal {proposal_id}[/]", highlight=False)
    console.print(
        f"  voting opens after {format_timestamp(opens)} and closes at {format_timestamp(closes)} "
        "(later if quorum is reached late)",
        highlight=False,
    )


@propose_app.command("policy")
@friendly_errors
def propose_policy(
    reserve_bps: Annotated[int, typer.Option("--reserve-bps", help="share of revenue kept in reserve (bps)")],
    operations_bps: Annotated[int, typer.Option("--operations-bps", help="share for the operations account (bps)")],
    floor_bps: Annotated[int, typer.Option("--floor-bps", help="share of the distributable split equally (bps)")],
    cap_bps: Annotated[int, typer.Option("--cap-bps", help="per-member cap in bps of the distributable; 0 = none")],
    operations_account: Annotated[
        str, typer.Option("--operations-account", help="receives the operations share (zero address if none)")
    ],
    description: Annotated[
        str | None, typer.Option("--description", help="the proposal's text (default: the policy in words)")
    ] = None,
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: ManifestPath = DEFAULT_MANIFEST,
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
) -> None:
    """Propose a new dividend policy (used for every epoch ending after it executes); only members may propose."""
    if not is_hex_address(operations_account):
        raise UnionValueError(
            f"--operations-account is an address (the zero address if none), not {operations_account!r}"
        )
    account = to_checksum_address(operations_account)
    policy = DividendPolicy(reserve_bps, operations_bps, floor_bps, cap_bps, account)
    check_policy(
        reserve_bps=reserve_bps,
        operations_bps=operations_bps,
        floor_bps=floor_bps,
        cap_bps=cap_bps,
        operations_account=account,
    )
    with _open_union(rpc_url, manifest) as union:
        signer = _signer(union, keystore, password_file, private_key)
        text = description or policy_description(
            reserve_bps=reserve_bps,
            operations_bps=operations_bps,
            floor_bps=floor_bps,
            cap_bps=cap_bps,
            operations_account=account,
        )
        _submit_proposal(union, signer, dividend_policy_proposal(union.contracts.treasury, policy, text))


@propose_app.command("transfer")
@friendly_errors
def propose_transfer(
    token: Annotated[str, typer.Option("--token", help="ETH, or the ERC-20 token's address")],
    to: Annotated[str, typer.Option("--to", help="the recipient's address")],
    amount: Annotated[int, typer.Option("--amount", min=1, help="in the token's smallest unit (wei for ETH)")],
    memo: Annotated[str, typer.Option("--memo", help="why: recorded on chain with the transfer")],
    description: Annotated[
        str | None, typer.Option("--description", help="the proposal's text (default: the transfer in words)")
    ] = None,
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: ManifestPath = DEFAULT_MANIFEST,
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
) -> None:
    """Propose a memo'd transfer of free treasury funds (never earmarked revenue); only members may propose."""
    token_address = parse_token(token)
    recipient = parse_token(to)
    if recipient == ZERO_ADDRESS:
        raise UnionValueError("--to is the recipient's address, not ETH or the zero address")
    if not memo.strip():
        raise UnionValueError("--memo must say why the funds move")
    with _open_union(rpc_url, manifest) as union:
        if token_address != ZERO_ADDRESS and not union.w3.eth.get_code(token_address):
            raise UnionValueError(f"--token {token_address} is not a contract on chain {union.manifest.chain_id}")
        signer = _signer(union, keystore, password_file, private_key)
        free = int(union.contracts.treasury.functions.freeBalance(token_address).call())
        if free < amount:
            console.print(
                f"[yellow]note[/]: the treasury's free balance of this token is {free:,} now, less than {amount:,}; "
                "the transfer will fail at execution unless funds arrive first",
                highlight=False,
            )
        text = description or transfer_description(token=token_address, to=recipient, amount=amount, memo=memo)
        spec = transfer_proposal(
            union.contracts.treasury, token=token_address, to=recipient, amount=amount, memo=memo, description=text
        )
        _submit_proposal(union, signer, spec)


@propose_app.command("quorum")
@friendly_errors
def propose_quorum(
    percent: Annotated[
        int | None, typer.Option("--percent", help="of the members at a proposal's snapshot, rounded up (1-100)")
    ] = None,
    min_quorum: Annotated[
        int | None, typer.Option("--min-quorum", help="the fewest votes that pass a proposal (all members if fewer)")
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="the proposal's text (default: the new quorum in words)")
    ] = None,
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: ManifestPath = DEFAULT_MANIFEST,
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
) -> None:
    """Propose a new quorum (DESIGN.md §8) for votes whose snapshot comes after it executes; only members may propose.

    Refused, before anything is sent, when one member alone could then pass a proposal in a union of three or more.
    """
    if percent is None and min_quorum is None:
        raise UnionValueError("say what changes: --percent, --min-quorum, or both")
    with _open_union(rpc_url, manifest) as union:
        governor = union.contracts.governor.functions
        was_percent, was_minimum = int(governor.quorumNumerator().call()), int(governor.minQuorum().call())
        new_percent = was_percent if percent is None else percent
        new_minimum = was_minimum if min_quorum is None else min_quorum
        problem = quorum_settings_problem(
            new_percent, new_minimum, local_test_union=union.manifest.parameters.local_test_union
        )
        if problem is not None:
            raise UnionValueError(f"refusing to propose this quorum: {problem}; nothing was sent")
        if (new_percent, new_minimum) == (was_percent, was_minimum):
            raise UnionValueError("the governor applies this quorum already; nothing was sent")
        signer = _signer(union, keystore, password_file, private_key)
        text = description or quorum_description(
            quorum_percent=new_percent, min_quorum=new_minimum, was_percent=was_percent, was_min_quorum=was_minimum
        )
        spec = quorum_proposal(
            union.contracts.governor,
            quorum_percent=None if new_percent == was_percent else new_percent,
            min_quorum=None if new_minimum == was_minimum else new_minimum,
            description=text,
        )
        _submit_proposal(union, signer, spec)


@propose_app.command("release")
@friendly_errors
def propose_release(
    token: Annotated[str, typer.Option("--token", help="ETH, or the ERC-20 token's address")],
    purpose: Annotated[str, typer.Option("--purpose", help="the purpose's registered name (or 0x id); general")],
    amount: Annotated[int, typer.Option("--amount", min=1, help="in the token's smallest unit (wei for ETH)")],
    memo: Annotated[str, typer.Option("--memo", help="why: recorded on chain with the release")],
    description: Annotated[
        str | None, typer.Option("--description", help="the proposal's text (default: the release in words)")
    ] = None,
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: ManifestPath = DEFAULT_MANIFEST,
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
) -> None:
    """Propose to free part of one purpose's earmarked revenue (a carry nobody can take, a refund); members only.

    At most what the purpose holds earmarked can be released (DESIGN §8); the next dividend plan takes it out of the
    purpose's carry first, then out of its pending distributable.
    """
    token_address = parse_token(token)
    purpose_bytes = purpose_id_of(purpose)
    if not memo.strip():
        raise UnionValueError("--memo must say why the earmark is released")
    with _open_union(rpc_url, manifest) as union:
        treasury = union.contracts.treasury.functions
        if purpose_bytes != bytes(32) and not union.contracts.membership.functions.isPurpose(purpose_bytes).call():
            raise UnionValueError(f"--purpose {purpose!r} is not a registered purpose of this union")
        signer = _signer(union, keystore, password_file, private_key)
        held = int(treasury.earmarkedFor(token_address, purpose_bytes).call())
        if held < amount:
            console.print(
                f"[yellow]note[/]: {held:,} of this token is earmarked for {purpose!r} now, less than {amount:,}; the "
                "release will fail at execution unless that purpose's revenue arrives first",
                highlight=False,
            )
        text = description or release_description(token=token_address, purpose=purpose, amount=amount, memo=memo)
        spec = release_earmark_proposal(
            union.contracts.treasury,
            token=token_address,
            purpose=purpose_bytes,
            amount=amount,
            memo=memo,
            description=text,
        )
        _submit_proposal(union, signer, spec)


# -- guardian -----------------------------------------------------------------------------------------------------
def _proposal_id(text: str) -> int:
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise UnionValueError(f"a proposal id is a number (decimal or 0x hex), not {text!r}") from None


_FINAL_STATES: Final = frozenset({ProposalState.CANCELED, ProposalState.EXPIRED, ProposalState.EXECUTED})


@guardian_app.command("cancel")
@friendly_errors
def guardian_cancel(
    proposal: Annotated[str, typer.Argument(help="the proposal id (decimal or 0x hex)", show_default=False)],
    rpc_url: RpcUrl = "http://127.0.0.1:8545",
    manifest: ManifestPath = DEFAULT_MANIFEST,
    keystore: KeystoreOption = None,
    password_file: PasswordFile = None,
    private_key: PrivateKey = None,
) -> None:
    """Cancel PROPOSAL as the guardian, at any stage before execution (a queued one leaves the timelock too).

    The proposal's content is read back from the governor's ProposalCreated event; the signer must be the governor's
    proposal guardian.
    """
    proposal_id = _proposal_id(proposal)
    with _open_union(rpc_url, manifest) as union:
        governor = union.contracts.governor
        signer = _signer(union, keystore, password_file, private_key)
        guardian = to_checksum_address(governor.functions.proposalGuardian().call())
        if signer.address != guardian:
            raise PermissionDeniedError(
                f"the signing account {signer.address} is not the proposal guardian ({guardian}); nothing was sent"
            )
        created = find_proposal(union.client, governor.address, union.from_block("UnionGovernor"), proposal_id)
        spec = ProposalSpec(created.targets, created.values, created.calldatas, created.description)
        if spec.proposal_id() != proposal_id:
            raise UnionValueError(f"the ProposalCreated event of {proposal_id} does not hash to that id")
        state = ProposalState(governor.functions.state(proposal_id).call())
        if state in _FINAL_STATES:
            raise UnionValueError(f"proposal {proposal_id} is {state.name.lower()} already: nothing to cancel")
        console.print(
            f"cancelling proposal {proposal_id} ({state.name.lower()}) by {created.proposer}: {created.description}",
            highlight=False,
        )
        sent = send_call(
            TransactionSender(union.w3, signer), governor.functions.cancel(*spec.lifecycle_args()), "cancel"
        )
        _print_sent(sent)
        final = ProposalState(governor.functions.state(proposal_id).call())
    console.print(f"[green]proposal {proposal_id} is {final.name.lower()}[/]", highlight=False)
