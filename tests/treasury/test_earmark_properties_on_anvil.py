"""No governance action can make a token's dividends unfundable (issue #20): a property over random histories on anvil.

Random sequences of payments (ETH and an ERC-20, three purposes), contributions, consent changes, earmark releases
(within and beyond a purpose's carry, and beyond its earmark), unattributed inflows and their booking, transfers
(within and beyond the free balance), policy changes and fundings run against the real contracts. Governance actions
are executed as the timelock would execute them after a vote (anvil impersonation: the votes are tested elsewhere);
every funding is the planner's plan, read from the chain as ``union plan`` reads it.

What must hold:

- every plan the planner makes executes (``fundDividends`` succeeds), unless a release of its token was executed
  after the plan's last epoch ended — the one case the design leaves to the scheduler's simulation (DESIGN §8) —
  and then the treasury refuses it with ``TreasuryExceedsEarmark`` and a later plan executes: the token is never
  blocked;
- a release beyond its purpose's earmark, and a transfer beyond the free balance, are refused with their named errors;
- per token, Σ funded + Σ reserve freed + Σ released ≤ Σ booked (what leaves the earmark), Σ transferred ≤ Σ released
  + Σ reserve freed (a transfer spends only freed money), hence Σ funded + Σ transferred ≤ Σ booked (money out never
  exceeds money in; the issue's "Σ funded + Σ released + Σ transferred ≤ Σ booked" would count a release that was
  then transferred twice); the purposes' earmarks sum to the token's earmark and are what the chain's events say
  (the readers' :meth:`ChainFacts.earmarks`).

Kept lean for CI (about half a minute on anvil): 16 histories of up to 35 steps, each reverted with ``evm_revert``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from eth_typing import ChecksumAddress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.contract import Contract

from scheduler.planning import last_closed_epoch
from tests.helpers.driver import UnionDriver, purpose_id
from treasury.inputs import purpose_id as checked_purpose_id
from treasury.readers import PlanHistory, RpcPlanInputsReader
from union.errors import ContractRevertError
from union.localnet import LocalAccounts, LocalUnion
from union.rpc import JsonRpcClient
from union.types import ZERO_ADDRESS

PURPOSES = ("general", "ai-training", "medical-research")
MEMBERS = [LocalAccounts.member(index) for index in range(30, 35)]


@dataclass
class Stage:
    """Members admitted (some consenting), an ERC-20 deployed, the clock just inside a fresh epoch."""

    union: UnionDriver
    token: Contract

    @property
    def tokens(self) -> tuple[ChecksumAddress, ChecksumAddress]:
        return ZERO_ADDRESS, self.token.address


@pytest.fixture(scope="module")
def stage(deployed_union: LocalUnion) -> Iterator[Stage]:
    anvil = deployed_union.anvil
    snapshot = anvil.rpc("evm_snapshot")
    union = UnionDriver(deployed_union)
    try:
        union.admit([member.address for member in MEMBERS])
        token = union.deploy_token()
        for member, purposes in zip(
            MEMBERS,
            (("ai-training",), ("ai-training", "medical-research"), (), ("medical-research",), ()),
            strict=False,
        ):
            for purpose in purposes:
                union.set_consent(member, purpose, True)
        epoch = int(union.contracts.treasury.functions.currentEpoch().call())
        union.warp_to(union.epoch_start(epoch + 1) + 1)
        yield Stage(union, token)
    finally:
        anvil.rpc("evm_revert", snapshot)


@dataclass
class Ledger:
    """What the test itself did, per token, to compare with the chain's books."""

    released: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    transferred: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    late_releases: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    fundings: int = 0
    refused: int = 0


@dataclass(frozen=True)
class Pay:
    token: int
    purpose: int
    amount: int


@dataclass(frozen=True)
class Record:
    members: list[int]


@dataclass(frozen=True)
class Consent:
    member: int
    purpose: int
    granted: bool


@dataclass(frozen=True)
class Release:
    token: int
    purpose: int
    percent: int  # of what the purpose holds earmarked: beyond 100 must be refused


@dataclass(frozen=True)
class Donate:
    token: int
    amount: int


@dataclass(frozen=True)
class Book:
    token: int
    percent: int  # of the unattributed inflow


@dataclass(frozen=True)
class Transfer:
    token: int
    percent: int  # of the free balance: beyond 100 must be refused


@dataclass(frozen=True)
class Policy:
    reserve: int
    operations: int
    floor: int
    cap: int


