"""The contribution ledger as its events tell it (pure): entries, revocations, and what a revocation may name.

The ledger keeps entries only in events (DESIGN.md §1). An entry counts for its epoch unless a ``ContributionRevoked``
names the same entry id *and* the same epoch; a revocation naming another epoch is on chain but counts for nothing,
so ``union revoke`` checks the epoch before sending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from union.errors import UnionValueError

__all__ = ["LedgerEntries", "LedgerEntry", "RevokePlan", "plan_revoke"]


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One ``ContributionRecorded`` event."""

    entry_id: int
    epoch: int
    member: ChecksumAddress
    units: int
    evidence: bytes
    block_number: int


@dataclass(slots=True)
class LedgerEntries:
    """Every entry of the ledger by id, and every (entry id, epoch) pair a revocation named."""

    entries: dict[int, LedgerEntry] = field(default_factory=dict)
    revocations: set[tuple[int, int]] = field(default_factory=set)

    @classmethod
    def from_events(cls, events: Iterable[tuple[str, Mapping[str, Any], int]]) -> LedgerEntries:
        """Fold decoded ledger events ``(event name, args, block number)``; other events are ignored."""
        ledger = cls()
        for name, args, block_number in events:
            if name == "ContributionRecorded":
                entry = LedgerEntry(
                    entry_id=int(args["entryId"]),
                    epoch=int(args["epoch"]),
                    member=to_checksum_address(str(args["member"])),
                    units=int(args["units"]),
                    evidence=bytes.fromhex(str(args["evidence"])[2:]),
                    block_number=block_number,
                )
                ledger.entries[entry.entry_id] = entry
            elif name == "ContributionRevoked":
                ledger.revocations.add((int(args["entryId"]), int(args["epoch"])))
        return ledger

    def is_revoked(self, entry: LedgerEntry) -> bool:
        return (entry.entry_id, entry.epoch) in self.revocations

    def live(self, epoch: int) -> list[LedgerEntry]:
        """The entries of ``epoch`` that count (not revoked), by id."""
        return [
            entry
            for entry_id, entry in sorted(self.entries.items())
            if entry.epoch == epoch and not self.is_revoked(entry)
        ]

    def live_by_key(self, epoch: int) -> dict[tuple[ChecksumAddress, bytes], LedgerEntry]:
        """Live entries of ``epoch`` by (member, evidence); the earliest entry wins if a pair was recorded twice."""
        by_key: dict[tuple[ChecksumAddress, bytes], LedgerEntry] = {}
        for entry in self.live(epoch):
            by_key.setdefault((entry.member, entry.evidence), entry)
        return by_key


@dataclass(frozen=True, slots=True)
class RevokePlan:
    """The entries ``revoke`` will revoke, and those already revoked (revoking twice changes nothing: skipped)."""

    epoch: int
    to_revoke: tuple[LedgerEntry, ...]
    already_revoked: tuple[LedgerEntry, ...]


def plan_revoke(epoch: int, entry_ids: Sequence[int], ledger: LedgerEntries) -> RevokePlan:
    """Check that every id names an entry of ``epoch``; raises :class:`UnionValueError` naming each id that fails."""
    problems: list[str] = []
    to_revoke: list[LedgerEntry] = []
    already: list[LedgerEntry] = []
    seen: set[int] = set()
    for entry_id in entry_ids:
        if entry_id in seen:
            continue
        seen.add(entry_id)
        entry = ledger.entries.get(entry_id)
        if entry is None:
            problems.append(f"entry {entry_id} does not exist")
        elif entry.epoch != epoch:
            problems.append(f"entry {entry_id} belongs to epoch {entry.epoch}, not {epoch}")
        elif ledger.is_revoked(entry):
            already.append(entry)
        else:
            to_revoke.append(entry)
    if problems:
        raise UnionValueError("; ".join(problems) + "; nothing was sent")
    return RevokePlan(epoch, tuple(to_revoke), tuple(already))
