"""Stewards' operations: admission lists and contribution sheets checked line by line, then sent in batches.

The parsing and planning modules are pure (``admissions``, ``contributions``, ``ledger``, ``epochs``, ``proposals``):
a file's text and chain facts in, validated rows and plans out. ``reading`` and ``stewarding`` talk to the chain
through the kernel (``union.rpc`` for logs and batched calls, ``union.chain.TransactionSender`` for transactions).
"""

from __future__ import annotations

from union.operations.admissions import (
    ADMISSIONS_PER_TRANSACTION,
    AdmissionPlan,
    AdmissionRow,
    parse_admissions,
    plan_admissions,
)
from union.operations.contributions import (
    ENTRIES_PER_TRANSACTION,
    ContributionRow,
    RecordPlan,
    parse_contributions,
    parse_evidence,
    plan_record,
)
from union.operations.epochs import EpochWindow, format_timestamp
from union.operations.ledger import LedgerEntries, LedgerEntry, RevokePlan, plan_revoke
from union.operations.proposals import (
    check_policy,
    parse_token,
    policy_description,
    quorum_description,
    release_description,
    transfer_description,
)
from union.operations.reading import CreatedProposal, find_proposal, member_statuses, read_ledger, read_proposals
from union.operations.sending import SentTransaction, send_call
from union.operations.stewarding import (
    admit_members,
    epoch_window,
    prepare_admissions,
    prepare_record,
    prepare_revoke,
    record_contributions,
    require_no_pending,
    require_role,
    revoke_entries,
)

__all__ = [
    "ADMISSIONS_PER_TRANSACTION",
    "ENTRIES_PER_TRANSACTION",
    "AdmissionPlan",
    "AdmissionRow",
    "ContributionRow",
    "CreatedProposal",
    "EpochWindow",
    "LedgerEntries",
    "LedgerEntry",
    "RecordPlan",
    "RevokePlan",
    "SentTransaction",
    "admit_members",
    "check_policy",
    "epoch_window",
    "find_proposal",
    "format_timestamp",
    "member_statuses",
    "parse_admissions",
    "parse_contributions",
    "parse_evidence",
    "parse_token",
    "plan_admissions",
    "plan_record",
    "plan_revoke",
    "policy_description",
    "prepare_admissions",
    "prepare_record",
    "prepare_revoke",
    "quorum_description",
    "read_ledger",
    "read_proposals",
    "record_contributions",
    "release_description",
    "require_no_pending",
    "require_role",
    "revoke_entries",
    "send_call",
    "transfer_description",
]
