"""The dividend allocation of DESIGN §2, in integer wei: who gets what for epochs ``(fromEpoch, throughEpoch]``.

Each epoch is computed on its own, with the policy in force at its end, and the results are summed. Per epoch
and purpose *P* (this token only), from the gross revenue *G* booked in the epoch's window:

- reserve ``⌊G·reserveBps/10⁴⌋`` stays in the treasury (released from the earmark); operations
  ``⌊G·opsBps/10⁴⌋`` goes to the operations account; ``D = G − reserve − operations + carry(P)``;
- eligible: members with units > 0 in the epoch after revocations (a revocation counts only if it names the
  entry's own epoch) and — unless *P* is "general" — consent to *P* at ``start(e)``, counting only consent
  changes with a timestamp strictly before ``start(e)``;
- floor ``⌊D·floorBps/10⁴⌋`` split equally, the rest of *D* pro-rata to units; a cap of ``⌊D·capBps/10⁴⌋``
  (``capBps`` 0: none) per member hands the excess pro-rata to the members still under it, repeatedly; excess
  nobody can take is released as reserve;
- every split is largest-remainder in integer wei, remainders tied broken by ascending address, so each stage
  sums exactly;
- nobody eligible: *D* becomes the carry of *P* — still earmarked, it joins *P*'s *D* in the next epoch.

Membership is not consulted: an entry the ledger accepted (it checks membership when recording) counts even if the
member leaves later, so departed members keep what they earned; their leaf stays in every later tree.

Earmark releases (``releaseEarmark(token, P, amount)``, DESIGN §8): the treasury lets a release take no more than
*P*'s earmark — *P*'s carry and its revenue not yet funded — so the plan honours every release of the range's window
``[end(fromEpoch), end(throughEpoch))`` (earlier ones are in the previous plans), plus whatever the previous plan
still owed (as if released at the start of the range), out of *P*'s pending money:

1. out of the carry entering the release's epoch, then out of that epoch's distributable share (``gross − reserve −
   operations``), then out of the later epochs' — what the members of *P* would otherwise get; a release within the
   carry lowers the carry and nothing else, as DESIGN §2 says;
2. what is left, out of the earlier epochs' distributable shares (the latest first: their money was still unfunded
   when the release executed);
3. only if that is not enough (a release beyond everything the members would get, e.g. a refund of a whole payment),
   out of the epochs' reserves (the release already freed what the reserve would free), then their operations shares;
4. what even that cannot cover is owed: the release drew on revenue booked after ``end(throughEpoch)`` (it executed
   before the previous plan's funding, which then left that revenue earmarked), and the next plan honours it first.

So for each purpose the plan takes out of the earmark exactly ``carry + gross − released − carry_out``, which the
treasury holds: no executed release can make a plan ask for more than is earmarked (``TreasuryExceedsEarmark``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import attrgetter
from typing import Final

import numpy as np
from eth_typing import ChecksumAddress

from treasury._columns import (
    IntColumn,
    gather,
    int_column,
    int_column_of,
    sort_addresses,
    split_by_largest_remainder,
)
from treasury.inputs import (
    GENERAL_PURPOSE,
    ConsentChange,
    ContributionEntry,
    ContributionRevocation,
    EarmarkRelease,
    EpochId,
    PlanInputs,
    PolicyChange,
    PurposeId,
    RevenueEvent,
)
from treasury.policy import DividendPolicy, bps_of, last_before
from union.errors import UnionValueError

__all__ = [
    "ALGORITHM_VERSION",
    "AccountAmounts",
    "EpochOutcome",
    "PurposeFunding",
    "PurposeOutcome",
    "RangeAllocation",
    "Released",
    "RelevantEvents",
    "address_order",
    "allocate",
    "cumulative_amounts",
    "relevant_events",
    "split_equally",
    "split_pro_rata",
]

ALGORITHM_VERSION: Final = "union-dividends/2"
"""Names the rules above; a plan records it, and a change to the rules must change it."""

_chain_order = attrgetter("timestamp", "event.block_number", "event.log_index")
_entry_id = attrgetter("entry_id")
_entry_epoch = attrgetter("epoch")
_entry_member = attrgetter("member")
_entry_units = attrgetter("units")


address_order: Final = str.lower
"""Sort key putting ``0x`` addresses in ascending numeric order: in lower case, hex digits sort as their values."""


@dataclass(frozen=True, slots=True)
class AccountAmounts:
    """Amounts per account in ascending address order, no zeros: two parallel lists, cheap at a million accounts."""

    accounts: list[ChecksumAddress] = field(default_factory=list)
    amounts: list[int] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, amounts: Mapping[ChecksumAddress, int]) -> AccountAmounts:
        """Put a mapping in address order and drop its zeros."""
        return cls.summed(list(amounts), list(amounts.values()))

    @classmethod
    def summed(cls, accounts: Sequence[ChecksumAddress], amounts: Sequence[int]) -> AccountAmounts:
        """One entry per account in address order, the amounts of an account listed more than once added up, and
        zeros dropped (a numpy sort of the address bytes: no Python comparison of a million strings)."""
        if not accounts:
            return cls()
        order = sort_addresses(accounts)
        firsts = order.permutation
        column = np.array(amounts, dtype=object)[firsts]
        if not order.distinct:
            column = np.add.reduceat(column, order.starts)
            firsts = firsts[order.starts]
        kept = column != 0
        if not kept.all():
            column, firsts = column[kept], firsts[kept]
        return cls(gather(accounts, firsts), list(column.tolist()))

    def as_dict(self) -> dict[ChecksumAddress, int]:
        """``{account: amount}`` in address order."""
        return dict(zip(self.accounts, self.amounts, strict=True))

    def __len__(self) -> int:
        return len(self.accounts)

    @property
    def total(self) -> int:
        """The sum of the amounts."""
        return sum(self.amounts)


# --- integer splits -----------------------------------------------------------------------------------------------


def split_equally(total: int, count: int) -> list[int]:
    """``total`` in ``count`` equal parts; the ``total mod count`` leftover wei go to the first (lowest) addresses.

    That is largest-remainder rounding where every remainder ties, so the tie rule decides.
    """
    if count <= 0:
        raise UnionValueError("cannot split among nobody")
    base, extra = divmod(total, count)
    return [base + 1] * extra + [base] * (count - extra)


def split_pro_rata(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` pro-rata to ``weights`` with largest-remainder rounding; the parts sum to ``total`` exactly.

    Each part is ``⌊total·w/W⌋``; the ``k`` wei left over go one each to the ``k`` largest remainders, ties to
    the earlier position — callers list members in ascending address order, so ties go to the lower address.
    """
    return list(split_by_largest_remainder(total, int_column(weights)).tolist())


