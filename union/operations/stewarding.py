"""The stewards' chain operations: admit members, record and revoke contributions, each in checked batches.

Each operation has two steps. ``prepare_*`` reads the chain (roles, the epoch's window, membership, the ledger's
events) and returns a plan in which every input problem has already been reported, so a bad file sends nothing.
The sending step sends the plan's batches in order, each simulated first; ``on_sent`` hears of every mined
transaction, so a caller can show progress. Nothing is ever sent twice by a re-run: admissions skip members, records
skip live entries (the rule is in :mod:`union.operations.contributions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract

from union.chain import TransactionSender
from union.contracts import UnionContracts
from union.errors import PendingTransactionsError, PermissionDeniedError
from union.operations.admissions import ADMISSIONS_PER_TRANSACTION, AdmissionPlan, AdmissionRow, plan_admissions
from union.operations.contributions import ENTRIES_PER_TRANSACTION, ContributionRow, RecordPlan, plan_record
from union.operations.epochs import EpochWindow
from union.operations.ledger import RevokePlan, plan_revoke
from union.operations.reading import member_statuses, read_ledger
from union.operations.sending import SentTransaction, send_call
from union.rpc import JsonRpcClient

__all__ = [
    "OnSent",
    "admit_members",
    "epoch_window",
    "prepare_admissions",
    "prepare_record",
    "prepare_revoke",
    "record_contributions",
    "require_no_pending",
    "require_role",
    "revoke_entries",
]

OnSent = Callable[[SentTransaction], None]


def _ignore(_: SentTransaction) -> None:
    return None


def require_role(contract: Contract, role: str, account: ChecksumAddress, contract_name: str) -> None:
    """Refuse unless ``account`` holds ``role`` (e.g. ``RECORDER_ROLE``) on ``contract``."""
    role_id = getattr(contract.functions, role)().call()
    if not contract.functions.hasRole(role_id, account).call():
        raise PermissionDeniedError(f"{account} does not hold {role} on the {contract_name}; nothing was sent")


def require_no_pending(w3: Web3, account: ChecksumAddress) -> None:
    """Refuse while ``account`` has transactions in flight: the ledger's events cannot show them yet."""
    pending = w3.eth.get_transaction_count(account, "pending")
    mined = w3.eth.get_transaction_count(account, "latest")
    if pending > mined:
        raise PendingTransactionsError(
            f"{account} has {pending - mined} transaction(s) not mined yet; wait for them before re-running, "
            "or what they record could be recorded twice"
        )


def epoch_window(ledger: Contract, epoch: int) -> EpochWindow:
    """The window of ``epoch`` as the ledger itself defines it (its genesis, length and grace period)."""
    return EpochWindow.of(
        epoch,
        genesis=int(ledger.functions.genesis().call()),
        length=int(ledger.functions.epochLength().call()),
        grace=int(ledger.functions.gracePeriod().call()),
    )


def _now(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


# -- admissions ------------------------------------------------------------------------------------------------------
def prepare_admissions(
    client: JsonRpcClient, contracts: UnionContracts, steward: ChecksumAddress, rows: Sequence[AdmissionRow]
) -> AdmissionPlan:
    """Check the steward may admit, then skip whoever is a member already."""
    require_role(contracts.membership, "ADMISSIONS_ROLE", steward, "UnionMembership")
    statuses = member_statuses(client, contracts.membership.address, (row.address for row in rows))
    return plan_admissions(rows, statuses)


def admit_members(
    sender: TransactionSender,
    contracts: UnionContracts,
    plan: AdmissionPlan,
    *,
    batch_size: int = ADMISSIONS_PER_TRANSACTION,
    on_sent: OnSent = _ignore,
) -> list[SentTransaction]:
    """Admit the plan's accounts, ``batch_size`` per transaction, in file order."""
    sent: list[SentTransaction] = []
    for number, batch in enumerate(plan.batches(batch_size), start=1):
        call = contracts.membership.functions.admit([row.address for row in batch])
        label = f"admit batch {number}: {len(batch)} account(s), lines {batch[0].line}–{batch[-1].line}"
        sent.append(send_call(sender, call, label))
        on_sent(sent[-1])
    return sent


# -- contributions ---------------------------------------------------------------------------------------------------
def prepare_record(
    client: JsonRpcClient,
    contracts: UnionContracts,
    steward: ChecksumAddress,
    epoch: int,
    rows: Sequence[ContributionRow],
    *,
    ledger_from_block: int,
    source: str = "contributions",
) -> RecordPlan:
    """Check the role, the epoch's window and in-flight transactions, then apply the skip rule to the live entries."""
    w3 = contracts.ledger.w3
    require_role(contracts.ledger, "RECORDER_ROLE", steward, "ContributionLedger")
    epoch_window(contracts.ledger, epoch).require_open(_now(w3))
    require_no_pending(w3, steward)
    statuses = member_statuses(client, contracts.membership.address, (row.member for row in rows))
    ledger = read_ledger(client, contracts.ledger.address, ledger_from_block)
    return plan_record(epoch, rows, ledger, statuses, source)


def record_contributions(
    sender: TransactionSender,
    contracts: UnionContracts,
    plan: RecordPlan,
    *,
    batch_size: int = ENTRIES_PER_TRANSACTION,
    on_sent: OnSent = _ignore,
) -> list[SentTransaction]:
    """Record the plan's entries, at most ``batch_size`` per transaction, in file order."""
    sent: list[SentTransaction] = []
    for number, batch in enumerate(plan.batches(batch_size), start=1):
        call = contracts.ledger.functions.record(
            plan.epoch, [row.member for row in batch], [row.units for row in batch], [row.evidence for row in batch]
        )
        label = f"record batch {number}: {len(batch)} entries, lines {batch[0].line}–{batch[-1].line}"
        sent.append(send_call(sender, call, label))
        on_sent(sent[-1])
    return sent


def prepare_revoke(
    client: JsonRpcClient,
    contracts: UnionContracts,
    steward: ChecksumAddress,
    epoch: int,
    entry_ids: Sequence[int],
    *,
    ledger_from_block: int,
) -> RevokePlan:
    """Check the role and the window, then that every id is an entry of ``epoch`` (from the ledger's events)."""
    require_role(contracts.ledger, "RECORDER_ROLE", steward, "ContributionLedger")
    epoch_window(contracts.ledger, epoch).require_open(_now(contracts.ledger.w3))
    return plan_revoke(epoch, entry_ids, read_ledger(client, contracts.ledger.address, ledger_from_block))


def revoke_entries(
    sender: TransactionSender,
    contracts: UnionContracts,
    plan: RevokePlan,
    *,
    batch_size: int = ENTRIES_PER_TRANSACTION,
    on_sent: OnSent = _ignore,
) -> list[SentTransaction]:
    """Revoke the plan's entries, at most ``batch_size`` per transaction."""
    sent: list[SentTransaction] = []
    entries = plan.to_revoke
    for number, start in enumerate(range(0, len(entries), batch_size), start=1):
        batch = entries[start : start + batch_size]
        call = contracts.ledger.functions.revoke(plan.epoch, [entry.entry_id for entry in batch])
        sent.append(send_call(sender, call, f"revoke batch {number}: {len(batch)} entries"))
        on_sent(sent[-1])
    return sent
