"""What a transparency reader finds in the store after a union's busy epoch and a governance round."""

from __future__ import annotations

import json

from eth_utils import keccak
from sqlalchemy import select

from indexer.models import (
    Claim,
    ConsentChange,
    DistributionRound,
    Epoch,
    EventRow,
    Member,
    ProposalAction,
    ProposalStateChange,
    PurposeFunding,
    TreasuryMovement,
    Vote,
)
from tests.helpers.driver import UnionDriver
from tests.indexer import scenario
from tests.indexer.conftest import StoreFactory
from tests.indexer.helpers import follower
from union.localnet import LocalAccounts
from union.types import ZERO_ADDRESS

ETHER = scenario.ETHER


def test_full_round_is_projected_for_transparency_readers(union: UnionDriver, store_factory: StoreFactory) -> None:
    scenario.busy_epoch(union)
    scenario.governance_round(union)
    store = store_factory()
    report = follower(union.union, store).sync()
    people = scenario.members()

    assert report.cursor == union.w3.eth.block_number
    with store.engine.connect() as db:
        members = {row.address: row for row in db.execute(select(Member))}
        assert set(members) == {p.address for p in people} | {LocalAccounts.member(9).address}
        assert members[people[2].address].delegate == people[3].address
        resigned = members[people[3].address]
        assert (resigned.is_member, resigned.expelled, resigned.left_block is not None) == (False, False, True)

        consents = db.execute(
            select(ConsentChange.member, ConsentChange.granted).order_by(
                ConsentChange.block_number, ConsentChange.log_index
            )
        ).all()
        assert consents == [(people[0].address, True), (people[1].address, True), (people[1].address, False)]

        # 60 entries of units 1+index+batch; entry 2 revoked once (the repeat does not count), entry 5 revoked.
        recorded = sum(1 + index + batch for batch in range(3) for index in range(20))
        epoch = db.execute(select(Epoch).where(Epoch.epoch == 1)).one()
        assert (epoch.entries, int(epoch.units), epoch.revoked_entries, int(epoch.revoked_units)) == (
            60,
            recorded,
            2,
            2 + 5,
        )
        assert (int(epoch.net_units), epoch.disputes) == (recorded - 7, 1)

        movements = db.execute(
            select(TreasuryMovement.kind, TreasuryMovement.balance_after, TreasuryMovement.earmarked_after)
            .where(TreasuryMovement.token == ZERO_ADDRESS)
            .order_by(TreasuryMovement.block_number, TreasuryMovement.log_index)
        ).all()
        assert movements == [
            ("revenue", str(3 * ETHER), str(3 * ETHER)),
            ("revenue", str(5 * ETHER), str(5 * ETHER)),
            ("dividends_funded", str(2 * ETHER), str(5 * ETHER - 3 * ETHER - ETHER // 2)),
        ]

        round_ = db.execute(select(DistributionRound)).one()
        assert (round_.from_epoch, round_.through_epoch, round_.amount, round_.plan_hash) == (
            0,
            1,
            str(3 * ETHER),
            "0x" + "42" * 32,
        )

        actions = {row.function: row for row in db.execute(select(ProposalAction))}
        funding = json.loads(actions["fundDividends"].args)
        assert actions["fundDividends"].target_contract == "UnionTreasury"
        assert (funding["token"], funding["fromEpoch"], funding["throughEpoch"]) == (ZERO_ADDRESS, 0, 1)
        assert funding["purposes"] == [
            {"amount": str(3 * ETHER), "purposeId": "0x" + "00" * 32, "reserveReleased": 0},
            {"amount": 0, "purposeId": "0x" + keccak(text="ai-training").hex(), "reserveReleased": str(ETHER // 2)},
        ]
        fundings = db.execute(
            select(PurposeFunding.purpose_id, PurposeFunding.through_epoch, PurposeFunding.amount).order_by(
                PurposeFunding.log_index
            )
        ).all()
        assert fundings == [
            ("0x" + "00" * 32, 1, str(3 * ETHER)),
            ("0x" + keccak(text="ai-training").hex(), 1, "0"),
        ]
        assert funding["newRoot"] == round_.root
        assert funding["planHash"] == round_.plan_hash

        votes = db.execute(
            select(Vote.voter, Vote.relayed, Vote.tx_from, Vote.weight).order_by(Vote.block_number)
        ).all()
        relayer = union.accounts.relayer.address
        assert votes[0] == (people[0].address, True, relayer, "1")
        assert votes[1] == (people[1].address, False, people[1].address, "1")

        states = [
            row.state for row in db.execute(select(ProposalStateChange).order_by(ProposalStateChange.block_number))
        ]
        assert states == ["queued", "executed", "queued", "executed"]

        claims = db.execute(select(Claim.account, Claim.amount).order_by(Claim.block_number)).all()
        assert sorted(claims) == sorted([(people[0].address, str(2 * ETHER)), (people[1].address, str(ETHER))])

        # Every log is on record, handled or not (role grants, timelock scheduling …).
        kinds = set(db.execute(select(EventRow.contract, EventRow.event)).all())
        assert ("TimelockController", "CallScheduled") in kinds
        assert ("UnionMembership", "RoleGranted") in kinds


def test_health_reports_cursor_head_and_lag(union: UnionDriver, store_factory: StoreFactory) -> None:
    scenario.busy_epoch(union, batches=1)
    store = store_factory()
    follower(union.union, store, confirmations=3).sync()
    health = store.health()
    head = union.w3.eth.block_number
    assert (health.head, health.cursor, health.lag, health.last_error) == (head, head - 3, 3, None)
    assert health.events_per_second is not None
    assert health.events_per_second > 0