def _apply_cap(shares: IntColumn, weights: IntColumn, cap: int) -> int:
    """Cap every share at ``cap`` in place, handing the excess pro-rata to those under it, repeatedly.

    Returns the excess nobody could take (every member at the cap), which the caller releases as reserve.
    """
    excess = 0
    while True:
        over = shares > cap
        if over.any():
            excess += int((shares[over] - cap).sum())
            shares[over] = cap
        if excess == 0:
            return 0
        under = shares < cap
        if not under.any():
            return excess
        shares[under] += split_by_largest_remainder(excess, weights[under])
        excess = 0


def _split_distributable(distributable: int, units: IntColumn, policy: DividendPolicy) -> tuple[list[int], int, int]:
    """``(shares, floor, cap_released)`` of ``D`` among eligible members (ascending address order)."""
    floor = bps_of(distributable, policy.floor_bps)
    shares = split_by_largest_remainder(distributable - floor, units)
    if floor:  # split_equally(floor, n) added in place: base to all, the leftover wei to the lowest addresses
        base, extra = divmod(floor, len(units))
        if base:
            shares += base
        shares[:extra] += 1
    cap_released = 0
    if policy.has_cap:
        cap = bps_of(distributable, policy.cap_bps)
        if shares.max() > cap:
            cap_released = _apply_cap(shares, units, cap)
    return list(shares.tolist()), floor, cap_released


