"""Gas benchmark: what each action of the union costs, measured on a real anvil with the deployed contracts.

``python -m bench.gas`` deploys the union on a fresh anvil (the local config, with a 60 % quorum so a vote can be
measured before, at and after the quorum is reached), drives it the way its users do (``tests.helpers.driver``) and
reads ``gasUsed`` from each receipt: the whole transaction, 21,000 base and calldata included, after refunds — what
the sender pays for. Each figure is split into intrinsic gas (base + calldata, by EIP-2028 pricing) and execution,
so a contract owner can see where the gas goes. Results go to ``bench/results/gas.json`` and ``gas.md``.

This is a benchmark, not a test: nothing is asserted about the figures; each target is recorded with its value and a
pass/fail flag for the reader. The figures are deterministic (fixed seeds, fixed amounts): a run on the same commit
gives the same numbers.

The scenario, in order:

1. Five members (the voters) are admitted; revenue is paid in an ERC-20 and in ETH (first and repeat payments).
2. Thirteen ``fundDividends`` rounds for the token are proposed, voted, queued and executed, one epoch each, every one
   a new cumulative root: rounds 1–12 over a 1,000-account tree, round 13 over a 1,000,000-account tree built here
   (the distributor needs only its root and the funds: round 13's increment is Σ new − Σ old). One ETH round too.
3. Claims between the rounds: a first-ever claim; a first-ever claim after 12 unclaimed epochs (one transaction, the
   cumulative design); steady-state claims (the account claimed before and holds the token) from the 1,000 and the
   1,000,000 trees — the headline is an account that claimed after round 1 and then left 12 epochs unclaimed; a claim
   sent by a third party; first-ever ETH claims by the account and, for an account holding no ETH, by a relay.
4. Admissions (a batch of 1, batches of 100) and contributions (a batch of 500 entries for 500 distinct members, each
   checked for membership by the ledger).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address
from web3.contract import Contract
from web3.types import TxReceipt

from tests.helpers.driver import UnionDriver
from treasury.merkle import StandardMerkleTree
from union.chain import AnvilProcess
from union.localnet import LocalAccounts, deploy_local_union, local_deploy_config
from union.paths import project_root
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalSpec, ProposalState, fund_dividends_proposal
from voting.typed_data import VoteSupport

__all__ = ["GasReport", "Measurement", "TargetCheck", "main", "run_benchmark"]

logger = logging.getLogger("bench.gas")

DESCRIPTION: Final = "Measure the union's gas on a fresh anvil; write bench/results/gas.json and gas.md."

BASE_TX_GAS: Final = 21_000
ZERO_BYTE_GAS: Final = 4
NONZERO_BYTE_GAS: Final = 16
PRAGUE_FLOOR_GAS_PER_TOKEN: Final = 10

SMALL_TREE: Final = 1_000
LARGE_TREE: Final = 1_000_000
TOKEN_ROUNDS: Final = 13  # rounds 1–12 over the small tree, round 13 over the large one
UNCLAIMED_EPOCHS: Final = 12
ADMISSION_BATCH: Final = 100
ADMISSION_BATCHES: Final = 5  # 500 fresh members, so the contribution batch names 500 distinct members
CONTRIBUTION_BATCH: Final = 500
VOTERS: Final = 5
QUORUM_PERCENT: Final = 60  # 3 of the 5 voters (also the minimum): the first, a middle and the quorum-reaching vote
CANDIDATES: Final = 16  # keyed accounts the claim roles are picked from
SEED: Final = 20_260_522
LEAF_ENCODING: Final = ["address", "uint256"]

TARGET_CLAIM_1M: Final = 70_000
ANCHOR_BITMAP_12_EPOCHS: Final = 1_000_000
TARGET_CONTRIBUTION_ENTRY: Final = 7_500
TARGET_ADMISSION: Final = 60_000


@dataclass(frozen=True, slots=True)
class Measurement:
    """One measured transaction: its receipt's gas, split into intrinsic (base + calldata) and execution."""

    name: str
    operation: str
    gas_used: int
    items: int
    calldata_bytes: int
    calldata_zero_bytes: int
    logs: int
    tx_hash: str
    notes: str = ""
    proof_length: int | None = None

    @property
    def calldata_gas(self) -> int:
        nonzero = self.calldata_bytes - self.calldata_zero_bytes
        return self.calldata_zero_bytes * ZERO_BYTE_GAS + nonzero * NONZERO_BYTE_GAS

    @property
    def calldata_floor_gas(self) -> int:
        """EIP-7623 (Prague): a transaction pays at least 21,000 + 10 gas per calldata token (zero byte 1, other 4)."""
        nonzero = self.calldata_bytes - self.calldata_zero_bytes
        return BASE_TX_GAS + PRAGUE_FLOOR_GAS_PER_TOKEN * (self.calldata_zero_bytes + 4 * nonzero)

    @property
    def execution_gas(self) -> int:
        return self.gas_used - BASE_TX_GAS - self.calldata_gas

    @property
    def gas_per_item(self) -> int:
        return round(self.gas_used / self.items)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data |= {
            "gas_per_item": self.gas_per_item,
            "intrinsic_base_gas": BASE_TX_GAS,
            "calldata_gas": self.calldata_gas,
            "execution_gas": self.execution_gas,
            "calldata_gas_per_item": round(self.calldata_gas / self.items),
            "execution_gas_per_item": round(self.execution_gas / self.items),
            "prague_calldata_floor_gas": self.calldata_floor_gas,
        }
        if self.proof_length is None:
            del data["proof_length"]
        return data


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """A figure against its target (lower is better): the value, the bound, and whether it holds."""

    key: str
    measurement: str
    value: int
    target: int
    anchor: str

    @property
    def ok(self) -> bool:
        return self.value <= self.target

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"comparison": "<=", "ok": self.ok, "margin": self.target - self.value}


