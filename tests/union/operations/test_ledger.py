"""The ledger folded from its events, revocations that count, and what `union revoke` may name."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address

from union.errors import EpochWindowError, UnionValueError
from union.operations.epochs import EpochWindow
from union.operations.ledger import LedgerEntries, plan_revoke

ALICE = to_checksum_address("0x" + "a1" * 20)


def _recorded(entry_id: int, epoch: int) -> tuple[str, dict[str, object], int]:
    args = {"entryId": entry_id, "epoch": epoch, "member": ALICE, "units": 3, "evidence": "0x" + "11" * 32}
    return ("ContributionRecorded", args, 10 + entry_id)


def _ledger() -> LedgerEntries:
    return LedgerEntries.from_events(
        [
            _recorded(1, 1),
            _recorded(2, 2),
            _recorded(3, 2),
            ("ContributionRevoked", {"entryId": 2, "epoch": 2, "recorder": ALICE}, 20),
            ("ContributionRevoked", {"entryId": 3, "epoch": 1, "recorder": ALICE}, 21),  # names the wrong epoch
            ("RoleGranted", {}, 1),
        ]
    )


def test_fromEvents_countsARevocationOnlyForTheEntrysOwnEpoch() -> None:
    ledger = _ledger()
    assert [entry.entry_id for entry in ledger.live(2)] == [3]
    assert ledger.entries[1].evidence == bytes.fromhex("11" * 32)


def test_planRevoke_splitsNewAndAlreadyRevokedEntries() -> None:
    plan = plan_revoke(2, [3, 2, 3], _ledger())
    assert [entry.entry_id for entry in plan.to_revoke] == [3]
    assert [entry.entry_id for entry in plan.already_revoked] == [2]


def test_planRevoke_refusesUnknownIdsAndEntriesOfAnotherEpoch() -> None:
    with pytest.raises(UnionValueError) as caught:
        plan_revoke(2, [1, 9], _ledger())
    assert str(caught.value) == "entry 1 belongs to epoch 1, not 2; entry 9 does not exist; nothing was sent"


def test_epochWindow_isOpenFromItsStartUntilItsGraceWindowEnds() -> None:
    window = EpochWindow.of(3, genesis=1_000, length=100, grace=10)
    assert (window.opens_at, window.ends_at, window.closes_at) == (1_200, 1_300, 1_310)
    assert [window.is_open(t) for t in (1_199, 1_200, 1_309, 1_310)] == [False, True, True, False]
    with pytest.raises(EpochWindowError, match="epoch 3 is not open yet"):
        window.require_open(1_199)
    with pytest.raises(EpochWindowError, match="epoch 3 is closed since"):
        window.require_open(1_310)
    with pytest.raises(UnionValueError):
        EpochWindow.of(0, genesis=0, length=1, grace=0)