# --- outcomes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Released:
    """The part of earmark releases one epoch of one purpose honoured, by where it was taken from (module docstring)."""

    carry: int = 0
    distributable: int = 0
    reserve: int = 0
    operations: int = 0

    @property
    def total(self) -> int:
        """Everything released out of this epoch and purpose."""
        return self.carry + self.distributable + self.reserve + self.operations


_NOTHING_RELEASED: Final = Released()


@dataclass(frozen=True, slots=True)
class PurposeOutcome:
    """One epoch, one purpose: every stage of the split, each summing exactly.

    ``reserve`` and ``operations`` are the policy's shares of ``gross``; ``released`` what earmark releases took (from
    the carry, the distributable share, the reserve, the operations share), so that
    ``gross + carry_before == released.total + reserve_freed + operations_paid + Σ shares + cap_released + carry_out``.
    """

    purpose: PurposeId
    gross: int
    carry_before: int
    released: Released
    reserve: int
    operations: int
    operations_account: ChecksumAddress | None
    distributable: int
    floor: int
    cap_released: int
    carry_out: int
    members: Sequence[ChecksumAddress]
    shares: Sequence[int]

    @property
    def carry_in(self) -> int:
        """The carry that joined this epoch's ``D``."""
        return self.carry_before - self.released.carry

    @property
    def reserve_freed(self) -> int:
        """The reserve this funding frees (what a release did not free already)."""
        return self.reserve - self.released.reserve

    @property
    def operations_paid(self) -> int:
        """What the operations account gets (its share, less what a release took)."""
        return self.operations - self.released.operations

    @property
    def allocations(self) -> dict[ChecksumAddress, int]:
        """Each eligible member's share (ascending address; zero shares left out)."""
        return {member: share for member, share in zip(self.members, self.shares, strict=True) if share}


@dataclass(frozen=True, slots=True)
class EpochOutcome:
    """One epoch: the policy that governed it and one outcome per purpose with something to split."""

    epoch: EpochId
    policy: PolicyChange
    purposes: tuple[PurposeOutcome, ...]


@dataclass(frozen=True, slots=True)
class PurposeFunding:
    """What a plan takes out of one purpose's earmark: ``IUnionTreasury.PurposeFunding``."""

    amount: int
    reserve_released: int

    @property
    def taken(self) -> int:
        """The purpose's earmark the funding uses up."""
        return self.amount + self.reserve_released


@dataclass(frozen=True, slots=True)
class RangeAllocation:
    """The new allocations of a plan for ``token`` over ``(from_epoch, through_epoch]``.

    ``allocated`` sums, per account, every member share and operations payment of every epoch and purpose
    (address order, no zeros); ``amount`` is their total, the increment ``fundDividends`` sends;
    ``reserve_released`` is every reserve freed plus every cap excess; ``purposes`` splits both by purpose (ascending
    ids, only purposes the funding takes something from); ``carries`` the non-zero carries after the range and
    ``releases_owed`` the releases it could not honour yet (module docstring).
    """

    token: ChecksumAddress
    from_epoch: EpochId
    through_epoch: EpochId
    epochs: tuple[EpochOutcome, ...]
    allocated: AccountAmounts
    amount: int
    reserve_released: int
    purposes: dict[PurposeId, PurposeFunding]
    carries: dict[PurposeId, int]
    releases_owed: dict[PurposeId, int]

    @property
    def allocations(self) -> dict[ChecksumAddress, int]:
        """The new allocation of each account, ``{account: amount}`` in address order."""
        return self.allocated.as_dict()


@dataclass(frozen=True, slots=True)
class RelevantEvents:
    """The facts a plan uses (other tokens and epochs left out); consents, policies and releases in chain order."""

    contributions: list[ContributionEntry] = field(default_factory=list)
    revocations: list[ContributionRevocation] = field(default_factory=list)
    revenues: list[RevenueEvent] = field(default_factory=list)
    consent_changes: list[ConsentChange] = field(default_factory=list)
    policy_changes: list[PolicyChange] = field(default_factory=list)
    earmark_releases: list[EarmarkRelease] = field(default_factory=list)