@dataclass
class GasReport:
    """Everything a run measured, with the environment that produced it."""

    environment: dict[str, Any]
    measurements: list[Measurement] = field(default_factory=list)

    def get(self, name: str) -> Measurement:
        for measurement in self.measurements:
            if measurement.name == name:
                return measurement
        raise KeyError(name)

    def targets(self) -> list[TargetCheck]:
        return [
            TargetCheck(
                "claim_1m_gas",
                "claim_erc20_steady_1m_12_unclaimed",
                self.get("claim_erc20_steady_1m_12_unclaimed").gas_used,
                TARGET_CLAIM_1M,
                "steady-state ERC-20 claim, 1,000,000-account tree (20-hash proof), by the account itself; "
                "lean cumulative distributor measured 69,300; Streamr withdrawAll 126,000",
            ),
            TargetCheck(
                "claim_after_12_epochs_gas",
                "claim_erc20_first_after_12_epochs_1k",
                self.get("claim_erc20_first_after_12_epochs_1k").gas_used,
                ANCHOR_BITMAP_12_EPOCHS,
                "one transaction for 12 unclaimed epochs; a per-epoch bitmap distributor (Uniswap style) needs "
                "12 claims of 73,900-90,900 gas: about 1,000,000",
            ),
            TargetCheck(
                "contribution_entry_gas_batch500",
                "record_batch_500",
                self.get("record_batch_500").gas_per_item,
                TARGET_CONTRIBUTION_ENTRY,
                "per entry in a batch of 500, membership check included; Streamr addMemberWithWeight "
                "58,000-78,000 per member; lean ledger measured 7,100",
            ),
            TargetCheck(
                "admission_gas_batch100",
                "admit_batch_100",
                self.get("admit_batch_100").gas_per_item,
                TARGET_ADMISSION,
                "per member in a batch of 100; OZ ERC721Votes measured 122,000",
            ),
        ]

    def as_json(self) -> dict[str, Any]:
        targets = self.targets()
        return {
            **self.environment,
            "summary": {check.key: check.value for check in targets},
            "targets": {check.key: check.as_json() for check in targets},
            "all_targets_ok": all(check.ok for check in targets),
            "details": [measurement.as_json() for measurement in self.measurements],
        }

    def as_markdown(self) -> str:
        env = self.environment
        lines = [
            "# Gas benchmark",
            "",
            f"Measured {env['date']} on anvil ({env['anvil_version']}, hardfork {env['hardfork']}) with solc "
            f"{env['solc_version']}, commit `{env['git_commit'][:12]}`{' (dirty tree)' if env['git_dirty'] else ''}. "
            f"Command: `{env['command']}`.",
            "",
            "Gas is the receipt's `gasUsed`: the whole transaction, 21,000 base and calldata included, after refunds. "
            "Calldata gas is EIP-2028 pricing (4 per zero byte, 16 per other byte); execution = gas used − 21,000 − "
            "calldata. For a batch, per item = gas used / items (the base and the batch overhead shared).",
            "",
            "## Targets",
            "",
            "| figure | value | target | ok | compared with |",
            "|---|---:|---:|:---:|---|",
        ]
        for check in self.targets():
            lines.append(
                f"| `{check.key}` | {check.value:,} | ≤ {check.target:,} | {'yes' if check.ok else '**NO**'} "
                f"| {check.anchor} |"
            )
        lines += [
            "",
            "## Every measurement",
            "",
            "| operation | gas used | items | gas / item | calldata bytes | calldata gas | execution gas | proof "
            "| notes |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for m in self.measurements:
            proof = "" if m.proof_length is None else str(m.proof_length)
            notes = m.notes
            if m.items > 1:
                notes += (
                    f"; per item: calldata {round(m.calldata_gas / m.items):,}, "
                    f"execution {round(m.execution_gas / m.items):,}"
                )
            lines.append(
                f"| {m.operation} | {m.gas_used:,} | {m.items} | {m.gas_per_item:,} | {m.calldata_bytes:,} "
                f"| {m.calldata_gas:,} | {m.execution_gas:,} | {proof} | {notes} |"
            )
        above_floor = all(m.gas_used >= m.calldata_floor_gas for m in self.measurements)
        lines += [
            "",
            "Notes: the chain runs the Cancun rules (anvil `--hardfork cancun`). Under Prague's EIP-7623 calldata "
            "floor (21,000 + 10 / 40 gas per zero / other byte; `prague_calldata_floor_gas` in gas.json) "
            + (
                "none of these transactions would cost more: each one's gas used is above its floor. "
                if above_floor
                else "some of these transactions would cost more: see `prague_calldata_floor_gas` in gas.json. "
            )
            + "Amounts are 18-decimal-sized (about 10¹⁵ wei per epoch per account); addresses and evidence hashes "
            "are random bytes, so calldata is priced as in real use. Revenue exceeds what is distributed (the "
            "reserve stays in the treasury), so no transaction here earns a refund for emptying a balance.",
            "",
        ]
        return "\n".join(lines)


# --- the population and its trees --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """The 1,000,000 accounts of the large tree: the keyed candidates first, then random addresses.

    Account ``j`` earns ``base[j]`` per epoch. The first :data:`SMALL_TREE` accounts are in every round's tree (their
    cumulative amount after round ``r`` is ``r * base[j]``); the others join in round 13 with one epoch's amount.
    """

    candidates: list[LocalAccount]
    addresses: list[bytes]
    base: list[int]

    @classmethod
    def build(cls, rng: random.Random) -> Population:
        candidates = [LocalAccounts.member(VOTERS + i) for i in range(CANDIDATES)]
        addresses = [bytes.fromhex(account.address[2:]) for account in candidates]
        addresses += [rng.randbytes(20) for _ in range(LARGE_TREE - CANDIDATES)]
        base = [10**15 + (j * 7_919 % 1_000_003) * 10**9 for j in range(LARGE_TREE)]
        return cls(candidates, addresses, base)

    def token_values(self, round_number: int) -> list[tuple[bytes, int]]:
        if round_number < TOKEN_ROUNDS:
            return [(self.addresses[j], round_number * self.base[j]) for j in range(SMALL_TREE)]
        return [
            (address, (round_number if j < SMALL_TREE else 1) * base)
            for j, (address, base) in enumerate(zip(self.addresses, self.base, strict=True))
        ]

    def eth_values(self) -> list[tuple[bytes, int]]:
        return [(self.addresses[j], self.base[j] // 10) for j in range(SMALL_TREE)]


@dataclass(frozen=True)
class Distribution:
    """One funded root: its tree, its values, their sum and the increment sent to the distributor.

    The keyed accounts sit at the front of every value list, so finding a claimer's leaf is a short scan; no index of
    a million accounts is built.
    """

    tree: StandardMerkleTree
    values: list[tuple[bytes, int]]
    total: int
    increment: int

    @classmethod
    def of(cls, values: list[tuple[bytes, int]], previous_total: int) -> Distribution:
        total = sum(amount for _, amount in values)
        return cls(StandardMerkleTree.of(values, LEAF_ENCODING), values, total, total - previous_total)

    def _position(self, account: str) -> int:
        key = bytes.fromhex(account[2:])
        return next(i for i, (address, _) in enumerate(self.values) if address == key)

    def claim_args(self, account: str) -> tuple[int, list[bytes]]:
        position = self._position(account)
        proof = [bytes.fromhex(node[2:]) for node in self.tree.get_proof(position)]
        return self.values[position][1], proof

    def proof_length(self, account: str) -> int:
        return len(self.tree.get_proof(self._position(account)))


@dataclass(frozen=True)
class ClaimRoles:
    """Who claims what: picked among the keyed candidates so each measured proof has its tree's full length."""

    steady_headline: LocalAccount  # claims after round 1, then 12 epochs unclaimed, then from the 1M tree
    steady_recent: LocalAccount  # claims after rounds 11, 12 (1k steady) and 13 (1M steady, one epoch unclaimed)
    steady_third_party: LocalAccount  # claims after round 12; a relay claims for it from the 1M tree
    dormant: LocalAccount  # first claim ever after round 12: 12 epochs in one claim
    first_1m: LocalAccount  # first claim ever from the 1M tree
    eth_self: LocalAccount  # first ETH claim, sent by the account (holds ETH)
    eth_relayed: LocalAccount  # first ETH claim, sent by a relay for an account that holds no ETH

    @classmethod
    def pick(cls, candidates: list[LocalAccount], rounds: dict[int, Distribution]) -> ClaimRoles:
        unused = list(candidates)
        small_depth = max(rounds[1].proof_length(a.address) for a in candidates)
        large_depth = max(rounds[TOKEN_ROUNDS].proof_length(a.address) for a in candidates)

        def take(predicate: Callable[[str], bool]) -> LocalAccount:
            chosen = next((a for a in unused if predicate(a.address)), unused[0])
            unused.remove(chosen)
            return chosen

        def full_large(address: str) -> bool:
            return rounds[TOKEN_ROUNDS].proof_length(address) == large_depth

        def full_small(round_number: int) -> Callable[[str], bool]:
            return lambda address: rounds[round_number].proof_length(address) == small_depth

        return cls(
            steady_headline=take(full_large),
            steady_recent=take(lambda a: full_large(a) and full_small(UNCLAIMED_EPOCHS)(a)),
            steady_third_party=take(full_large),
            dormant=take(full_small(UNCLAIMED_EPOCHS)),
            first_1m=take(full_large),
            eth_self=take(lambda _: True),
            eth_relayed=take(lambda _: True),
        )


