"""The RPC reader on synthetic logs: a fake JSON-RPC node serves ABI-encoded union events, blocks and views.

Each test writes the chain it needs (events at chosen blocks and times) and checks what the reader — and the plans
built from it — make of the rules that live at the boundary: consent strictly before an epoch's start, revocations
in their own epoch only, revenue by block time, the policy in force at an epoch's end, the closing block, and the
recursive rebuild of funded rounds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from eth_abi import encode as abi_encode
from eth_typing import BlockNumber, ChecksumAddress
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from treasury.allocation import PurposeFunding
from treasury.inputs import GENERAL_PURPOSE, EpochId, purpose_id
from treasury.plan import Plan
from treasury.readers import PlanHistory, RpcPlanInputsReader
from union.contracts import load_abi
from union.errors import ManifestError, PlanNotReadyError, UnionValueError
from union.events import build_contract_events
from union.manifest import DeployedContract, DeploymentManifest, DeploymentParameters
from union.rpc import JsonRpcClient
from union.types import ZERO_ADDRESS

GENESIS, LENGTH, GRACE = 1_000, 100, 10
CHAIN_ID = 31337
ADDRESSES = {
    "UnionMembership": to_checksum_address("0x" + "11" * 20),
    "ContributionLedger": to_checksum_address("0x" + "22" * 20),
    "UnionTreasury": to_checksum_address("0x" + "33" * 20),
    "UnionGovernor": to_checksum_address("0x" + "44" * 20),
    "DividendDistributor": to_checksum_address("0x" + "55" * 20),
    "TimelockController": to_checksum_address("0x" + "66" * 20),
}
ALICE = to_checksum_address("0x" + "a1" * 20)
BOB = to_checksum_address("0x" + "b2" * 20)
CAROL = to_checksum_address("0x" + "c3" * 20)
OPS = to_checksum_address("0x" + "0f" * 20)
AI = purpose_id(keccak(text="ai-training"))


def manifest(*, genesis: int = GENESIS) -> DeploymentManifest:
    parameters = DeploymentParameters(
        union_name="Test Union",
        membership_symbol="TU",
        epoch_genesis=genesis,
        epoch_length=LENGTH,
        grace_period=GRACE,
        voting_delay=1,
        voting_period=10,
        quorum_percent=20,
        min_quorum=3,
        late_quorum_extension=0,
        timelock_delay=0,
        guardian=ALICE,
        admissions=[ALICE],
        recorders=[ALICE],
        purposes=["ai-training"],
        reserve_bps=0,
        operations_bps=0,
        floor_bps=0,
        cap_bps=0,
        operations_account=ZERO_ADDRESS,
    )
    contracts = {
        name: DeployedContract(address=address, transaction_hash="0x" + "00" * 32, block_number=1, artifact_hash="x")
        for name, address in ADDRESSES.items()
    }
    return DeploymentManifest(
        chain_id=CHAIN_ID, deployer=ALICE, compiler_version="0.8.x", parameters=parameters, contracts=contracts
    )


def _word(kind: str, value: Any) -> str:
    return "0x" + abi_encode([kind], [value]).hex()


@dataclass
class FakeChain:
    """Blocks (number -> timestamp) and raw logs; answers the JSON-RPC calls the reader makes."""

    timestamps: dict[int, int] = field(default_factory=lambda: {1: GENESIS - 50})
    logs: list[dict[str, Any]] = field(default_factory=list)
    with_block_timestamps: bool = True
    max_log_span: int | None = None
    requests: list[str] = field(default_factory=list)

    @property
    def head(self) -> int:
        return max(self.timestamps)

    def mine(self, timestamp: int) -> int:
        """A new block at ``timestamp``; returns its number."""
        number = self.head + 1
        self.timestamps[number] = timestamp
        return number

    def emit(self, block: int, contract: str, event: str, **args: Any) -> None:
        """An ABI-encoded log of ``contract.event`` in ``block`` (its next log index)."""
        item = next(entry for entry in load_abi(contract) if entry.get("type") == "event" and entry["name"] == event)
        spec = build_contract_events(contract, ADDRESSES[contract], [item]).events
        topic0 = next(iter(spec))
        topics = [topic0]
        data_types: list[str] = []
        data_values: list[Any] = []
        for param in item["inputs"]:
            kind = param["type"] if not param["type"].startswith("tuple") else "tuple"
            if param.get("indexed"):
                topics.append(_word(kind, args[param["name"]]))
            else:
                data_types.append(kind)
                data_values.append(args[param["name"]])
        index = sum(1 for log in self.logs if int(log["blockNumber"], 16) == block)
        log: dict[str, Any] = {
            "address": ADDRESSES[contract].lower(),
            "topics": topics,
            "data": "0x" + abi_encode(data_types, data_values).hex(),
            "blockNumber": hex(block),
            "blockHash": self.block_hash(block),
            "transactionHash": "0x" + keccak(text=f"tx-{block}-{index}").hex(),
            "transactionIndex": hex(0),
            "logIndex": hex(index),
            "removed": False,
        }
        if self.with_block_timestamps:
            log["blockTimestamp"] = hex(self.timestamps[block])
        self.logs.append(log)

    @staticmethod
    def block_hash(number: int) -> str:
        return "0x" + keccak(text=f"block-{number}").hex()

    def answer(self, method: str, params: list[Any]) -> Any:
        self.requests.append(method)
        if method == "eth_chainId":
            return hex(CHAIN_ID)
        if method == "eth_blockNumber":
            return hex(self.head)
        if method == "eth_getBlockByNumber":
            number = int(params[0], 16)
            if number not in self.timestamps:
                return None
            return {"number": params[0], "timestamp": hex(self.timestamps[number]), "hash": self.block_hash(number)}
        if method == "eth_call":
            return self.view(params[0]["to"], params[0]["data"])
        if method == "eth_getLogs":
            query = params[0]
            start, end = int(query["fromBlock"], 16), int(query["toBlock"], 16)
            if self.max_log_span is not None and end - start + 1 > self.max_log_span:
                raise _RangeRefusedError
            wanted = {address.lower() for address in query["address"]}
            return [
                log for log in self.logs if start <= int(log["blockNumber"], 16) <= end and log["address"] in wanted
            ]
        raise AssertionError(f"unexpected RPC method {method}")

    def view(self, to: str, data: str) -> str:
        views = {
            (ADDRESSES["ContributionLedger"], "genesis()"): ("uint48", GENESIS),
            (ADDRESSES["ContributionLedger"], "epochLength()"): ("uint48", LENGTH),
            (ADDRESSES["ContributionLedger"], "gracePeriod()"): ("uint48", GRACE),
            (ADDRESSES["UnionTreasury"], "distributor()"): ("address", ADDRESSES["DividendDistributor"]),
        }
        for (address, signature), (kind, value) in views.items():
            if to.lower() == address.lower() and data[2:10] == function_signature_to_4byte_selector(signature).hex():
                return _word(kind, value)
        raise AssertionError(f"unexpected eth_call to {to} with {data[:10]}")

    def client(self) -> JsonRpcClient:
        def handle(request: httpx.Request) -> httpx.Response:
            calls = json.loads(request.content)
            replies = []
            for call in calls:
                try:
                    replies.append(
                        {"jsonrpc": "2.0", "id": call["id"], "result": self.answer(call["method"], call["params"])}
                    )
                except _RangeRefusedError:
                    replies.append(
                        {
                            "jsonrpc": "2.0",
                            "id": call["id"],
                            "error": {"code": -32005, "message": "query returned more than 10000 results"},
                        }
                    )
            return httpx.Response(200, json=replies)

        return JsonRpcClient("http://node", transport=httpx.MockTransport(handle), sleep=lambda _: None)

    def reader(self, *, confirmations: int = 0) -> RpcPlanInputsReader:
        return RpcPlanInputsReader.open(self.client(), manifest(), confirmations=confirmations)


class _RangeRefusedError(Exception):
    """The fake node refuses an ``eth_getLogs`` range."""


def start(epoch: int) -> int:
    return GENESIS + (epoch - 1) * LENGTH


def policy(chain: FakeChain, block: int, reserve: int = 0, operations: int = 0, floor: int = 0, cap: int = 0) -> None:
    chain.emit(
        block,
        "UnionTreasury",
        "DividendPolicySet",
        reserveBps=reserve,
        operationsBps=operations,
        floorBps=floor,
        capBps=cap,
        operationsAccount=OPS if operations else ZERO_ADDRESS,
    )


def entry(chain: FakeChain, block: int, entry_id: int, epoch: int, member: str, units: int) -> None:
    chain.emit(
        block,
        "ContributionLedger",
        "ContributionRecorded",
        entryId=entry_id,
        epoch=epoch,
        member=member,
        units=units,
        evidence=bytes(32),
    )


def revenue(chain: FakeChain, block: int, amount: int, purpose: bytes = bytes(32), token: str = ZERO_ADDRESS) -> None:
    epoch = (chain.timestamps[block] - GENESIS) // LENGTH + 1
    chain.emit(
        block,
        "UnionTreasury",
        "RevenueReceived",
        token=token,
        purposeId=purpose,
        payer=CAROL,
        amount=amount,
        epoch=epoch,
        licenseRef="licence",
    )


def consent(chain: FakeChain, block: int, member: str, granted: bool) -> None:
    chain.emit(
        block, "UnionMembership", "ConsentChanged", member=member, purposeId=bytes.fromhex(AI[2:]), granted=granted
    )


def deployed() -> FakeChain:
    """A chain whose treasury constructor set the first policy (block 1, before genesis)."""
    chain = FakeChain()
    policy(chain, 1, reserve=1_000)
    return chain


def allocations(plan: Plan, epoch: int, purpose: str) -> dict[ChecksumAddress, int]:
    outcome = next(item for item in plan.epochs[epoch - plan.from_epoch - 1].purposes if item.purpose == purpose)
    return dict(outcome.allocations)


def mine_all(chain: FakeChain, timestamps: Iterable[int]) -> list[int]:
    return [chain.mine(timestamp) for timestamp in timestamps]


# ---------------------------------------------------------------------------------------------------- tests


def test_every_followed_event_decodes_into_its_fact_with_the_block_time() -> None:
    chain = deployed()
    block = chain.mine(start(1) + 5)
    entry(chain, block, 1, 1, ALICE, 7)
    chain.emit(block, "ContributionLedger", "ContributionRevoked", entryId=1, epoch=1, recorder=CAROL)
    revenue(chain, block, 500, bytes.fromhex(AI[2:]))
    chain.emit(block, "UnionTreasury", "UnattributedBooked", token=ZERO_ADDRESS, amount=40, epoch=1)
    consent(chain, block, BOB, True)
    chain.emit(block, "UnionTreasury", "EarmarkReleased", token=ZERO_ADDRESS, purposeId=bytes(32), amount=3, memo="m")
    chain.emit(
        block,
        "UnionTreasury",
        "PurposeFunded",
        token=ZERO_ADDRESS,
        purposeId=bytes(32),
        throughEpoch=1,
        amount=9,
        reserveReleased=1,
    )
    chain.emit(
        block,
        "UnionTreasury",
        "DividendsFunded",
        token=ZERO_ADDRESS,
        fromEpoch=0,
        throughEpoch=1,
        amount=9,
        reserveReleased=1,
        newRoot=b"\x01" * 32,
        planHash=b"\x02" * 32,
    )
    chain.emit(block, "DividendDistributor", "Claimed", token=ZERO_ADDRESS, account=BOB, amount=4, cumulativeAmount=6)
    facts = chain.reader().facts(BlockNumber(chain.head))
    (recorded,) = facts.contributions
    assert (recorded.entry_id, recorded.epoch, recorded.member, recorded.units) == (1, 1, ALICE, 7)
    assert [(item.entry_id, item.epoch) for item in facts.revocations] == [(1, 1)]
    assert [(item.purpose, item.amount, item.timestamp) for item in facts.revenues] == [
        (AI, 500, start(1) + 5),
        (GENERAL_PURPOSE, 40, start(1) + 5),  # booked unattributed inflow is general revenue
    ]
    assert [(item.member, item.purpose, item.granted) for item in facts.consent_changes] == [(BOB, AI, True)]
    assert [item.policy.reserve_bps for item in facts.policy_changes] == [1_000]  # the constructor's
    assert [(item.purpose, item.amount) for item in facts.earmark_releases] == [(GENERAL_PURPOSE, 3)]
    (funded,) = facts.funded_rounds
    assert (funded.from_epoch, funded.through_epoch, funded.root) == (0, 1, "0x" + "01" * 32)
    assert funded.purposes == {GENERAL_PURPOSE: PurposeFunding(9, 1)}  # its PurposeFunded, logged just before
    assert facts.earmarks(ZERO_ADDRESS) == {AI: 500, GENERAL_PURPOSE: 40 - 3 - 10}
    assert [(item.account, item.amount, item.cumulative_amount) for item in facts.claims] == [(BOB, 4, 6)]
    assert recorded.event.block_number == block
    assert facts.blocks.from_block == 1


def test_consent_counts_only_when_changed_strictly_before_the_epoch_start() -> None:
    chain = deployed()
    early, on_start, inside = mine_all(chain, [start(2) - 1, start(2), start(2) + 50])
    consent(chain, early, ALICE, True)
    consent(chain, on_start, BOB, True)  # at start(2): counts from epoch 3 only
    entry(chain, inside, 1, 2, ALICE, 1)
    entry(chain, inside, 2, 2, BOB, 1)
    revenue(chain, inside, 1_000, bytes.fromhex(AI[2:]))
    chain.mine(start(3) + GRACE)
    plan = PlanHistory(chain.reader()).next_plan(ZERO_ADDRESS, 2)
    assert allocations(plan, 2, AI) == {ALICE: 900}


def test_a_revocation_counts_only_in_the_entry_s_own_epoch() -> None:
    chain = deployed()
    first, second = mine_all(chain, [start(1) + 1, start(2) + 1])
    entry(chain, first, 1, 1, ALICE, 1)
    entry(chain, first, 2, 1, BOB, 1)
    revenue(chain, first, 1_000)
    chain.emit(second, "ContributionLedger", "ContributionRevoked", entryId=2, epoch=2, recorder=CAROL)  # wrong epoch
    chain.emit(first, "ContributionLedger", "ContributionRevoked", entryId=1, epoch=1, recorder=CAROL)
    chain.mine(start(2) + GRACE)
    plan = PlanHistory(chain.reader()).next_plan(ZERO_ADDRESS, 1)
    assert allocations(plan, 1, GENERAL_PURPOSE) == {BOB: 900}


def test_revenue_belongs_to_the_epoch_of_its_block_time_and_the_policy_in_force_at_the_epoch_end() -> None:
    chain = deployed()
    last_of_1, first_of_2, policy_block, after_end = mine_all(chain, [start(2) - 1, start(2), start(3) - 1, start(3)])
    entry(chain, last_of_1, 1, 1, ALICE, 1)
    entry(chain, first_of_2, 2, 2, ALICE, 1)
    revenue(chain, last_of_1, 1_000)
    revenue(chain, first_of_2, 2_000)
    policy(chain, policy_block, reserve=5_000)  # set before end(2): governs epoch 2
    policy(chain, after_end, reserve=0)  # set at end(2): governs epoch 3 onwards
    chain.mine(start(3) + GRACE)
    plan = PlanHistory(chain.reader()).next_plan(ZERO_ADDRESS, 2)
    assert allocations(plan, 1, GENERAL_PURPOSE) == {ALICE: 900}
    assert allocations(plan, 2, GENERAL_PURPOSE) == {ALICE: 1_000}
    assert (plan.totals.amount, plan.totals.reserve_released) == (1_900, 1_100)


def test_the_closing_block_is_the_first_final_block_at_or_after_end_plus_grace() -> None:
    chain = deployed()
    mine_all(chain, [start(1) + 10, start(2) + GRACE - 1, start(2) + GRACE, start(2) + GRACE, start(2) + 90])
    reader = chain.reader()
    closing = reader.closing_block(EpochId(1))
    assert closing is not None
    assert (closing.number, closing.timestamp) == (4, start(2) + GRACE)
    assert reader.closing_block(EpochId(2)) is None
    assert chain.reader(confirmations=3).closing_block(EpochId(1)) is None  # block 4 is not final yet


def test_a_plan_through_an_epoch_whose_grace_window_is_open_is_refused() -> None:
    chain = deployed()
    chain.mine(start(2) + GRACE - 1)
    with pytest.raises(PlanNotReadyError, match="epoch 1 cannot be planned yet"):
        PlanHistory(chain.reader()).next_plan(ZERO_ADDRESS, 1)


def test_logs_without_block_timestamps_take_their_header_times() -> None:
    chain = FakeChain(with_block_timestamps=False)
    policy(chain, 1)
    block = chain.mine(start(1) + 33)
    revenue(chain, block, 10)
    facts = chain.reader().facts(BlockNumber(chain.head))
    assert [item.timestamp for item in facts.revenues] == [start(1) + 33]
    assert "eth_getBlockByNumber" in chain.requests


def test_refused_log_ranges_are_split_and_no_block_is_skipped() -> None:
    chain = deployed()
    chain.max_log_span = 2
    blocks = mine_all(chain, [start(1) + offset for offset in range(1, 12)])
    for entry_id, block in enumerate(blocks, start=1):
        entry(chain, block, entry_id, 1, ALICE, 1)
    facts = chain.reader().facts(BlockNumber(chain.head))
    assert [item.entry_id for item in facts.contributions] == list(range(1, 12))


def test_a_manifest_whose_schedule_differs_from_the_ledger_is_refused() -> None:
    chain = deployed()
    with pytest.raises(ManifestError, match="epoch schedule"):
        RpcPlanInputsReader.open(chain.client(), manifest(genesis=GENESIS + 1))


def test_revenue_logged_in_another_epoch_than_its_block_time_is_refused() -> None:
    chain = deployed()
    block = chain.mine(start(2) + 1)
    chain.emit(
        block,
        "UnionTreasury",
        "RevenueReceived",
        token=ZERO_ADDRESS,
        purposeId=bytes(32),
        payer=CAROL,
        amount=5,
        epoch=1,
        licenseRef="x",
    )
    with pytest.raises(UnionValueError, match="schedule does not match the chain"):
        chain.reader().facts(BlockNumber(chain.head))


def test_facts_through_a_block_leave_out_later_events() -> None:
    chain = deployed()
    first, second = mine_all(chain, [start(1) + 1, start(1) + 2])
    entry(chain, first, 1, 1, ALICE, 1)
    entry(chain, second, 2, 1, BOB, 1)
    reader = chain.reader()
    assert [
        item.entry_id for item in reader.facts(BlockNumber(chain.head)).through_block(BlockNumber(first)).contributions
    ] == [1]
    assert [item.entry_id for item in reader.facts(BlockNumber(first)).contributions] == [1]


def test_funded_rounds_are_rebuilt_in_order_and_the_next_plan_starts_from_the_last() -> None:
    chain = deployed()
    block = chain.mine(start(1) + 1)
    entry(chain, block, 1, 1, ALICE, 1)
    revenue(chain, block, 1_000)
    chain.mine(start(2) + GRACE)
    first = PlanHistory(chain.reader()).next_plan(ZERO_ADDRESS, 1)
    funded_at = chain.mine(start(2) + GRACE + 5)
    for purpose, amount, reserve in first.purpose_fundings():
        chain.emit(
            funded_at,
            "UnionTreasury",
            "PurposeFunded",
            token=ZERO_ADDRESS,
            purposeId=bytes.fromhex(purpose[2:]),
            throughEpoch=1,
            amount=amount,
            reserveReleased=reserve,
        )
    chain.emit(
        funded_at,
        "UnionTreasury",
        "DividendsFunded",
        token=ZERO_ADDRESS,
        fromEpoch=0,
        throughEpoch=1,
        amount=first.totals.amount,
        reserveReleased=first.totals.reserve_released,
        newRoot=bytes.fromhex(first.root[2:]),
        planHash=bytes.fromhex(first.plan_hash[2:]),
    )
    later = chain.mine(start(2) + 50)
    entry(chain, later, 2, 2, BOB, 1)
    revenue(chain, later, 500)
    chain.mine(start(3) + GRACE)
    history = PlanHistory(chain.reader())
    (rebuilt,) = history.rebuilt_rounds(ZERO_ADDRESS)
    assert rebuilt.reproduced
    assert rebuilt.plan.canonical_bytes() == first.canonical_bytes()
    second = history.next_plan(ZERO_ADDRESS, 2)
    assert (second.from_epoch, second.through_epoch) == (1, 2)
    assert second.previous_cumulative == {ALICE: 900}
    assert second.new_cumulative == {ALICE: 900, BOB: 450}


def test_the_next_plan_refuses_to_build_on_a_round_that_does_not_reproduce_unless_given_its_document() -> None:
    chain = deployed()
    block = chain.mine(start(1) + 1)
    entry(chain, block, 1, 1, ALICE, 1)
    revenue(chain, block, 1_000)
    chain.mine(start(2) + GRACE)
    honest = PlanHistory(chain.reader()).next_plan(ZERO_ADDRESS, 1)
    published = Plan.from_json(honest.model_copy(update={"root": "0x" + "ab" * 32}).model_dump_json(by_alias=True))
    funded_at = chain.mine(start(2) + GRACE + 5)
    for purpose, amount, reserve in published.purpose_fundings():
        chain.emit(
            funded_at,
            "UnionTreasury",
            "PurposeFunded",
            token=ZERO_ADDRESS,
            purposeId=bytes.fromhex(purpose[2:]),
            throughEpoch=1,
            amount=amount,
            reserveReleased=reserve,
        )
    chain.emit(
        funded_at,
        "UnionTreasury",
        "DividendsFunded",
        token=ZERO_ADDRESS,
        fromEpoch=0,
        throughEpoch=1,
        amount=published.totals.amount,
        reserveReleased=published.totals.reserve_released,
        newRoot=bytes.fromhex(published.root[2:]),
        planHash=bytes.fromhex(published.plan_hash[2:]),
    )
    chain.mine(start(3) + GRACE)
    with pytest.raises(UnionValueError, match="does not reproduce from chain data"):
        PlanHistory(chain.reader()).next_plan(ZERO_ADDRESS, 2)
    on_published = PlanHistory(chain.reader(), documents=[published]).next_plan(ZERO_ADDRESS, 2)
    assert on_published.previous_cumulative == published.new_cumulative