def relevant_events(inputs: PlanInputs) -> RelevantEvents:
    """The subset of ``inputs`` the plan depends on; consents, policies and releases sorted in chain order.

    Consent changes count from before ``start(through)``; policies from before ``end(through)`` (only the one in
    force at each epoch's end is used, but all are kept so the choice can be checked); releases of this token in
    ``[end(from), end(through))``.
    """
    first, last = inputs.from_epoch, inputs.through_epoch
    schedule = inputs.schedule
    in_range = range(first + 1, last + 1)
    range_start = schedule.end(first) if first > 0 else None
    range_end = schedule.end(last)
    consent_end = schedule.start(last)
    contributions = list(inputs.contributions)
    if not all(first < epoch <= last for epoch in set(map(_entry_epoch, contributions))):
        contributions = [entry for entry in contributions if entry.epoch in in_range]
    return RelevantEvents(
        contributions=contributions,
        revocations=[revocation for revocation in inputs.revocations if revocation.epoch in in_range],
        revenues=[
            revenue
            for revenue in inputs.revenues
            if revenue.token == inputs.token and schedule.epoch_at(revenue.timestamp) in in_range
        ],
        consent_changes=sorted(
            (change for change in inputs.consent_changes if change.timestamp < consent_end), key=_chain_order
        ),
        policy_changes=sorted(
            (change for change in inputs.policy_changes if change.timestamp < range_end), key=_chain_order
        ),
        earmark_releases=sorted(
            (
                release
                for release in inputs.earmark_releases
                if release.token == inputs.token
                and release.timestamp < range_end
                and (range_start is None or release.timestamp >= range_start)
            ),
            key=_chain_order,
        ),
    )


# --- the range ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Contributors:
    """An epoch's members with units > 0 after revocations, in ascending address order, and their units."""

    members: list[ChecksumAddress]
    units: IntColumn

    @classmethod
    def of(cls, entries: Sequence[ContributionEntry]) -> _Contributors:
        """Sum the units of each member's entries: the entries sorted by address, each run of one address summed."""
        members = list(map(_entry_member, entries))
        order = sort_addresses(members)
        permutation = order.permutation
        units = int_column_of(entries, _entry_units)[permutation]
        if not order.distinct:
            units = np.add.reduceat(units, order.starts)
            permutation = permutation[order.starts]
        contributors = gather(members, permutation)
        positive = units > 0
        if not positive.all():  # the ledger refuses zero units; facts from elsewhere are held to the same rule
            return cls(list(compress(contributors, positive.tolist())), units[positive])
        return cls(contributors, units)

    def consenting(self, consent: Mapping[ChecksumAddress, bool]) -> _Contributors:
        """Those of the members whose consent is on."""
        granted = [consent.get(member, False) for member in self.members]
        return _Contributors(list(compress(self.members, granted)), self.units[np.array(granted, dtype=bool)])


_NOBODY: Final = _Contributors([], int_column([]))


def _contributors_by_epoch(events: RelevantEvents) -> dict[int, _Contributors]:
    """Each epoch's contributors, after the revocations that name the entry's own epoch."""
    entries = events.contributions
    ids = int_column_of(entries, _entry_id)
    if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])) and len(np.unique(ids)) != len(ids):
        raise UnionValueError("contribution entry ids repeat: the reader returned an event twice")
    revoked = {(revocation.epoch, revocation.entry_id) for revocation in events.revocations}
    if revoked:
        entries = [entry for entry in entries if (entry.epoch, entry.entry_id) not in revoked]
    epochs = set(map(_entry_epoch, entries))
    groups: dict[int, list[ContributionEntry]] = defaultdict(list)
    if len(epochs) == 1:
        groups[epochs.pop()] = entries
    else:
        for entry in entries:
            groups[entry.epoch].append(entry)
    return {epoch: _Contributors.of(group) for epoch, group in groups.items()}


