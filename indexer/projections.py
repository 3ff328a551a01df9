"""The union's projections: one handler per contract event, each writing only through the store's batch writer.

Importing this module registers the handlers in :data:`indexer.registry.default_registry`. Every event of every
followed contract is also kept verbatim (decoded) in the ``events`` table by the store itself, so an event without a
handler here (role grants, timelock scheduling, governance settings …) is still on record.
"""

from __future__ import annotations

from typing import Final

from indexer.aggregates import (
    apply_contribution,
    apply_delegation,
    apply_dispute,
    apply_membership_change,
    apply_revocation,
)
from indexer.models import (
    Claim,
    ConsentChange,
    Contribution,
    ContributionDispute,
    ContributionRevocation,
    Delegation,
    DistributionRound,
    DividendPolicy,
    EarmarkRelease,
    MembershipChange,
    Proposal,
    ProposalAction,
    ProposalStateChange,
    Purpose,
    PurposeFunding,
    Revenue,
    TreasuryMovement,
    UnattributedBooking,
    Vote,
)
from indexer.registry import on
from indexer.store import BatchWriter
from union.events import DecodedEvent, args_to_json, decode_call

__all__ = ["ZERO_ADDRESS"]

ZERO_ADDRESS: Final = "0x0000000000000000000000000000000000000000"

# ---------------------------------------------------------------------------------------------- membership


def _membership_change(event: DecodedEvent, store: BatchWriter, member: str, kind: str) -> None:
    store.add_from_event(MembershipChange, event, {"member": member, "kind": kind})
    state = apply_membership_change(store.member(member), member, kind, event.block_number, event.block_timestamp)
    store.put_member(member, state)


@on("UnionMembership", "Transfer")
def _card_transferred(event: DecodedEvent, store: BatchWriter) -> None:
    """Minting the card is the admission; the burn is followed by ``MemberLeft``, which says why."""
    if event.args["from"] == ZERO_ADDRESS:
        _membership_change(event, store, event.args["to"], "joined")


@on("UnionMembership", "MemberLeft")
def _member_left(event: DecodedEvent, store: BatchWriter) -> None:
    _membership_change(event, store, event.args["member"], "expelled" if event.args["expelled"] else "resigned")


@on("UnionMembership", "DelegateChanged")
def _delegate_changed(event: DecodedEvent, store: BatchWriter) -> None:
    delegator = event.args["delegator"]
    store.add_from_event(
        Delegation,
        event,
        {"delegator": delegator, "from_delegate": event.args["fromDelegate"], "to_delegate": event.args["toDelegate"]},
    )
    store.put_member(delegator, apply_delegation(store.member(delegator), event.args["toDelegate"], event.block_number))


@on("UnionMembership", "PurposeRegistered")
def _purpose_registered(event: DecodedEvent, store: BatchWriter) -> None:
    store.add_from_event(Purpose, event, {"purpose_id": event.args["purposeId"], "name": event.args["name"]})


@on("UnionMembership", "ConsentChanged")
def _consent_changed(event: DecodedEvent, store: BatchWriter) -> None:
    store.add_from_event(
        ConsentChange,
        event,
        {"member": event.args["member"], "purpose_id": event.args["purposeId"], "granted": event.args["granted"]},
    )


# ---------------------------------------------------------------------------------------------- ledger


@on("ContributionLedger", "ContributionRecorded")
def _contribution_recorded(event: DecodedEvent, store: BatchWriter) -> None:
    args = event.args
    entry_id: int = args["entryId"]
    epoch: int = args["epoch"]
    units: int = args["units"]
    store.add_from_event(
        Contribution,
        event,
        {
            "entry_id": entry_id,
            "epoch": epoch,
            "member": args["member"],
            "units": str(units),
            "evidence": args["evidence"],
        },
    )
    store.remember_entry(entry_id, epoch, units)
    apply_contribution(store.epoch(epoch), units, event.block_number)


@on("ContributionLedger", "ContributionRevoked")
def _contribution_revoked(event: DecodedEvent, store: BatchWriter) -> None:
    """A revocation counts once, and only if it names the entry's own epoch (the ledger stores no entry→epoch map)."""
    entry_id: int = event.args["entryId"]
    epoch: int = event.args["epoch"]
    entry = store.entry(entry_id)
    counted = entry is not None and entry[0] == epoch and not store.is_revoked(entry_id)
    revoked_units = entry[1] if counted and entry is not None else 0
    if counted:
        store.mark_revoked(entry_id)
    store.add_from_event(
        ContributionRevocation,
        event,
        {
            "entry_id": entry_id,
            "epoch": epoch,
            "recorder": event.args["recorder"],
            "counted": counted,
            "revoked_units": str(revoked_units),
        },
    )
    apply_revocation(store.epoch(epoch), revoked_units, counted, event.block_number)


