"""The dividend plan: a canonical JSON document whose keccak-256 is the plan hash a proposal carries (DESIGN §3).

The document holds what anyone needs to check a distribution without trusting who wrote it: the deployment,
the covered epochs, the events it was computed from, the policy of each epoch, every stage of every split, the
previous and new cumulative amounts, the Merkle tree dump, its root and the totals ``fundDividends`` moves.
Its bytes are canonical — keys sorted, no whitespace, amounts as decimal strings, no floats — and
:meth:`Plan.from_inputs` is pure, so the same facts in any order give the same bytes and the same hash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from operator import attrgetter
from typing import Annotated, Any, Final, Literal, TypeVar

from eth_typing import ChecksumAddress, HexStr
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, PrivateAttr
from pydantic.alias_generators import to_camel

from treasury._gc import cycle_collection_paused
from treasury._keccak import keccak256
from treasury.allocation import (
    ALGORITHM_VERSION,
    AccountAmounts,
    EpochOutcome,
    PurposeOutcome,
    RangeAllocation,
    RelevantEvents,
    allocate,
    cumulative_amounts,
    relevant_events,
)
from treasury.inputs import EventRef, PlanInputs, PurposeId
from treasury.merkle import StandardMerkleTree
from union.errors import UnionValueError

__all__ = [
    "EMPTY_ROOT",
    "PLAN_SCHEMA_VERSION",
    "ContractsDoc",
    "EpochDoc",
    "EventIdsDoc",
    "InputsDoc",
    "Plan",
    "PolicyDoc",
    "PurposeDoc",
    "PurposeFundingDoc",
    "ReleasedDoc",
    "ScheduleDoc",
    "SortedMap",
    "TotalsDoc",
    "Wei",
    "canonical_json",
    "describe_fundings",
    "distribution_tree",
    "plan_differences",
]

PLAN_SCHEMA_VERSION: Final = 2
"""The layout of the document below; readers refuse versions they do not know.

Version 2 (algorithm ``union-dividends/2``, DESIGN §8 "Earmark per purpose"): each purpose's split says where earmark
releases were taken from (``released``), the totals say what the funding takes from each purpose's earmark
(``purposes``) and which releases are still owed (``releasesOwed``, read back as ``inputs.previousReleasesOwed``).
"""

EMPTY_ROOT: Final = HexStr("0x" + "00" * 32)
"""The root of a plan with no leaves at all (nothing allocated yet): no proof verifies against it."""

_UINT256_LIMIT: Final = 1 << 256


def _parse_wei(value: object) -> int:
    """Amounts travel as decimal strings (JSON numbers lose precision past 2**53); Python callers may pass ints."""
    if isinstance(value, bool):
        raise ValueError("an amount is not a boolean")
    if isinstance(value, str):
        if not value.isdigit() or not value.isascii() or (len(value) > 1 and value[0] == "0"):
            raise ValueError(f"amounts are decimal strings without sign or leading zeros, got {value!r}")
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < _UINT256_LIMIT:
        raise ValueError(f"not a uint256 amount: {value!r}")
    return value


Wei = Annotated[int, BeforeValidator(_parse_wei), PlainSerializer(str, return_type=str)]
"""A uint256 amount in the token's smallest unit, serialized as a decimal string."""


def canonical_json(document: Any) -> bytes:
    """The canonical bytes of a JSON-ready document: sorted keys, no whitespace, ASCII, no NaN."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


_K = TypeVar("_K", bound=str)
_V = TypeVar("_V")


def _sorted_keys(mapping: dict[_K, _V]) -> dict[_K, _V]:
    """The same mapping with its keys in code-point order, the order canonical JSON writes them in."""
    return dict(sorted(mapping.items()))


def _canonical_tree(dump: dict[str, Any] | None) -> dict[str, Any] | None:
    """A tree dump with every object's keys in code-point order (OZ writes ``value`` before ``treeIndex``)."""
    if dump is None:
        return None
    ordered = {key: dump[key] for key in sorted(dump)}
    values = ordered.get("values")
    if isinstance(values, list) and not all(
        isinstance(entry, dict) and list(entry) == ["treeIndex", "value"] for entry in values
    ):
        ordered["values"] = [
            {key: entry[key] for key in sorted(entry)} if isinstance(entry, dict) else entry for entry in values
        ]
    return ordered


