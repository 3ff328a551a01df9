"""A small chain-history builder for planner tests: events get increasing blocks and log indices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from eth_typing import BlockNumber, ChainId, ChecksumAddress, HexStr

from treasury.inputs import (
    GENERAL_PURPOSE,
    BlockRange,
    ChainContext,
    ConsentChange,
    ContributionEntry,
    ContributionRevocation,
    EarmarkRelease,
    EpochId,
    EpochSchedule,
    EventRef,
    PlanInputs,
    PolicyChange,
    PurposeId,
    RevenueEvent,
    checksum_address,
    purpose_id,
)
from treasury.policy import ZERO_ADDRESS, DividendPolicy

ETH = ZERO_ADDRESS
GENESIS, LENGTH, GRACE = 1_000, 100, 10
SCHEDULE = EpochSchedule(genesis=GENESIS, length=LENGTH, grace=GRACE)
RESEARCH = purpose_id(b"\x11" * 32)
TRAINING = purpose_id(b"\x22" * 32)


def addr(number: int) -> ChecksumAddress:
    """A readable test address: ``addr(0xA)`` is ``0x000…000A`` (checksummed)."""
    return checksum_address("0x" + f"{number:040x}")


CHAIN = ChainContext(
    chain_id=ChainId(31337), membership=addr(0xC1), ledger=addr(0xC2), treasury=addr(0xC3), distributor=addr(0xC4)
)
OPS = addr(0x0F)


def start(epoch: int) -> int:
    return SCHEDULE.start(epoch)


@dataclass
class History:
    """Accumulates facts in chain order; :meth:`inputs` hands them to the planner."""

    contributions: list[ContributionEntry] = field(default_factory=list)
    revocations: list[ContributionRevocation] = field(default_factory=list)
    revenues: list[RevenueEvent] = field(default_factory=list)
    consent_changes: list[ConsentChange] = field(default_factory=list)
    policy_changes: list[PolicyChange] = field(default_factory=list)
    earmark_releases: list[EarmarkRelease] = field(default_factory=list)
    _log: int = 0

    def _event(self) -> EventRef:
        self._log += 1
        return EventRef(BlockNumber(self._log // 4 + 1), self._log % 4, HexStr("0x" + f"{self._log:064x}"))

    def policy(
        self,
        at: int,
        *,
        reserve: int = 0,
        operations: int = 0,
        floor: int = 0,
        cap: int = 0,
        account: ChecksumAddress | None = None,
    ) -> PolicyChange:
        ops_account = account if account is not None else (OPS if operations else ZERO_ADDRESS)
        change = PolicyChange(self._event(), at, DividendPolicy(reserve, operations, floor, cap, ops_account))
        self.policy_changes.append(change)
        return change

    def entry(self, epoch: int, member: ChecksumAddress, units: int) -> ContributionEntry:
        entry = ContributionEntry(self._event(), len(self.contributions) + 1, EpochId(epoch), member, units)
        self.contributions.append(entry)
        return entry

    def revoke(self, entry: ContributionEntry, epoch: int | None = None) -> None:
        claimed_epoch = EpochId(entry.epoch if epoch is None else epoch)
        self.revocations.append(ContributionRevocation(self._event(), entry.entry_id, claimed_epoch))

    def revenue(
        self, epoch: int, amount: int, purpose: PurposeId = GENERAL_PURPOSE, token: ChecksumAddress = ETH
    ) -> None:
        self.revenues.append(RevenueEvent(self._event(), token, purpose, amount, start(epoch) + 10))

    def consent(self, member: ChecksumAddress, purpose: PurposeId, granted: bool, at: int) -> None:
        self.consent_changes.append(ConsentChange(self._event(), member, purpose, granted, at))

    def release(self, purpose: PurposeId, amount: int, at: int, token: ChecksumAddress = ETH) -> None:
        self.earmark_releases.append(EarmarkRelease(self._event(), token, purpose, amount, at))

    def inputs(
        self,
        from_epoch: int,
        through_epoch: int,
        *,
        previous_cumulative: Mapping[ChecksumAddress, int] | None = None,
        previous_carries: Mapping[PurposeId, int] | None = None,
        previous_releases_owed: Mapping[PurposeId, int] | None = None,
        token: ChecksumAddress = ETH,
    ) -> PlanInputs:
        return PlanInputs(
            chain=CHAIN,
            token=token,
            from_epoch=EpochId(from_epoch),
            through_epoch=EpochId(through_epoch),
            schedule=SCHEDULE,
            blocks=BlockRange(BlockNumber(0), BlockNumber(self._log // 4 + 1)),
            contributions=list(self.contributions),
            revocations=list(self.revocations),
            revenues=list(self.revenues),
            consent_changes=list(self.consent_changes),
            policy_changes=list(self.policy_changes),
            earmark_releases=list(self.earmark_releases),
            previous_cumulative=dict(previous_cumulative or {}),
            previous_carries=dict(previous_carries or {}),
            previous_releases_owed=dict(previous_releases_owed or {}),
        )