@on("ContributionLedger", "ContributionDisputed")
def _contribution_disputed(event: DecodedEvent, store: BatchWriter) -> None:
    epoch: int = event.args["epoch"]
    store.add_from_event(
        ContributionDispute,
        event,
        {
            "entry_id": event.args["entryId"],
            "epoch": epoch,
            "disputer": event.args["disputer"],
            "reason": event.args["reason"],
        },
    )
    apply_dispute(store.epoch(epoch), event.block_number)


# ---------------------------------------------------------------------------------------------- treasury


def _movement(
    event: DecodedEvent,
    store: BatchWriter,
    *,
    token: str,
    kind: str,
    amount: int,
    balance_delta: int,
    earmark_delta: int,
    counterparty: str | None = None,
    purpose_id: str | None = None,
    memo: str | None = None,
) -> None:
    """Book one change of the treasury's books and carry the running balance and earmark of ``token``."""
    balance, earmarked = store.treasury_position(token)
    balance += balance_delta
    earmarked += earmark_delta
    store.set_treasury_position(token, balance, earmarked)
    store.add_from_event(
        TreasuryMovement,
        event,
        {
            "token": token,
            "kind": kind,
            "amount": str(amount),
            "balance_delta": str(balance_delta),
            "earmark_delta": str(earmark_delta),
            "balance_after": str(balance),
            "earmarked_after": str(earmarked),
            "counterparty": counterparty,
            "purpose_id": purpose_id,
            "memo": memo,
        },
    )


@on("UnionTreasury", "RevenueReceived")
def _revenue_received(event: DecodedEvent, store: BatchWriter) -> None:
    args = event.args
    amount: int = args["amount"]
    store.add_from_event(
        Revenue,
        event,
        {
            "token": args["token"],
            "purpose_id": args["purposeId"],
            "payer": args["payer"],
            "amount": str(amount),
            "epoch": args["epoch"],
            "license_ref": args["licenseRef"],
        },
    )
    _movement(
        event,
        store,
        token=args["token"],
        kind="revenue",
        amount=amount,
        balance_delta=amount,
        earmark_delta=amount,
        counterparty=args["payer"],
        purpose_id=args["purposeId"],
        memo=args["licenseRef"],
    )


@on("UnionTreasury", "UnattributedBooked")
def _unattributed_booked(event: DecodedEvent, store: BatchWriter) -> None:
    """Booked as general revenue: the funds were already held, now they are on the books and earmarked."""
    amount: int = event.args["amount"]
    store.add_from_event(
        UnattributedBooking, event, {"token": event.args["token"], "amount": str(amount), "epoch": event.args["epoch"]}
    )
    _movement(
        event,
        store,
        token=event.args["token"],
        kind="unattributed_booked",
        amount=amount,
        balance_delta=amount,
        earmark_delta=amount,
        purpose_id="0x" + "00" * 32,
    )


@on("UnionTreasury", "DividendsFunded")
def _dividends_funded(event: DecodedEvent, store: BatchWriter) -> None:
    args = event.args
    amount: int = args["amount"]
    reserve_released: int = args["reserveReleased"]
    store.add_from_event(
        DistributionRound,
        event,
        {
            "token": args["token"],
            "from_epoch": args["fromEpoch"],
            "through_epoch": args["throughEpoch"],
            "amount": str(amount),
            "reserve_released": str(reserve_released),
            "root": args["newRoot"],
            "plan_hash": args["planHash"],
        },
    )
    _movement(
        event,
        store,
        token=args["token"],
        kind="dividends_funded",
        amount=amount,
        balance_delta=-amount,
        earmark_delta=-(amount + reserve_released),
        memo=args["planHash"],
    )


@on("UnionTreasury", "PurposeFunded")
def _purpose_funded(event: DecodedEvent, store: BatchWriter) -> None:
    """One purpose's part of a funding; the money moves with the ``DividendsFunded`` that follows it."""
    args = event.args
    store.add_from_event(
        PurposeFunding,
        event,
        {
            "token": args["token"],
            "purpose_id": args["purposeId"],
            "through_epoch": args["throughEpoch"],
            "amount": str(args["amount"]),
            "reserve_released": str(args["reserveReleased"]),
        },
    )


@on("UnionTreasury", "EarmarkReleased")
def _earmark_released(event: DecodedEvent, store: BatchWriter) -> None:
    args = event.args
    amount: int = args["amount"]
    store.add_from_event(
        EarmarkRelease,
        event,
        {"token": args["token"], "purpose_id": args["purposeId"], "amount": str(amount), "memo": args["memo"]},
    )
    _movement(
        event,
        store,
        token=args["token"],
        kind="earmark_released",
        amount=amount,
        balance_delta=0,
        earmark_delta=-amount,
        purpose_id=args["purposeId"],
        memo=args["memo"],
    )