SortedMap = Annotated[dict[_K, _V], AfterValidator(_sorted_keys)]
"""A JSON object whose keys are kept in canonical (code-point) order."""


class _Document(BaseModel):
    """A part of the plan document.

    Fields are declared in the code-point order of their JSON names and maps keep sorted keys, so pydantic's own
    (fast) JSON serializer already writes canonical JSON; ``test_plan`` checks both rules for every model.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid")


class ContractsDoc(_Document):
    """The deployment the plan is about."""

    distributor: ChecksumAddress
    ledger: ChecksumAddress
    membership: ChecksumAddress
    treasury: ChecksumAddress


class ScheduleDoc(_Document):
    """The ledger's clock: epoch *e* is ``[genesis + (e−1)·length, genesis + e·length)``."""

    genesis: int
    grace: int
    length: int


class EventIdsDoc(_Document):
    """The events the plan was computed from, each as ``txhash:logIndex``, in chain order."""

    consent_changes: list[str]
    contributions: list[str]
    earmark_releases: list[str]
    policy_changes: list[str]
    revenues: list[str]
    revocations: list[str]


class InputsDoc(_Document):
    """Where the facts came from, and what was carried over from the plan that funded ``fromEpoch``."""

    events: EventIdsDoc
    from_block: int
    previous_carries: SortedMap[PurposeId, Wei]
    previous_releases_owed: SortedMap[PurposeId, Wei]
    schedule: ScheduleDoc
    to_block: int


class PolicyDoc(_Document):
    """The policy in force at the end of an epoch, and the event that set it."""

    cap_bps: int
    event: str
    floor_bps: int
    operations_account: ChecksumAddress
    operations_bps: int
    reserve_bps: int
    timestamp: int


class ReleasedDoc(_Document):
    """What earmark releases took from one epoch of one purpose: out of its carry, then its distributable share, and
    only beyond those out of its reserve and then its operations share (``treasury.allocation``)."""

    carry: Wei
    distributable: Wei
    operations: Wei
    reserve: Wei


class PurposeDoc(_Document):
    """One epoch's split of one purpose; ``allocations`` are the members' shares (no zeros).

    ``reserve`` and ``operations`` are the policy's shares of ``gross``; the funding frees ``reserve −
    released.reserve`` and pays ``operations − released.operations``; ``distributable`` is ``gross − reserve −
    operations − released.distributable + carryBefore − released.carry``.
    """

    allocations: SortedMap[ChecksumAddress, Wei]
    cap_released: Wei
    carry_before: Wei
    carry_out: Wei
    distributable: Wei
    eligible_members: int
    floor: Wei
    gross: Wei
    operations: Wei
    operations_account: ChecksumAddress | None
    purpose: PurposeId
    released: ReleasedDoc
    reserve: Wei


class EpochDoc(_Document):
    """One covered epoch."""

    end: int
    epoch: int
    policy: PolicyDoc
    purposes: list[PurposeDoc]
    start: int


class PurposeFundingDoc(_Document):
    """What the funding takes out of one purpose's earmark (``IUnionTreasury.PurposeFunding``)."""

    amount: Wei
    reserve_released: Wei