class _ConsentSweep:
    """Each purpose's consent state at successive epoch starts, replaying changes in chain order once."""

    def __init__(self, changes: Iterable[ConsentChange]) -> None:
        self._pending: dict[PurposeId, list[ConsentChange]] = defaultdict(list)
        for change in changes:
            self._pending[change.purpose].append(change)
        self._applied: dict[PurposeId, int] = defaultdict(int)
        self._state: dict[PurposeId, dict[ChecksumAddress, bool]] = defaultdict(dict)

    def consenting_at(self, purpose: PurposeId, moment: int) -> dict[ChecksumAddress, bool]:
        """Consent per member from the changes strictly before ``moment`` (non-decreasing across calls)."""
        pending = self._pending.get(purpose, [])
        state = self._state[purpose]
        position = self._applied[purpose]
        while position < len(pending) and pending[position].timestamp < moment:
            state[pending[position].member] = pending[position].granted
            position += 1
        self._applied[purpose] = position
        return state


@dataclass(slots=True)
class _Slot:
    """One epoch of one purpose as the release pass saw it, and what releases take from it (module docstring)."""

    epoch: int
    carry_before: int
    reserve: int
    operations: int
    rest: int
    eligible: bool
    from_carry: int = 0
    from_rest: int = 0
    from_reserve: int = 0
    from_operations: int = 0

    def take_carry(self, wanted: int) -> int:
        taken = min(self.carry_before - self.from_carry, wanted)
        self.from_carry += taken
        return taken

    def take_rest(self, wanted: int) -> int:
        taken = min(self.rest - self.from_rest, wanted)
        self.from_rest += taken
        return taken

    @property
    def released(self) -> Released:
        if not (self.from_carry or self.from_rest or self.from_reserve or self.from_operations):
            return _NOTHING_RELEASED
        return Released(self.from_carry, self.from_rest, self.from_reserve, self.from_operations)


def _release_pass(
    inputs: PlanInputs,
    events: RelevantEvents,
    policies: Mapping[int, DividendPolicy],
    gross_by_epoch: Mapping[int, Mapping[PurposeId, int]],
    eligible_at: Callable[[int, PurposeId], _Contributors],
) -> tuple[dict[tuple[int, PurposeId], _Slot], dict[PurposeId, int]]:
    """Where each earmark release of the range is taken from, and what stays owed (module docstring).

    A first pass over the range, the carries flowing as in :func:`allocate` but no split computed: a release (and
    what the previous plan owed, as if released at the start of the range) takes from the carry entering its epoch
    and that epoch's distributable share, then the later epochs'; what is left, from the earlier epochs' distributable
    shares (the latest first; their money was still unfunded when the release executed), then their reserves, then
    their operations shares. Only what even that cannot cover is owed to the next plan.
    """
    by_epoch: dict[int, dict[PurposeId, int]] = defaultdict(lambda: defaultdict(int))
    first = inputs.from_epoch + 1
    for purpose, owed in inputs.previous_releases_owed.items():
        by_epoch[first][purpose] += owed
    for release in events.earmark_releases:
        by_epoch[max(first, inputs.schedule.epoch_at(release.timestamp))][release.purpose] += release.amount
    outstanding: dict[PurposeId, int] = defaultdict(int)
    slots: dict[tuple[int, PurposeId], _Slot] = {}
    by_purpose: dict[PurposeId, list[_Slot]] = defaultdict(list)
    carries = {purpose: carry for purpose, carry in inputs.previous_carries.items() if carry}
    for epoch in range(first, inputs.through_epoch + 1):
        for purpose, amount in by_epoch.get(epoch, {}).items():
            outstanding[purpose] += amount
        gross_by_purpose = gross_by_epoch.get(epoch, {})
        for purpose in sorted(set(gross_by_purpose) | set(carries)):
            carry_before = carries.pop(purpose, 0)
            gross = gross_by_purpose.get(purpose, 0)
            if gross == 0 and carry_before == 0:
                continue
            reserve, operations, rest = policies[epoch].split_gross(gross)
            slot = _Slot(epoch, carry_before, reserve, operations, rest, bool(eligible_at(epoch, purpose).members))
            if outstanding[purpose]:
                outstanding[purpose] -= slot.take_carry(outstanding[purpose])
                outstanding[purpose] -= slot.take_rest(outstanding[purpose])
            if not slot.eligible:
                carries[purpose] = rest - slot.from_rest + carry_before - slot.from_carry
            slots[(epoch, purpose)] = slot
            by_purpose[purpose].append(slot)
    still_owed: dict[PurposeId, int] = {}
    for purpose, outstanding_left in sorted(outstanding.items()):
        left = outstanding_left
        latest_first = by_purpose[purpose][::-1]
        # Only where the money was shared out: what an epoch carried on was taken where it arrived.
        for slot in latest_first:
            if slot.eligible and left:
                left -= slot.take_rest(left)
                left -= slot.take_carry(left)
        for slot in latest_first:
            taken = min(slot.reserve, left)
            slot.from_reserve, left = taken, left - taken
        for slot in latest_first:
            taken = min(slot.operations, left)
            slot.from_operations, left = taken, left - taken
        if left:
            still_owed[purpose] = left
    return slots, still_owed


