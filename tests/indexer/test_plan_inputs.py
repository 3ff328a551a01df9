"""The store-backed plan-inputs reader against the RPC reader on one anvil chain, on SQLite and PostgreSQL.

The chain is the treasury suite's two-epoch round (tests/treasury/anvil_round.py) and then: ETH's epoch 1 funded by
a real plan and a real vote, one claim under it, an unattributed ERC-20 inflow booked and part of a carry released
by one two-action vote. Indexed into a fresh store, the two readers must agree fact for fact, on every closing
block, and so on every plan byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

import pytest
from eth_typing import BlockNumber
from web3.contract import Contract

from indexer.plan_inputs import StorePlanInputsReader
from indexer.store import Store
from scheduler.planning import block_timestamp_reader
from tests.helpers.driver import purpose_id
from tests.indexer.conftest import StoreFactory
from tests.indexer.helpers import follower
from tests.treasury.anvil_round import Round, base_round, decide, fund_plan
from treasury.inputs import GENERAL_PURPOSE, EpochId
from treasury.plan import Plan
from treasury.proofs import ProofIndex
from treasury.readers import ChainFacts, PlanHistory, PlanInputsReader, RpcPlanInputsReader
from union.errors import StoreStateError
from union.rpc import JsonRpcClient
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalSpec
from voting.typed_data import VoteSupport

__all__ = ["base_round"]  # fixture used by name

pytestmark = pytest.mark.anvil

FACT_LISTS = tuple(item.name for item in fields(ChainFacts) if item.name != "blocks")
UNATTRIBUTED = 123
RELEASED = 1_000


@dataclass
class Played:
    """The played chain and the plan that funded ETH's epoch 1 on it."""

    round: Round
    first: Plan


def _calldata(contract: Contract, function: str, args: list[Any]) -> bytes:
    return bytes.fromhex(contract.encode_abi(function, args=args)[2:])


@pytest.fixture(scope="module")
def played(base_round: Round) -> Iterator[Played]:
    """The round, then every fact kind the store must give back (see the module docstring); reverted at the end."""
    union = base_round.union
    snapshot = union.anvil.rpc("evm_snapshot")
    union.reset_nonces()
    try:
        first = PlanHistory(_rpc_reader(base_round)).next_plan(ZERO_ADDRESS, 1)
        fund_plan(base_round, first)
        claimant = base_round.members[1].address
        claim = ProofIndex.from_plan(first).claim(claimant)
        distributor, treasury, token = union.contracts.distributor, union.contracts.treasury, base_round.token
        union.transact(
            union.accounts.relayer,
            distributor.functions.claim(ZERO_ADDRESS, claimant, claim.cumulative_amount, list(claim.proof)),
        )
        union.transact(union.accounts.second_buyer, token.functions.mint(treasury.address, UNATTRIBUTED))
        books = ProposalSpec(
            (treasury.address, treasury.address),
            (0, 0),
            (
                _calldata(treasury, "bookUnattributed", [token.address, UNATTRIBUTED]),
                _calldata(treasury, "releaseEarmark", [token.address, purpose_id("medical-research"), RELEASED, "m"]),
            ),
            "Book the unattributed TUSD; release part of the medical-research carry",
        )
        decide(union, base_round.members[0], books, base_round.members[:3], VoteSupport.FOR)
        union.queue_and_execute(books)
        if union.now() < union.grace_end(2):
            union.warp_to(union.grace_end(2))
        yield Played(base_round, first)
    finally:
        union.anvil.rpc("evm_revert", snapshot)
        union.reset_nonces()


def _rpc_reader(round_: Round) -> RpcPlanInputsReader:
    return RpcPlanInputsReader.open(JsonRpcClient(round_.union.anvil.rpc_url), round_.union.union.manifest)


def _store_reader(round_: Round, store: Store) -> StorePlanInputsReader:
    return StorePlanInputsReader(store, round_.union.union.manifest, block_timestamp_reader(round_.union.w3))


def _indexed(round_: Round, store: Store, until: int | None = None) -> Store:
    indexing = follower(round_.union.union, store)
    indexing.sync(until=until)
    indexing.rpc.close()
    return store