@on("UnionTreasury", "FundsTransferred")
def _funds_transferred(event: DecodedEvent, store: BatchWriter) -> None:
    args = event.args
    amount: int = args["amount"]
    _movement(
        event,
        store,
        token=args["token"],
        kind="transfer",
        amount=amount,
        balance_delta=-amount,
        earmark_delta=0,
        counterparty=args["to"],
        memo=args["memo"],
    )


@on("UnionTreasury", "DividendPolicySet")
def _dividend_policy_set(event: DecodedEvent, store: BatchWriter) -> None:
    args = event.args
    store.add_from_event(
        DividendPolicy,
        event,
        {
            "reserve_bps": args["reserveBps"],
            "operations_bps": args["operationsBps"],
            "floor_bps": args["floorBps"],
            "cap_bps": args["capBps"],
            "operations_account": args["operationsAccount"],
        },
    )


# ---------------------------------------------------------------------------------------------- distributor


@on("DividendDistributor", "Claimed")
def _claimed(event: DecodedEvent, store: BatchWriter) -> None:
    args = event.args
    store.add_from_event(
        Claim,
        event,
        {
            "token": args["token"],
            "account": args["account"],
            "amount": str(args["amount"]),
            "cumulative_amount": str(args["cumulativeAmount"]),
        },
    )


# ---------------------------------------------------------------------------------------------- governor


@on("UnionGovernor", "ProposalCreated")
def _proposal_created(event: DecodedEvent, store: BatchWriter) -> None:
    """The proposal, and each action decoded against the ABI of the union contract it targets."""
    args = event.args
    proposal_id = str(args["proposalId"])
    store.add_from_event(
        Proposal,
        event,
        {
            "proposal_id": proposal_id,
            "proposer": args["proposer"],
            "vote_start": args["voteStart"],
            "vote_end": args["voteEnd"],
            "description": args["description"],
        },
    )
    actions = zip(args["targets"], args["values"], args["signatures"], args["calldatas"], strict=True)
    for index, (target, value, signature, calldata) in enumerate(actions):
        call = decode_call(store.contracts_by_address.get(target.lower()), calldata)
        store.add(
            ProposalAction,
            {
                "proposal_id": proposal_id,
                "action_index": index,
                "block_number": event.block_number,
                "target": target,
                "target_contract": call.contract,
                "value": str(value),
                "signature": signature or call.signature,
                "calldata": calldata,
                "function": call.function,
                "args": args_to_json(call.args),
            },
        )


def _state_change(
    event: DecodedEvent, store: BatchWriter, state: str, *, eta: int | None = None, deadline: int | None = None
) -> None:
    store.add_from_event(
        ProposalStateChange,
        event,
        {"proposal_id": str(event.args["proposalId"]), "state": state, "eta": eta, "extended_deadline": deadline},
    )


@on("UnionGovernor", "ProposalQueued")
def _proposal_queued(event: DecodedEvent, store: BatchWriter) -> None:
    _state_change(event, store, "queued", eta=event.args["etaSeconds"])


@on("UnionGovernor", "ProposalExecuted")
def _proposal_executed(event: DecodedEvent, store: BatchWriter) -> None:
    _state_change(event, store, "executed")


@on("UnionGovernor", "ProposalCanceled")
def _proposal_canceled(event: DecodedEvent, store: BatchWriter) -> None:
    _state_change(event, store, "canceled")


@on("UnionGovernor", "ProposalExtended")
def _proposal_extended(event: DecodedEvent, store: BatchWriter) -> None:
    _state_change(event, store, "extended", deadline=event.args["extendedDeadline"])


def _vote(event: DecodedEvent, store: BatchWriter, params: str) -> None:
    voter: str = event.args["voter"]
    sender = event.tx_from or voter
    store.add_from_event(
        Vote,
        event,
        {
            "proposal_id": str(event.args["proposalId"]),
            "voter": voter,
            "support": event.args["support"],
            "weight": str(event.args["weight"]),
            "reason": event.args["reason"],
            "params": params,
            "tx_from": sender,
            "relayed": sender.lower() != voter.lower(),
        },
    )


@on("UnionGovernor", "VoteCast", needs_sender=True)
def _vote_cast(event: DecodedEvent, store: BatchWriter) -> None:
    _vote(event, store, "0x")


@on("UnionGovernor", "VoteCastWithParams", needs_sender=True)
def _vote_cast_with_params(event: DecodedEvent, store: BatchWriter) -> None:
    _vote(event, store, event.args["params"])