def _policy_at(changes: Sequence[PolicyChange], moment: int, epoch: int) -> PolicyChange:
    found = last_before(((change.timestamp, change) for change in changes), moment)
    if found is None:
        raise UnionValueError(f"no dividend policy was set before the end of epoch {epoch}")
    return found


def allocate(inputs: PlanInputs, events: RelevantEvents | None = None) -> RangeAllocation:
    """Allocate every epoch of ``(inputs.from_epoch, inputs.through_epoch]`` for ``inputs.token`` (DESIGN §2, §8).

    Pure and deterministic: the result depends on the facts, not on the order the inputs list them in.
    ``events`` may pass :func:`relevant_events` already computed from the same inputs.
    """
    events = relevant_events(inputs) if events is None else events
    schedule = inputs.schedule
    epoch_range = range(inputs.from_epoch + 1, inputs.through_epoch + 1)
    contributors_by_epoch = _contributors_by_epoch(events)
    gross_by_epoch: dict[int, dict[PurposeId, int]] = defaultdict(lambda: defaultdict(int))
    for revenue in events.revenues:
        gross_by_epoch[schedule.epoch_at(revenue.timestamp)][revenue.purpose] += revenue.amount
    policy_changes = {epoch: _policy_at(events.policy_changes, schedule.end(epoch), epoch) for epoch in epoch_range}
    consents = _ConsentSweep(events.consent_changes)
    eligible_cache: dict[tuple[int, PurposeId], _Contributors] = {}

    def eligible_at(epoch: int, purpose: PurposeId) -> _Contributors:
        """Asked in epoch order (the consent sweep only moves forward), remembered for the second pass."""
        key = (epoch, purpose)
        if key not in eligible_cache:
            contributors = contributors_by_epoch.get(epoch, _NOBODY)
            eligible_cache[key] = (
                contributors
                if purpose == GENERAL_PURPOSE
                else contributors.consenting(consents.consenting_at(purpose, schedule.start(epoch)))
            )
        return eligible_cache[key]

    slots, releases_owed = _release_pass(
        inputs,
        events,
        {epoch: change.policy for epoch, change in policy_changes.items()},
        gross_by_epoch,
        eligible_at,
    )
    carries: dict[PurposeId, int] = {purpose: carry for purpose, carry in inputs.previous_carries.items() if carry}
    pieces: list[tuple[Sequence[ChecksumAddress], Sequence[int]]] = []
    operations_paid: dict[ChecksumAddress, int] = defaultdict(int)
    funded: dict[PurposeId, list[int]] = defaultdict(lambda: [0, 0])
    epochs: list[EpochOutcome] = []

    for epoch in epoch_range:
        policy_change = policy_changes[epoch]
        policy = policy_change.policy
        gross_by_purpose = gross_by_epoch.get(epoch, {})
        outcomes: list[PurposeOutcome] = []
        for purpose in sorted(set(gross_by_purpose) | set(carries)):
            carry_before = carries.pop(purpose, 0)
            gross = gross_by_purpose.get(purpose, 0)
            if gross == 0 and carry_before == 0:
                continue
            reserve, operations, rest = policy.split_gross(gross)
            released = slots[(epoch, purpose)].released
            distributable = rest - released.distributable + carry_before - released.carry
            eligible = eligible_at(epoch, purpose)
            shares: list[int] = []
            floor = cap_released = carry_out = 0
            if eligible.members:
                shares, floor, cap_released = _split_distributable(distributable, eligible.units, policy)
            else:
                carry_out = distributable
                carries[purpose] = carry_out
            outcome = PurposeOutcome(
                purpose=purpose,
                gross=gross,
                carry_before=carry_before,
                released=released,
                reserve=reserve,
                operations=operations,
                operations_account=policy.operations_account if operations else None,
                distributable=distributable,
                floor=floor,
                cap_released=cap_released,
                carry_out=carry_out,
                members=eligible.members,
                shares=shares,
            )
            if shares:
                pieces.append((eligible.members, shares))
            if outcome.operations_paid:
                operations_paid[policy.operations_account] += outcome.operations_paid
            funded[purpose][0] += sum(shares) + outcome.operations_paid
            funded[purpose][1] += outcome.reserve_freed + cap_released
            outcomes.append(outcome)
        epochs.append(EpochOutcome(epoch=EpochId(epoch), policy=policy_change, purposes=tuple(outcomes)))

    allocated = _combine(pieces, operations_paid)
    purposes = {
        purpose: PurposeFunding(amount, reserve)
        for purpose, (amount, reserve) in sorted(funded.items())
        if amount or reserve
    }
    return RangeAllocation(
        token=inputs.token,
        from_epoch=inputs.from_epoch,
        through_epoch=inputs.through_epoch,
        epochs=tuple(epochs),
        allocated=allocated,
        amount=allocated.total,
        reserve_released=sum(funding.reserve_released for funding in purposes.values()),
        purposes=purposes,
        carries=dict(sorted((purpose, carry) for purpose, carry in carries.items() if carry)),
        releases_owed=releases_owed,
    )