def test_store_facts_equal_rpc_facts_field_for_field(played: Played, store_factory: StoreFactory) -> None:
    from_store = _store_reader(played.round, _indexed(played.round, store_factory()))
    from_rpc = _rpc_reader(played.round)
    final = from_store.final_block()
    assert final == from_rpc.final_block()
    first_closing = from_rpc.closing_block(EpochId(1))
    assert first_closing is not None
    for block in (first_closing.number, final.number):
        expected, actual = from_rpc.facts(block), from_store.facts(block)
        assert actual.blocks == expected.blocks
        for name in FACT_LISTS:
            assert tuple(getattr(actual, name)) == tuple(getattr(expected, name)), f"{name} through block {block}"

    # Equality means something only if every kind of fact is there, the booked inflow among the general revenue.
    facts = from_store.facts(final.number)
    assert [name for name in FACT_LISTS if not getattr(facts, name)] == []
    token = played.round.token_address
    assert [(item.purpose, item.amount) for item in facts.revenues if item.token == token][-1] == (
        GENERAL_PURPOSE,
        UNATTRIBUTED,
    )
    assert [len(item.targets) for item in facts.proposals if len(item.targets) > 1] == [2]
    assert facts.earmark_releases[-1].amount == RELEASED


def test_plan_histories_over_either_reader_give_byte_identical_plans(
    played: Played, store_factory: StoreFactory
) -> None:
    store = _indexed(played.round, store_factory())
    reader: PlanInputsReader = _store_reader(played.round, store)
    over_store, over_rpc = PlanHistory(reader), PlanHistory(_rpc_reader(played.round))

    (rebuilt_from_store,) = over_store.rebuilt_rounds(ZERO_ADDRESS)
    (rebuilt_from_rpc,) = over_rpc.rebuilt_rounds(ZERO_ADDRESS)
    assert rebuilt_from_store.reproduced
    assert rebuilt_from_store.plan.canonical_bytes() == rebuilt_from_rpc.plan.canonical_bytes()

    for token, from_epoch in ((ZERO_ADDRESS, 1), (played.round.token_address, 0)):
        expected, actual = over_rpc.next_plan(token, 2), over_store.next_plan(token, 2)
        assert (actual.from_epoch, actual.through_epoch) == (from_epoch, 2)
        assert actual.plan_hash == expected.plan_hash
        assert actual.canonical_bytes() == expected.canonical_bytes()
        assert actual.totals.amount > 0


def test_a_stored_document_of_a_funded_round_is_what_the_history_builds_on(
    played: Played, store_factory: StoreFactory
) -> None:
    store = _indexed(played.round, store_factory())
    first = played.first
    unfunded = PlanHistory(_rpc_reader(played.round)).next_plan(played.round.token_address, 2)
    for plan in (first, unfunded):
        document = plan.canonical_bytes().decode()
        store.put_plan(plan.plan_hash, plan.token, plan.from_epoch, plan.through_epoch, plan.root, document, 0.0)
    reader = _store_reader(played.round, store)
    assert [plan.plan_hash for plan in reader.funded_plan_documents()] == [first.plan_hash]
    stored = reader.stored_plan(unfunded.plan_hash.upper().replace("0X", "0x"))
    assert stored is not None
    assert stored.canonical_bytes() == unfunded.canonical_bytes()
    assert reader.stored_plan("0x" + "00" * 32) is None
    assert reader.tokens() == sorted([ZERO_ADDRESS, played.round.token_address], key=str.lower)


def test_closing_blocks_agree_and_wait_for_the_store(played: Played, store_factory: StoreFactory) -> None:
    from_rpc = _rpc_reader(played.round)
    from_store = _store_reader(played.round, _indexed(played.round, store_factory()))
    schedule = from_rpc.schedule
    closed = max(epoch for epoch in range(1, 10) if schedule.end(epoch) + schedule.grace <= played.round.union.now())
    assert closed >= 2
    for epoch in range(1, closed + 2):
        assert from_store.closing_block(EpochId(epoch)) == from_rpc.closing_block(EpochId(epoch)), f"epoch {epoch}"
    assert from_store.closing_block(EpochId(closed + 1)) is None

    second_closing = from_rpc.closing_block(EpochId(2))
    assert second_closing is not None
    behind = _store_reader(played.round, _indexed(played.round, store_factory(), until=second_closing.number - 1))
    assert behind.final_block().number == second_closing.number - 1
    assert behind.closing_block(EpochId(2)) is None  # the store has not seen the block that closes epoch 2
    assert behind.closing_block(EpochId(1)) == from_rpc.closing_block(EpochId(1))


def test_facts_past_the_indexed_block_are_refused(played: Played, store_factory: StoreFactory) -> None:
    store = _indexed(played.round, store_factory())
    reader = _store_reader(played.round, store)
    indexed = reader.final_block().number
    with pytest.raises(StoreStateError, match=f"indexed up to block {indexed}, not {indexed + 1}"):
        reader.facts(BlockNumber(indexed + 1))
    with pytest.raises(StoreStateError, match="not indexed the deployment block"):
        PlanHistory(_store_reader(played.round, store_factory()))