@dataclass(frozen=True)
class Warp:
    seconds: int


@dataclass(frozen=True)
class Fund:
    token: int


Step = Pay | Record | Consent | Release | Donate | Book | Transfer | Policy | Warp | Fund

tokens = st.integers(0, 1)
# Percentages around the edges that matter (within the carry, all of it, just beyond, far beyond) and anywhere.
percents = st.sampled_from([5, 30, 60, 99, 100, 101, 150]) | st.integers(1, 150)
amounts = st.sampled_from([1, 10**15, 10**18 + 7, 5 * 10**19]) | st.integers(1, 10**20)
releases = st.builds(Release, tokens, st.integers(0, 2), percents)
fundings = st.builds(Fund, tokens)
warps = st.builds(Warp, st.sampled_from([600, 3_000, 3_600, 4_300]) | st.integers(60, 7_200))
payments = st.builds(Pay, tokens, st.integers(0, 2), amounts)
records = st.builds(Record, st.lists(st.integers(0, len(MEMBERS) - 1), min_size=1, max_size=3, unique=True))
steps: st.SearchStrategy[Step] = st.one_of(
    payments,
    payments,
    records,
    st.builds(Consent, st.integers(0, len(MEMBERS) - 1), st.integers(1, 2), st.booleans()),
    releases,
    releases,
    st.builds(Donate, tokens, amounts),
    st.builds(Book, tokens, st.integers(1, 100)),
    st.builds(Transfer, tokens, percents),
    st.builds(Policy, st.integers(0, 4_000), st.integers(0, 3_000), st.integers(0, 10_000), st.integers(0, 6_000)),
    warps,
    warps,
    warps,
    fundings,
    fundings,
    fundings,
)


def _refused(name: str, action: Callable[[], object]) -> None:
    """``action()`` must be refused by the chain with the named custom error, changing nothing."""
    with pytest.raises(ContractRevertError) as refusal:
        action()
    assert refusal.value.name == name, refusal.value


def _fund(stage: Stage, token: ChecksumAddress, ledger: Ledger) -> None:
    """The planner's plan of ``token`` through the last closed epoch, executed as the timelock would execute it."""
    union = stage.union
    treasury = union.contracts.treasury
    closed = last_closed_epoch(
        RpcPlanInputsReader.open(JsonRpcClient(union.anvil.rpc_url), union.union.manifest).schedule, union.now()
    )
    last = int(union.contracts.distributor.functions.lastFundedEpoch(token).call())
    if closed <= last:
        return
    reader = RpcPlanInputsReader.open(JsonRpcClient(union.anvil.rpc_url), union.union.manifest)
    plan = PlanHistory(reader).next_plan(token, closed)
    purposes = [(bytes.fromhex(p[2:]), amount, reserve) for p, amount, reserve in plan.purpose_fundings()]
    call = treasury.functions.fundDividends(
        token, last, closed, purposes, bytes.fromhex(plan.root[2:]), bytes.fromhex(plan.plan_hash[2:])
    )
    late = [at for at in ledger.late_releases[token] if at >= union.epoch_end(closed)]
    if not late:
        union.as_timelock(call)  # raises if the treasury refused the planner's plan
        ledger.fundings += 1
        return
    # A release executed after the range ended (the next plan's window) may leave this plan short, and only that.
    try:
        union.as_timelock(call)
        ledger.fundings += 1
    except ContractRevertError as refusal:
        if refusal.name != "TreasuryExceedsEarmark":
            raise
        ledger.refused += 1