def _combine(
    pieces: Sequence[tuple[Sequence[ChecksumAddress], Sequence[int]]], operations_paid: Mapping[ChecksumAddress, int]
) -> AccountAmounts:
    """Sum the member shares of every outcome and the operations payments into one amount per account.

    Each piece is already in address order; the usual plan (one epoch, one purpose) is taken as it is, with the
    operations account added in its place, so a million-member plan is not re-sorted.
    """
    if len(pieces) > 1:
        return AccountAmounts.summed(
            [*operations_paid, *chain.from_iterable(members for members, _ in pieces)],
            [*operations_paid.values(), *chain.from_iterable(shares for _, shares in pieces)],
        )
    accounts: list[ChecksumAddress] = []
    amounts: list[int] = []
    if pieces:
        members, shares = pieces[0]
        if 0 in shares:
            kept = [index for index, share in enumerate(shares) if share]
            accounts, amounts = [members[index] for index in kept], [shares[index] for index in kept]
        else:
            accounts, amounts = list(members), list(shares)
    for account, amount in sorted(operations_paid.items()):
        place = bisect_left(accounts, address_order(account), key=address_order)
        if place < len(accounts) and accounts[place] == account:
            amounts[place] += amount
        elif amount:
            accounts.insert(place, account)
            amounts.insert(place, amount)
    return AccountAmounts(accounts, amounts)


def cumulative_amounts(previous: Mapping[ChecksumAddress, int], allocated: AccountAmounts) -> AccountAmounts:
    """Previous cumulative amounts plus new allocations: one entry per account, ascending address, no zeros.

    Allocations are never negative, so no account's cumulative amount can go down.
    """
    if min(allocated.amounts, default=0) < 0:
        raise UnionValueError("an allocation is negative")
    if not previous:
        return allocated
    return AccountAmounts.summed([*previous, *allocated.accounts], [*previous.values(), *allocated.amounts])