class TotalsDoc(_Document):
    """What ``fundDividends`` moves: ``amount`` to the distributor, ``reserveReleased`` freed, both split by purpose
    in ``purposes`` (what each purpose's earmark gives, only purposes giving something); carries stay earmarked, and
    ``releasesOwed`` are releases the next plan honours first."""

    amount: Wei
    carries: SortedMap[PurposeId, Wei]
    purposes: SortedMap[PurposeId, PurposeFundingDoc]
    releases_owed: SortedMap[PurposeId, Wei]
    reserve_released: Wei


class Plan(_Document):
    """A dividend plan for one token over epochs ``(fromEpoch, throughEpoch]``; see the module docstring."""

    algorithm: Literal["union-dividends/2"] = ALGORITHM_VERSION
    chain_id: int
    contracts: ContractsDoc
    epochs: list[EpochDoc]
    from_epoch: int
    inputs: InputsDoc
    new_cumulative: SortedMap[ChecksumAddress, Wei]
    previous_cumulative: SortedMap[ChecksumAddress, Wei]
    root: HexStr
    schema_version: Literal[2] = PLAN_SCHEMA_VERSION
    through_epoch: int
    token: ChecksumAddress
    totals: TotalsDoc
    tree: Annotated[dict[str, Any] | None, AfterValidator(_canonical_tree)] = Field(
        description="the standard-v1 dump of the (account, cumulative) tree"
    )
    _canonical: bytes | None = PrivateAttr(default=None)

    @classmethod
    def from_inputs(cls, inputs: PlanInputs, *, executor: Executor | None = None) -> Plan:
        """Compute the plan from the chain's facts (pure; ``executor`` only shares the hashing).

        The previous cumulative amounts plus this range's allocations give the new cumulative amounts, one leaf
        per account; an account's amount never goes down, since allocations are never negative.
        """
        events = relevant_events(inputs)
        allocation = allocate(inputs, events)
        cumulative = cumulative_amounts(inputs.previous_cumulative, allocation.allocated)
        tree = distribution_tree(cumulative, executor=executor)
        schedule = inputs.schedule
        # The small parts are validated as they are built; the big ones (million-entry maps, the tree dump) come
        # from inputs PlanInputs checked and from the allocation and tree just computed, so they are put in the
        # form validation would give them (code-point key order, int amounts) and not validated again.
        return cls.model_construct(
            algorithm=ALGORITHM_VERSION,
            chain_id=inputs.chain.chain_id,
            contracts=ContractsDoc(
                membership=inputs.chain.membership,
                ledger=inputs.chain.ledger,
                treasury=inputs.chain.treasury,
                distributor=inputs.chain.distributor,
            ),
            epochs=[_epoch_doc(outcome, inputs) for outcome in allocation.epochs],
            from_epoch=inputs.from_epoch,
            inputs=InputsDoc(
                from_block=inputs.blocks.from_block,
                to_block=inputs.blocks.to_block,
                schedule=ScheduleDoc(genesis=schedule.genesis, length=schedule.length, grace=schedule.grace),
                events=_event_ids(events),
                previous_carries=dict(sorted((p, c) for p, c in inputs.previous_carries.items() if c)),
                previous_releases_owed=dict(sorted((p, o) for p, o in inputs.previous_releases_owed.items() if o)),
            ),
            new_cumulative=_code_point_ordered(cumulative.as_dict()),
            previous_cumulative=_code_point_ordered(inputs.previous_cumulative),
            root=tree.root if tree is not None else EMPTY_ROOT,
            schema_version=PLAN_SCHEMA_VERSION,
            through_epoch=inputs.through_epoch,
            token=inputs.token,
            totals=_totals_doc(allocation),
            tree=_tree_dump(tree),
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Plan:
        """Read a stored plan (any key order); raises :class:`UnionValueError` if it is not a valid plan."""
        try:
            with cycle_collection_paused():
                return cls.model_validate_json(data)
        except ValueError as error:
            raise UnionValueError(f"not a valid dividend plan: {error}") from error

    def canonical_bytes(self) -> bytes:
        """The document's canonical bytes: what is stored, served and hashed (computed once; the model is frozen)."""
        if self._canonical is None:
            raw = self.__pydantic_serializer__.to_json(self, by_alias=True)  # bytes: no 400 MB str copy at 1M
            # Pydantic writes non-ASCII text as UTF-8; canonical JSON escapes it (plans are ASCII in practice).
            self._canonical = raw if raw.isascii() else canonical_json(json.loads(raw))
        return self._canonical

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Plan:
        """A copy (``update`` changes fields); its canonical bytes are recomputed, never inherited."""
        copied = super().model_copy(update=update, deep=deep)
        copied._canonical = None
        return copied

    @property
    def plan_hash(self) -> HexStr:
        """keccak-256 of :meth:`canonical_bytes`, the ``planHash`` of ``fundDividends``."""
        return HexStr("0x" + keccak256(self.canonical_bytes()).hex())

    def purpose_fundings(self) -> list[tuple[PurposeId, int, int]]:
        """``(purposeId, amount, reserveReleased)`` per purpose in ascending id order: ``fundDividends``' list."""
        return [
            (purpose, funding.amount, funding.reserve_released) for purpose, funding in self.totals.purposes.items()
        ]

    def merkle_tree(self, *, validate: bool = True) -> StandardMerkleTree | None:
        """The plan's tree, loaded from its dump (``None`` when nothing was ever allocated)."""
        return None if self.tree is None else StandardMerkleTree.load(self.tree, validate=validate)

    def decreased_accounts(self) -> dict[ChecksumAddress, tuple[int, int]]:
        """Accounts whose new cumulative amount is below the previous one: ``{account: (previous, new)}``."""
        return {
            account: (before, self.new_cumulative.get(account, 0))
            for account, before in self.previous_cumulative.items()
            if self.new_cumulative.get(account, 0) < before
        }


def distribution_tree(cumulative: AccountAmounts, *, executor: Executor | None = None) -> StandardMerkleTree | None:
    """The distributor's tree: one ``(account, cumulative amount)`` leaf per account, values in address order."""
    if not cumulative:
        return None
    return StandardMerkleTree.of_address_amounts(cumulative.accounts, cumulative.amounts, executor=executor)


def _tree_dump(tree: StandardMerkleTree | None) -> dict[str, Any] | None:
    """The tree's ``standard-v1`` dump; its keys are already in code-point order (``treeIndex`` before ``value``)."""
    if tree is None:
        return None
    with cycle_collection_paused():
        return tree.dump()


def _code_point_ordered(amounts: Mapping[ChecksumAddress, int]) -> dict[ChecksumAddress, int]:
    """The non-zero amounts with their keys in code-point order: what :data:`SortedMap` validation would leave.

    The allocation lists accounts in address (lower-case) order; canonical JSON writes keys in code-point order,
    where EIP-55's capital letters sort before every lower-case one, so the keys are sorted once here.
    """
    return {account: amounts[account] for account in sorted(amounts) if amounts[account]}


def _ids(facts: Sequence[Any]) -> list[str]:
    refs: list[EventRef] = sorted(map(attrgetter("event"), facts), key=attrgetter("block_number", "log_index"))
    return [ref.id for ref in refs]


def _event_ids(events: RelevantEvents) -> EventIdsDoc:
    return EventIdsDoc(
        contributions=_ids(events.contributions),
        revocations=_ids(events.revocations),
        revenues=_ids(events.revenues),
        consent_changes=_ids(events.consent_changes),
        policy_changes=_ids(events.policy_changes),
        earmark_releases=_ids(events.earmark_releases),
    )


def _purpose_doc(outcome: PurposeOutcome) -> PurposeDoc:
    return PurposeDoc.model_construct(
        purpose=outcome.purpose,
        gross=outcome.gross,
        carry_before=outcome.carry_before,
        released=ReleasedDoc.model_construct(
            carry=outcome.released.carry,
            distributable=outcome.released.distributable,
            operations=outcome.released.operations,
            reserve=outcome.released.reserve,
        ),
        reserve=outcome.reserve,
        operations=outcome.operations,
        operations_account=outcome.operations_account,
        distributable=outcome.distributable,
        floor=outcome.floor,
        cap_released=outcome.cap_released,
        carry_out=outcome.carry_out,
        eligible_members=len(outcome.members),
        allocations=_code_point_ordered(outcome.allocations),
    )


def _epoch_doc(outcome: EpochOutcome, inputs: PlanInputs) -> EpochDoc:
    change = outcome.policy
    policy = change.policy
    return EpochDoc(
        epoch=outcome.epoch,
        start=inputs.schedule.start(outcome.epoch),
        end=inputs.schedule.end(outcome.epoch),
        policy=PolicyDoc(
            event=change.event.id,
            timestamp=change.timestamp,
            reserve_bps=policy.reserve_bps,
            operations_bps=policy.operations_bps,
            floor_bps=policy.floor_bps,
            cap_bps=policy.cap_bps,
            operations_account=policy.operations_account,
        ),
        purposes=[_purpose_doc(purpose) for purpose in outcome.purposes],
    )


def _totals_doc(allocation: RangeAllocation) -> TotalsDoc:
    return TotalsDoc(
        amount=allocation.amount,
        reserve_released=allocation.reserve_released,
        purposes={
            purpose: PurposeFundingDoc(amount=funding.amount, reserve_released=funding.reserve_released)
            for purpose, funding in allocation.purposes.items()
        },
        carries=dict(allocation.carries),
        releases_owed=dict(allocation.releases_owed),
    )


def plan_differences(expected: Plan, actual: Plan) -> list[str]:
    """What differs between a recomputed plan (``expected``) and a published one, in words a report can show.

    Names the headline numbers (root, amount, released reserve, range, token), then per account: a member
    missing from the published tree, an account that should not be there, a cumulative amount that differs,
    and any cumulative amount that went down.
    """
    differences: list[str] = []
    for label, want, got in (
        ("token", expected.token, actual.token),
        ("fromEpoch", expected.from_epoch, actual.from_epoch),
        ("throughEpoch", expected.through_epoch, actual.through_epoch),
        ("root", expected.root, actual.root),
        ("amount", expected.totals.amount, actual.totals.amount),
        ("reserveReleased", expected.totals.reserve_released, actual.totals.reserve_released),
        ("carries", expected.totals.carries, actual.totals.carries),
        ("purposes", describe_fundings(expected.purpose_fundings()), describe_fundings(actual.purpose_fundings())),
        ("releasesOwed", expected.totals.releases_owed, actual.totals.releases_owed),
    ):
        if want != got:
            differences.append(f"{label}: expected {want}, published {got}")
    for account, amount in expected.new_cumulative.items():
        published = actual.new_cumulative.get(account)
        if published is None:
            differences.append(f"account {account} is missing (expected cumulative {amount})")
        elif published != amount:
            differences.append(f"account {account}: expected cumulative {amount}, published {published}")
    differences.extend(
        f"account {account} should not be in the plan (published cumulative {amount})"
        for account, amount in actual.new_cumulative.items()
        if account not in expected.new_cumulative
    )
    differences.extend(
        f"account {account}: cumulative went down from {before} to {after}"
        for account, (before, after) in actual.decreased_accounts().items()
    )
    if not differences and expected.plan_hash != actual.plan_hash:
        differences.append(f"planHash: expected {expected.plan_hash}, published {actual.plan_hash}")
    return differences


def describe_fundings(fundings: Sequence[tuple[PurposeId, int, int]]) -> str:
    """Per-purpose fundings in words (``purpose: amount + reserve``, one after another), for reports."""
    return ", ".join(f"{purpose}: {amount} + {reserve}" for purpose, amount, reserve in fundings) or "none"