def _step(stage: Stage, step: Step, ledger: Ledger) -> None:
    union = stage.union
    contract = union.contracts.treasury
    treasury = contract.functions
    match step:
        case Pay(token, purpose, amount):
            if stage.tokens[token] == ZERO_ADDRESS:
                union.anvil.rpc("anvil_setBalance", union.accounts.buyer.address, hex(10**24))
                union.pay_eth(union.accounts.buyer, amount, PURPOSES[purpose])
            else:
                union.pay_token(stage.token, union.accounts.buyer, amount, PURPOSES[purpose])
        case Record(members):
            epoch = int(treasury.currentEpoch().call())
            union.record(epoch, [(MEMBERS[i].address, 1 + i, bytes([epoch % 256, i]) * 16) for i in members])
        case Consent(member, purpose, granted):
            union.set_consent(MEMBERS[member], PURPOSES[purpose], granted)
        case Release(token, purpose, percent):
            asset, purpose_bytes = stage.tokens[token], purpose_id(PURPOSES[purpose])
            held = int(treasury.earmarkedFor(asset, purpose_bytes).call())
            amount = max(1, held * percent // 100)
            call = treasury.releaseEarmark(asset, purpose_bytes, amount, "property")
            if amount > held:
                _refused("TreasuryExceedsEarmark", lambda: union.as_timelock(call))
                return
            union.as_timelock(call)
            ledger.released[asset] += amount
            ledger.late_releases[asset].append(union.now())
        case Donate(token, amount):
            asset = stage.tokens[token]
            if asset == ZERO_ADDRESS:
                held = union.balance_of(asset, contract.address)
                union.anvil.rpc("anvil_setBalance", contract.address, hex(held + amount))
            else:
                union.transact(union.accounts.deployer, stage.token.functions.mint(contract.address, amount))
        case Book(token, percent):
            asset = stage.tokens[token]
            amount = int(treasury.unattributed(asset).call()) * percent // 100
            if amount:
                union.as_timelock(treasury.bookUnattributed(asset, amount))
        case Transfer(token, percent):
            asset = stage.tokens[token]
            free = int(treasury.freeBalance(asset).call())
            amount = max(1, free * percent // 100)
            call = treasury.transfer(asset, union.accounts.operations.address, amount, "property")
            if amount > free:
                _refused("TreasuryExceedsFreeBalance", lambda: union.as_timelock(call))
                return
            union.as_timelock(call)
            ledger.transferred[asset] += amount
        case Policy(reserve, operations, floor, cap):
            account = union.accounts.operations.address if operations else ZERO_ADDRESS
            union.as_timelock(treasury.setDividendPolicy((reserve, operations, floor, cap, account)))
        case Warp(seconds):
            union.advance(seconds)
        case Fund(token):
            _fund(stage, stage.tokens[token], ledger)


def _check_books(stage: Stage, ledger: Ledger) -> None:
    union = stage.union
    treasury = union.contracts.treasury.functions
    distributor = union.contracts.distributor.functions
    reader = RpcPlanInputsReader.open(JsonRpcClient(union.anvil.rpc_url), union.union.manifest)
    facts = reader.facts(reader.final_block().number)
    for token in stage.tokens:
        booked = int(treasury.bookedRevenue(token).call())
        funded = int(distributor.totalFunded(token).call())
        reserve = sum(item.reserve_released for item in facts.rounds_of(token))
        released, transferred = ledger.released[token], ledger.transferred[token]
        # Out of the earmark: funded, reserve freed and releases never exceed what was booked into it...
        assert funded + reserve + released <= booked
        # ...a transfer spends only what was freed (a release, a reserve), so money out never exceeds money in.
        assert transferred <= released + reserve
        assert funded + transferred <= booked
        assert int(treasury.outflows(token).call()) == funded + transferred
        held = {purpose: int(treasury.earmarkedFor(token, purpose_id(purpose)).call()) for purpose in PURPOSES}
        assert sum(held.values()) == int(treasury.earmarked(token).call())
        from_events = facts.earmarks(token)
        assert {checked_purpose_id(purpose_id(p)): amount for p, amount in held.items() if amount} == from_events
        assert union.balance_of(token, union.contracts.treasury.address) >= sum(held.values())


@settings(
    max_examples=16,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(history=st.lists(steps, min_size=10, max_size=28))
def test_no_governance_action_makes_a_later_plan_unfundable(stage: Stage, history: list[Step]) -> None:
    union = stage.union
    snapshot = union.anvil.rpc("evm_snapshot")
    union.reset_nonces()
    ledger = Ledger()
    # Every history starts from revenue for every purpose in both tokens, and work to pay it to.
    prelude: list[Step] = [Pay(token, purpose, 10**18 * (1 + purpose)) for token in (0, 1) for purpose in range(3)]
    try:
        for step in [*prelude, Record(list(range(len(MEMBERS)))), *history]:
            _step(stage, step, ledger)
            if isinstance(step, Fund):
                _check_books(stage, ledger)
        # The token is never blocked: once an epoch closes with no release after it, the next plan executes
        # (``_fund`` accepts a refusal only when a release was executed after the plan's last epoch).
        union.warp_to(union.grace_end(int(union.contracts.treasury.functions.currentEpoch().call())) + 1)
        for token in stage.tokens:
            _fund(stage, token, ledger)
        _check_books(stage, ledger)
    finally:
        union.anvil.rpc("evm_revert", snapshot)
        union.reset_nonces()