# --- the run ----------------------------------------------------------------------------------------------------


class GasBench:
    """Drives one deployed union through the scenario and records each measured receipt."""

    def __init__(self, driver: UnionDriver, report: GasReport) -> None:
        self.driver = driver
        self.report = report
        self.rng = random.Random(SEED)
        self.voters = [LocalAccounts.member(i) for i in range(VOTERS)]

    # plumbing

    def measure(
        self,
        name: str,
        operation: str,
        receipt: TxReceipt,
        *,
        items: int = 1,
        notes: str = "",
        proof: int | None = None,
    ) -> Measurement:
        transaction = self.driver.w3.eth.get_transaction(receipt["transactionHash"])
        data = bytes(transaction["input"])
        measurement = Measurement(
            name=name,
            operation=operation,
            gas_used=int(receipt["gasUsed"]),
            items=items,
            calldata_bytes=len(data),
            calldata_zero_bytes=data.count(0),
            logs=len(receipt["logs"]),
            tx_hash=receipt["transactionHash"].to_0x_hex(),
            notes=notes,
            proof_length=proof,
        )
        self.report.measurements.append(measurement)
        logger.info("%-44s %10s gas  (%s / item)", name, f"{measurement.gas_used:,}", f"{measurement.gas_per_item:,}")
        return measurement

    def fresh_addresses(self, count: int) -> list[ChecksumAddress]:
        return [to_checksum_address(self.rng.randbytes(20)) for _ in range(count)]

    # scenario steps

    def pay_revenue(self, token: Contract, token_total: int, eth_total: int) -> None:
        d = self.driver
        buyer = d.accounts.buyer
        first = token_total // 2
        receipt = d.pay_token(token, buyer, first, "ai-training", "licence-2026-0001")
        self.measure(
            "pay_revenue_erc20_first",
            "payRevenue ERC-20 (first payment in this token)",
            receipt,
            notes="books zero→non-zero totals; transferFrom into an empty treasury balance",
        )
        receipt = d.pay_token(token, buyer, token_total - first, "ai-training", "licence-2026-0002")
        self.measure("pay_revenue_erc20", "payRevenue ERC-20 (repeat payment)", receipt, notes="steady state")
        receipt = d.pay_eth(buyer, eth_total // 2, "ai-training", "licence-2026-0003")
        self.measure("pay_revenue_eth_first", "payRevenue ETH (first payment)", receipt, notes="books zero→non-zero")
        receipt = d.pay_eth(buyer, eth_total - eth_total // 2, "ai-training", "licence-2026-0004")
        self.measure("pay_revenue_eth", "payRevenue ETH (repeat payment)", receipt, notes="steady state")

    def proposal_specs(
        self, token: Contract, rounds: dict[int, Distribution], eth_round: Distribution
    ) -> list[tuple[str, ProposalSpec]]:
        treasury = self.driver.contracts.treasury
        specs: list[tuple[str, ProposalSpec]] = []
        plan: list[tuple[str, ChecksumAddress, int, Distribution]] = [
            (f"token-{r}", to_checksum_address(token.address), r, rounds[r]) for r in sorted(rounds)
        ]
        plan.append(("eth-1", ZERO_ADDRESS, 1, eth_round))
        for key, asset, through, distribution in plan:
            plan_hash = keccak(text=f"bench plan {key} {distribution.tree.root}")
            description = (
                f"Dividends in {asset} for epochs ({through - 1}, {through}]: plan 0x{plan_hash.hex()} "
                f"https://union.example/plans/0x{plan_hash.hex()}.json"
            )
            spec = fund_dividends_proposal(
                treasury,
                token=asset,
                from_epoch=through - 1,
                through_epoch=through,
                purposes=[(keccak(text="ai-training"), distribution.increment, 0)],  # what pay_revenue booked
                new_root=distribution.tree.root_bytes,
                plan_hash=plan_hash,
                description=description,
            )
            specs.append((key, spec))
        return specs

    def govern(self, specs: list[tuple[str, ProposalSpec]]) -> None:
        """Propose every round, vote (3 of 5 reach the quorum), queue; execution is left to the claim schedule."""
        d = self.driver
        governor = d.contracts.governor
        for number, (key, spec) in enumerate(specs):
            proposer = self.voters[number % VOTERS]
            receipt = d.transact(proposer, governor.functions.propose(*spec.propose_args()))
            if key == "token-1":
                self.measure(
                    "propose_fund_dividends",
                    "propose (a fundDividends proposal)",
                    receipt,
                    notes=f"one action, {len(spec.description)}-character description with plan hash and URL",
                )
        ids = {key: spec.proposal_id() for key, spec in specs}
        d.warp_to(max(governor.functions.proposalSnapshot(pid).call() for pid in ids.values()) + 1)
        position = ("first vote on the proposal", "a middle vote", "the vote that reaches the quorum")
        for key, pid in ids.items():
            for number, voter in enumerate(self.voters[:3]):
                if key == "eth-1":
                    receipt = d.vote_by_sig(voter, pid, VoteSupport.FOR)
                    name, operation = "cast_vote_by_sig", "castVoteBySig (EIP-712 ballot sent by the relay)"
                else:
                    receipt = d.transact(voter, governor.functions.castVote(pid, int(VoteSupport.FOR)))
                    name, operation = "cast_vote", "castVote"
                if key in ("token-1", "eth-1"):
                    suffix = ("_first", "", "_quorum")[number]
                    self.measure(f"{name}{suffix}", f"{operation}: {position[number]}", receipt)
        d.warp_to(max(governor.functions.proposalDeadline(pid).call() for pid in ids.values()) + 1)
        for key, pid in ids.items():
            if d.state(pid) is not ProposalState.SUCCEEDED:
                raise RuntimeError(f"proposal {key} did not pass: {d.state(pid).name}")
        for key, spec in specs:
            receipt = d.transact(d.accounts.buyer, governor.functions.queue(*spec.lifecycle_args()))
            if key == "token-1":
                self.measure("queue_fund_dividends", "queue (a fundDividends proposal)", receipt)
        d.warp_to(max(governor.functions.proposalEta(pid).call() for pid in ids.values()))

    def execute(self, spec: ProposalSpec) -> TxReceipt:
        d = self.driver
        return d.transact(d.accounts.buyer, d.contracts.governor.functions.execute(*spec.lifecycle_args()))

    def claim(
        self, token: str, distribution: Distribution, account: LocalAccount, sender: LocalAccount | None = None
    ) -> tuple[TxReceipt, int]:
        d = self.driver
        cumulative, proof = distribution.claim_args(account.address)
        call = d.contracts.distributor.functions.claim(token, account.address, cumulative, proof)
        return d.transact(sender or account, call), len(proof)

    def distribute_and_claim(
        self,
        token: Contract,
        specs: list[tuple[str, ProposalSpec]],
        rounds: dict[int, Distribution],
        eth_round: Distribution,
        roles: ClaimRoles,
    ) -> None:
        d = self.driver
        by_key = dict(specs)
        for account in (roles.steady_headline, roles.steady_recent, roles.dormant, roles.first_1m, roles.eth_self):
            d.fund(account.address, 1)
        asset = to_checksum_address(token.address)

        receipt = self.execute(by_key["eth-1"])
        self.measure(
            "execute_fund_dividends_eth",
            "execute fundDividends, ETH (first root for ETH)",
            receipt,
            notes="timelock → treasury → distributor: ETH sent, root and totals written",
        )
        receipt, proof = self.claim(ZERO_ADDRESS, eth_round, roles.eth_self)
        self.measure(
            "claim_eth_first_1k",
            "claim ETH, first ever, 1,000-account tree, by the account",
            receipt,
            notes="claimed slot zero→non-zero; the account already holds ETH",
            proof=proof,
        )
        receipt, proof = self.claim(ZERO_ADDRESS, eth_round, roles.eth_relayed, d.accounts.relayer)
        self.measure(
            "claim_eth_first_1k_third_party",
            "claim ETH, first ever, 1,000-account tree, sent by a relay",
            receipt,
            notes="the account holds no ETH: the value transfer creates it (+25,000 new-account gas)",
            proof=proof,
        )

        for round_number in range(1, TOKEN_ROUNDS + 1):
            receipt = self.execute(by_key[f"token-{round_number}"])
            distribution = rounds[round_number]
            if round_number == 1:
                self.measure(
                    "execute_fund_dividends_erc20_first",
                    "execute fundDividends, ERC-20 (first root for the token)",
                    receipt,
                    notes="root, totals, last epoch and the distributor's token balance written zero→non-zero",
                )
                receipt, proof = self.claim(asset, distribution, roles.steady_headline)
                self.measure(
                    "claim_erc20_first_1k",
                    "claim ERC-20, first ever, 1,000-account tree, by the account",
                    receipt,
                    notes="claimed slot and the account's token balance written zero→non-zero",
                    proof=proof,
                )
            elif round_number == 2:
                self.measure(
                    "execute_fund_dividends_erc20",
                    "execute fundDividends, ERC-20 (a later round)",
                    receipt,
                    notes="steady state: every slot already non-zero",
                )
            elif round_number == UNCLAIMED_EPOCHS - 1:
                self.claim(asset, distribution, roles.steady_recent)
            elif round_number == UNCLAIMED_EPOCHS:
                receipt, proof = self.claim(asset, distribution, roles.dormant)
                self.measure(
                    "claim_erc20_first_after_12_epochs_1k",
                    "claim ERC-20 after 12 funded, unclaimed epochs (first ever), 1,000-account tree",
                    receipt,
                    notes="one transaction collects all 12 epochs (cumulative leaf)",
                    proof=proof,
                )
                receipt, proof = self.claim(asset, distribution, roles.steady_recent)
                self.measure(
                    "claim_erc20_steady_1k",
                    "claim ERC-20, steady state, 1,000-account tree, by the account",
                    receipt,
                    notes="claimed before, holds the token; one epoch unclaimed",
                    proof=proof,
                )
                self.claim(asset, distribution, roles.steady_third_party, d.accounts.relayer)
            elif round_number == TOKEN_ROUNDS:
                self.measure(
                    "execute_fund_dividends_erc20_1m",
                    "execute fundDividends, ERC-20, root of the 1,000,000-account tree",
                    receipt,
                    notes="same cost as any root: the chain sees 32 bytes",
                )
                receipt, proof = self.claim(asset, distribution, roles.steady_headline)
                self.measure(
                    "claim_erc20_steady_1m_12_unclaimed",
                    "claim ERC-20, steady state, 1,000,000-account tree, by the account (HEADLINE)",
                    receipt,
                    notes="claimed after round 1, holds the token, then left 12 epochs unclaimed: one claim takes all",
                    proof=proof,
                )
                receipt, proof = self.claim(asset, distribution, roles.steady_recent)
                self.measure(
                    "claim_erc20_steady_1m",
                    "claim ERC-20, steady state, 1,000,000-account tree, one epoch unclaimed",
                    receipt,
                    notes="same cost whatever the number of epochs",
                    proof=proof,
                )
                receipt, proof = self.claim(asset, distribution, roles.steady_third_party, d.accounts.relayer)
                self.measure(
                    "claim_erc20_steady_1m_third_party",
                    "claim ERC-20, steady state, 1,000,000-account tree, sent by a relay for the account",
                    receipt,
                    notes="the distributor pays the account, never the sender: same path",
                    proof=proof,
                )
                receipt, proof = self.claim(asset, distribution, roles.first_1m)
                self.measure(
                    "claim_erc20_first_1m",
                    "claim ERC-20, first ever, 1,000,000-account tree, by the account",
                    receipt,
                    notes="claimed slot and token balance zero→non-zero; 13 epochs in one claim",
                    proof=proof,
                )

    def admissions_and_contributions(self) -> None:
        d = self.driver
        single = self.fresh_addresses(1)
        self.measure("admit_batch_1", "admit, batch of 1", d.admit(single), notes="whole transaction for one member")
        admitted: list[ChecksumAddress] = []
        for batch in range(ADMISSION_BATCHES):
            members = self.fresh_addresses(ADMISSION_BATCH)
            receipt = d.admit(members)
            admitted += members
            if batch == 0:
                self.measure(
                    "admit_batch_100",
                    "admit, batch of 100 (per member)",
                    receipt,
                    items=ADMISSION_BATCH,
                    notes="fresh addresses; per member = gas used / 100",
                )
        epoch = int(d.contracts.ledger.functions.currentEpoch().call())
        entries = [(member, self.rng.randint(1, 1_000), self.rng.randbytes(32)) for member in admitted]
        receipt = d.record(epoch, entries[:1])
        self.measure("record_batch_1", "record contributions, batch of 1", receipt, notes="whole transaction")
        receipt = d.record(epoch, entries[:CONTRIBUTION_BATCH])
        self.measure(
            "record_batch_500",
            "record contributions, batch of 500 (per entry)",
            receipt,
            items=CONTRIBUTION_BATCH,
            notes="500 distinct members, each checked with a cold membership read; per entry = gas used / 500",
        )


def _git(*args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=project_root(), capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def run_benchmark() -> GasReport:
    """Deploy on a fresh anvil, run the scenario, return the measurements."""
    started = time.monotonic()
    population = Population.build(random.Random(SEED))
    rounds: dict[int, Distribution] = {}
    previous = 0
    for round_number in range(1, TOKEN_ROUNDS + 1):
        rounds[round_number] = Distribution.of(population.token_values(round_number), previous)
        previous = rounds[round_number].total
    eth_round = Distribution.of(population.eth_values(), 0)
    roles = ClaimRoles.pick(population.candidates, rounds)
    logger.info("trees built in %.1f s", time.monotonic() - started)

    with (
        tempfile.TemporaryDirectory(prefix="bench-gas-") as scratch,
        AnvilProcess(log_path=Path(scratch) / "anvil.log") as anvil,
    ):
        accounts = LocalAccounts.default()
        config = local_deploy_config(accounts, quorum_percent=QUORUM_PERCENT)
        union = deploy_local_union(anvil, Path(scratch) / "manifest.json", config)
        driver = UnionDriver(union)
        report = GasReport(
            environment={
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": "python -m bench.gas",
                "git_commit": _git("rev-parse", "HEAD"),
                "git_dirty": bool(_git("status", "--porcelain", "--", "contracts/src")),
                "solc_version": union.manifest.compiler_version,
                "anvil_version": str(anvil.rpc("web3_clientVersion")),
                "hardfork": "cancun",
                "block_gas_limit": int(union.w3.eth.get_block("latest")["gasLimit"]),
                "scenario": {
                    "voters": VOTERS,
                    "quorum_percent": QUORUM_PERCENT,
                    "min_quorum": config.governance.min_quorum,
                    "token_rounds": TOKEN_ROUNDS,
                    "small_tree_accounts": SMALL_TREE,
                    "large_tree_accounts": LARGE_TREE,
                    "large_tree_root": rounds[TOKEN_ROUNDS].tree.root,
                    "seed": SEED,
                },
            }
        )
        bench = GasBench(driver, report)
        driver.admit([voter.address for voter in bench.voters])
        for voter in bench.voters:
            driver.fund(voter.address, 1)
        driver.warp_to(max(driver.now(), driver.epoch_start(1)) + 10)
        token = driver.deploy_token("Bench Dollar", "BUSD")
        # Revenue beyond what the rounds distribute stays as the reserve, so no execution empties the treasury (the
        # refund for clearing its balance would flatter the last execute).
        token_total = rounds[TOKEN_ROUNDS].total
        bench.pay_revenue(token, token_total + token_total // 10, eth_round.total + eth_round.total // 10)
        driver.warp_to(driver.grace_end(TOKEN_ROUNDS) + 1)
        specs = bench.proposal_specs(token, rounds, eth_round)
        bench.govern(specs)
        bench.distribute_and_claim(token, specs, rounds, eth_round, roles)
        bench.admissions_and_contributions()
        distributor = driver.contracts.distributor
        claimed = int(distributor.functions.totalClaimed(token.address).call())
        funded = int(distributor.functions.totalFunded(token.address).call())
        if not 0 < claimed <= funded == rounds[TOKEN_ROUNDS].total:
            raise RuntimeError(f"distributor books are off: claimed {claimed}, funded {funded}")
    report.environment["duration_seconds"] = round(time.monotonic() - started, 1)
    return report


def write_report(report: GasReport, output_dir: Path) -> tuple[Path, Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    json_path = output_dir / "gas.json"
    markdown_path = output_dir / "gas.md"
    json_path.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    markdown_path.write_text(report.as_markdown(), encoding="utf-8")
    return json_path, markdown_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gas", description=DESCRIPTION)
    parser.add_argument("--output-dir", type=Path, default=project_root() / "bench" / "results")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    logger.setLevel(logging.INFO)
    report = run_benchmark()
    json_path, markdown_path = write_report(report, args.output_dir)
    for check in report.targets():
        status = "ok" if check.ok else "MISSED"
        print(f"{check.key:34} {check.value:>10,}  target <= {check.target:>9,}  {status}")
    print(f"wrote {json_path} and {markdown_path} in {report.environment['duration_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
