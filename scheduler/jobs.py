"""The scheduler's jobs (DESIGN §6). Each one reads the chain before acting, so a restart or a double fire does
nothing twice:

- :meth:`UnionJobs.follow` — index the chain into the store (the indexer's follower);
- :meth:`UnionJobs.propose_distributions` — once an epoch's grace window has closed, plan each token and propose
  ``fundDividends``; at most one live distribution proposal per token, and a plan always starts at the
  distributor's last funded epoch, so after a failed or expired vote the next plan covers the missed epochs. Each
  funding is simulated from the timelock (``eth_call``) first: a plan the treasury would refuse raises an alarm
  instead of a proposal, and a distribution proposal whose funding the treasury now refuses (e.g. a purpose's
  earmark no longer covers it) is failed — an alarm tells the guardian to cancel it, and it no longer blocks the
  token: the next plan covers its epochs;
- :meth:`UnionJobs.verify_proposals` — recompute every open distribution proposal; one that does not reproduce is
  a loud alarm (the guardian can cancel it);
- :meth:`UnionJobs.advance_proposals` — queue what succeeded, execute what the timelock allows;
- :meth:`UnionJobs.reconcile` — compare each token's chain balance with the books; never "fix" anything.

The proposal a job would make is a pure function of the chain (plan, description and so the proposal id), and
before proposing the job looks for it both in the store and on chain (``proposalSnapshot``), so a scheduler killed
right after sending a proposal does not send it again. Plans come from :class:`~treasury.readers.PlanHistory` over
the store (:class:`~indexer.plan_inputs.StorePlanInputsReader`), the history ``union verify`` builds over an RPC node.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from eth_account.signers.local import LocalAccount
from eth_typing import BlockNumber, ChecksumAddress
from hexbytes import HexBytes
from sqlalchemy import select
from web3 import Web3
from web3.contract import Contract

from indexer.follower import Follower
from indexer.models import PlanVerification, Proposal, ProposalAction
from indexer.plan_inputs import StorePlanInputsReader
from indexer.store import Store
from scheduler.alarms import AlarmBoard, AlarmKind
from scheduler.planning import block_timestamp_reader, last_closed_epoch
from treasury import EpochId, Plan, PurposeId, checksum_address, plan_differences
from treasury.inputs import purpose_id
from treasury.readers import PlanHistory
from treasury.verify import distribution_description, earmark_shortfalls
from union.chain import TransactionSender, simulate_call, tx_hash_hex
from union.contracts import UnionContracts
from union.errors import ContractRevertError, PermissionDeniedError, StoreStateError
from union.manifest import DeploymentManifest
from union.types import ZERO_ADDRESS, ProposalId
from voting.proposals import ProposalSpec, ProposalState, fund_dividends_proposal

__all__ = [
    "JOB_ORDER",
    "LIVE_STATES",
    "DistributionProposal",
    "IndependentCheck",
    "JobReport",
    "UnionJobs",
    "describe_plan",
    "plan_url",
]

logger = logging.getLogger(__name__)

LIVE_STATES: Final = frozenset(
    {ProposalState.PENDING, ProposalState.ACTIVE, ProposalState.SUCCEEDED, ProposalState.QUEUED}
)
"""States in which a proposal may still take effect: a distribution proposal in one of them blocks a new one."""

_ERC20_BALANCE_ABI: Final = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]

IndependentCheck = Callable[[ProposalId, Plan | None], list[str]]
"""An independent verification of a distribution proposal from another source than the store (an RPC node):
``(proposal id, the stored plan document if any) -> differences`` (empty when it reproduces)."""


def plan_url(public_url: str, plan_hash: str) -> str:
    """Where the API serves a plan's canonical document (relative when no public URL is configured)."""
    return f"{public_url.rstrip('/')}/v1/plans/{plan_hash}/document"


def _token_label(token: ChecksumAddress) -> str:
    return "ETH" if token == ZERO_ADDRESS else token


def describe_plan(plan: Plan, public_url: str) -> str:
    """The proposal's description (``treasury.verify``'s format, which ``union verify`` reads the plan URL back from).

    A pure function of the plan and the public URL, so the proposal id is too.
    """
    return distribution_description(plan, plan_url(public_url, plan.plan_hash))


@dataclass(frozen=True, slots=True)
class DistributionProposal:
    """A proposal whose single action is ``treasury.fundDividends``, with its decoded arguments."""

    proposal_id: ProposalId
    spec: ProposalSpec
    token: ChecksumAddress
    from_epoch: int
    through_epoch: int
    purposes: tuple[tuple[PurposeId, int, int], ...]
    root: str
    plan_hash: str

    @property
    def amount(self) -> int:
        """What it sends to the distributor (Σ over its purposes)."""
        return sum(amount for _, amount, _ in self.purposes)

    @property
    def reserve_released(self) -> int:
        """What it makes free (Σ over its purposes)."""
        return sum(reserve for _, _, reserve in self.purposes)

    @property
    def epochs(self) -> str:
        """The covered range as ``(from, through]``."""
        return f"({self.from_epoch}, {self.through_epoch}]"


@dataclass(frozen=True, slots=True)
class FailedDistribution:
    """A distribution proposal that may still pass or execute on paper, but whose funding the treasury refuses now."""

    proposal: DistributionProposal
    state: ProposalState
    refusal: ContractRevertError


@dataclass
class JobReport:
    """What one job run did (for logs and tests)."""

    job: str
    actions: list[str] = field(default_factory=list)

    def add(self, message: str, *args: object) -> None:
        text = message % args if args else message
        self.actions.append(text)
        logger.info("%s: %s", self.job, text)


class UnionJobs:
    """The jobs over one deployment; built by an entry point with its connections and keys (effects at the edge)."""

    def __init__(
        self,
        w3: Web3,
        manifest: DeploymentManifest,
        store: Store,
        follower: Follower,
        alarms: AlarmBoard,
        *,
        proposer: LocalAccount | None = None,
        confirmations: int = 0,
        public_url: str = "",
        independent_check: IndependentCheck | None = None,
        clock: Callable[[], float] = time.time,
        follow_slice: int = 50_000,
    ) -> None:
        self.w3 = w3
        self.manifest = manifest
        self.store = store
        self.follower = follower
        self.alarms = alarms
        self.contracts = UnionContracts.from_manifest(w3, manifest)
        self.sender = TransactionSender(w3, proposer) if proposer is not None else None
        self.confirmations = confirmations
        self.public_url = public_url
        self.independent_check = independent_check
        self.clock = clock
        self.follow_slice = follow_slice
        self.stop_requested = threading.Event()
        """Set when the process is stopping: a long job ends after the piece of work it is committing."""
        self.plan_inputs = StorePlanInputsReader(store, manifest, block_timestamp_reader(w3))
        """The store's facts behind the same interface ``union verify`` reads an RPC node through."""
        self._failed_executions: set[int] = set()
        self._independently_checked: dict[int, list[str]] = {}

    # ------------------------------------------------------------------ chain helpers

    def final_block(self) -> int:
        return max(0, int(self.w3.eth.block_number) - self.confirmations)

    def indexed_block(self) -> int:
        """The store's cursor (the deployment block − 1 before anything was indexed)."""
        return self.plan_inputs.indexed_block()

    def plan_history(self) -> PlanHistory:
        """The plans of every token from the store's facts up to its cursor, on the stored documents of funded rounds.

        It reads every fact when built: build one only when a plan is needed, never on every tick.
        """
        return PlanHistory(self.plan_inputs, documents=self.plan_inputs.funded_plan_documents())

    def _timestamp(self, block: int | None = None) -> int:
        """A block's timestamp (the latest block's by default)."""
        return int(self.w3.eth.get_block("latest" if block is None else BlockNumber(block))["timestamp"])

    def _state(self, proposal_id: int) -> ProposalState | None:
        """The proposal's state on chain, or None if the governor does not know it."""
        if int(self.contracts.governor.functions.proposalSnapshot(proposal_id).call()) == 0:
            return None
        return ProposalState(int(self.contracts.governor.functions.state(proposal_id).call()))

    def check_proposer(self) -> ChecksumAddress:
        """The proposing account, which must be a member now (DESIGN §2); raises :class:`PermissionDeniedError`."""
        if self.sender is None:
            raise PermissionDeniedError("no proposing key is configured (UNION_KEYSTORE); the scheduler cannot propose")
        address = self.sender.address
        if not bool(self.contracts.membership.functions.isMember(address).call()):
            raise PermissionDeniedError(
                f"the scheduler's key {address} is not a member of the union: only members may propose "
                "(admit it with `union admit`, or configure a member's keystore)"
            )
        return address

    # ------------------------------------------------------------------ store reads

    def _proposal_specs(self, only_distributions: bool) -> list[tuple[ProposalId, ProposalSpec, list[str]]]:
        """Proposals the store holds as ``(id, spec, functions)``, oldest first."""
        with self.store.engine.connect() as connection:
            proposals = connection.execute(
                select(Proposal.proposal_id, Proposal.description).order_by(Proposal.block_number, Proposal.log_index)
            ).all()
            actions: dict[str, list[Any]] = {}
            for action in connection.execute(
                select(ProposalAction).order_by(ProposalAction.proposal_id, ProposalAction.action_index)
            ):
                actions.setdefault(action.proposal_id, []).append(action)
        found = []
        for proposal_id, description in proposals:
            rows = actions.get(proposal_id, [])
            functions = [row.function for row in rows]
            if only_distributions and functions != ["fundDividends"]:
                continue
            spec = ProposalSpec(
                tuple(checksum_address(row.target) for row in rows),
                tuple(int(row.value) for row in rows),
                tuple(bytes(HexBytes(row.calldata)) for row in rows),
                description,
            )
            found.append((ProposalId(int(proposal_id)), spec, functions))
        return found

    def distribution_proposals(self) -> list[DistributionProposal]:
        """Every proposal (in the store) whose one action is ``fundDividends`` on this union's treasury."""
        treasury = self.contracts.treasury
        found = []
        for proposal_id, spec, _ in self._proposal_specs(only_distributions=True):
            if spec.targets[0] != treasury.address or spec.values[0] != 0:
                continue
            _, args = treasury.decode_function_input(spec.calldatas[0])
            found.append(
                DistributionProposal(
                    proposal_id=proposal_id,
                    spec=spec,
                    token=checksum_address(args["token"]),
                    from_epoch=int(args["fromEpoch"]),
                    through_epoch=int(args["throughEpoch"]),
                    purposes=tuple(
                        (purpose_id(bytes(item["purposeId"])), int(item["amount"]), int(item["reserveReleased"]))
                        for item in args["purposes"]
                    ),
                    root="0x" + bytes(args["newRoot"]).hex(),
                    plan_hash="0x" + bytes(args["planHash"]).hex(),
                )
            )
        return found

    def live_distribution_proposals(self) -> list[tuple[DistributionProposal, ProposalState]]:
        """Distribution proposals that may still take effect, with their state read on chain now (not the failed)."""
        return self._distributions()[0]

    def _distributions(self) -> tuple[list[tuple[DistributionProposal, ProposalState]], list[FailedDistribution]]:
        """Distribution proposals in a live state, split into those whose funding the treasury would execute now
        (simulated from the timelock) and the failed ones, which can no longer pay as they stand."""
        live: list[tuple[DistributionProposal, ProposalState]] = []
        failed: list[FailedDistribution] = []
        for proposal in self.distribution_proposals():
            state = self._state(proposal.proposal_id)
            if state not in LIVE_STATES:
                continue
            refusal = self.execution_refusal(proposal.spec)
            if refusal is None:
                live.append((proposal, state))
            else:
                failed.append(FailedDistribution(proposal, state, refusal))
        return live, failed

    def execution_refusal(self, spec: ProposalSpec) -> ContractRevertError | None:
        """What the chain would answer if the timelock executed the proposal's actions now (``eth_call`` from the
        timelock, action by action): the decoded error of the first one it refuses, or ``None``."""
        timelock = self.contracts.timelock.address
        for target, value, calldata in zip(spec.targets, spec.values, spec.calldatas, strict=True):
            try:
                simulate_call(self.w3, timelock, target, calldata, value=value)
            except ContractRevertError as refusal:
                return refusal
        return None

    def _refusal_text(
        self, token: ChecksumAddress, purposes: Iterable[tuple[PurposeId, int, int]], refusal: ContractRevertError
    ) -> str:
        """The treasury's refusal in words, with each purpose whose earmark falls short of what the plan asks."""
        treasury = self.contracts.treasury.functions
        listed = list(purposes)
        earmarks = {purpose: int(treasury.earmarkedFor(token, purpose).call()) for purpose, _, _ in listed}
        shortfalls = earmark_shortfalls(listed, earmarks, lambda purpose: f"purpose {purpose}")
        return f"{refusal}" + (f" — {'; '.join(shortfalls)}" if shortfalls else "")

    def _alarm_failed(self, failed: Iterable[FailedDistribution]) -> None:
        """One alarm per failed distribution proposal (the guardian should cancel it); cleared once it is not live."""
        keys = set()
        for item in failed:
            proposal = item.proposal
            key = f"proposal:{proposal.proposal_id}"
            keys.add(key)
            refusal = self._refusal_text(proposal.token, proposal.purposes, item.refusal)
            self.alarms.raise_alarm(
                AlarmKind.EXECUTION_FAILED,
                key,
                f"distribution proposal {proposal.proposal_id} ({item.state.name.lower()}; "
                f"{_token_label(proposal.token)}, epochs {proposal.epochs}, plan {proposal.plan_hash}) can no longer "
                f"execute: the treasury refuses its funding ({refusal}). It no longer counts as the token's live "
                "distribution proposal: the next plan covers its epochs. The guardian "
                f"should cancel it: union guardian cancel {proposal.proposal_id}",
            )
        for alarm in self.alarms.open_alarms():
            if (
                alarm.kind == AlarmKind.EXECUTION_FAILED
                and alarm.key not in keys
                and alarm.key.startswith("proposal:")
                and self._state(int(alarm.key.split(":", 1)[1])) not in LIVE_STATES
            ):
                self.alarms.clear(alarm.kind, alarm.key)  # canceled (or expired): nothing left to do

    # ------------------------------------------------------------------ jobs

    def follow(self) -> JobReport:
        """Index up to the head (minus confirmations); the store is then current for the other jobs.

        A long backfill goes in slices of ``follow_slice`` blocks, each committed, so a stop request (SIGTERM) is
        honoured after the slice being written rather than at the head.
        """
        report = JobReport("follow")
        while True:
            indexed = self.indexed_block()
            target = self.final_block()
            until = min(target, max(indexed, self.manifest.deployment_block - 1) + self.follow_slice)
            sync = self.follower.sync(until=until)
            if sync.blocks:
                report.add("indexed %d blocks (%d events) up to block %d", sync.blocks, sync.events, sync.cursor)
            if sync.cursor >= target or self.stop_requested.is_set() or not sync.blocks:
                return report

    def propose_distributions(self) -> JobReport:
        """For each token with revenue: if epochs closed since its last funded one and no distribution proposal is
        live, build the plan, store it, and propose ``fundDividends`` with the plan's URL and hash."""
        report = JobReport("propose")
        final_block = self.final_block()
        closed = last_closed_epoch(self.plan_inputs.schedule, self._timestamp(final_block))
        if closed == 0:
            return report
        if self.plan_inputs.closing_block(EpochId(closed)) is None:
            self.follower.sync()  # the store is behind the epoch's closing block: catch up first
        live, failed = self._distributions()
        self._alarm_failed(failed)
        live_tokens = {proposal.token for proposal, _ in live}
        due: list[tuple[ChecksumAddress, int]] = []
        for token in self.plan_inputs.tokens():
            last_funded = int(self.contracts.distributor.functions.lastFundedEpoch(token).call())
            if last_funded < closed and token not in live_tokens:
                due.append((token, last_funded))
        if not due:
            return report
        if self.plan_inputs.closing_block(EpochId(closed)) is None:
            raise StoreStateError(
                f"epoch {closed}'s closing block is not indexed yet (indexed up to {self.indexed_block()})"
            )
        history = self.plan_history()
        for token, last_funded in due:
            self._propose_for(history, token, last_funded, closed, report)
        return report

    def _propose_for(
        self, history: PlanHistory, token: ChecksumAddress, last_funded: int, through: int, report: JobReport
    ) -> None:
        indexed_last = history.last_funded_epoch(token)
        if indexed_last != last_funded:
            raise StoreStateError(
                f"the store's last funded round of {token} ends at epoch {indexed_last}, the chain says {last_funded}; "
                "waiting for the indexer"
            )
        plan = history.next_plan(token, through)
        if plan.totals.amount == 0 and plan.totals.reserve_released == 0:
            logger.info("nothing to distribute in %s for epochs (%d, %d]", _token_label(token), last_funded, through)
            return
        spec = fund_dividends_proposal(
            self.contracts.treasury,
            token=token,
            from_epoch=last_funded,
            through_epoch=through,
            purposes=plan.purpose_fundings(),
            new_root=bytes(HexBytes(plan.root)),
            plan_hash=bytes(HexBytes(plan.plan_hash)),
            description=describe_plan(plan, self.public_url),
        )
        alarm_key = f"token:{token}"
        refusal = self.execution_refusal(spec)
        if refusal is not None:
            # Defence in depth: the planner honours every release (DESIGN §8), so only a governance action executed
            # after the range's window (or a defect) gets here; a proposal that cannot execute would only block.
            self.alarms.raise_alarm(
                AlarmKind.FUNDING_WOULD_REVERT,
                alarm_key,
                f"the plan of {_token_label(token)} for epochs ({last_funded}, {through}] (plan {plan.plan_hash}) is "
                f"not proposed: executing its funding now would revert "
                f"({self._refusal_text(token, plan.purpose_fundings(), refusal)}). The next closed epoch's plan "
                "takes in what changed.",
            )
            return
        self.alarms.clear(AlarmKind.FUNDING_WOULD_REVERT, alarm_key)
        document = plan.canonical_bytes().decode()
        if self.store.put_plan(plan.plan_hash, token, last_funded, through, plan.root, document, self.clock()):
            report.add(
                "stored plan %s for %s, epochs (%d, %d]", plan.plan_hash, _token_label(token), last_funded, through
            )
        if self._already_proposed(spec):
            return
        self.check_proposer()
        assert self.sender is not None  # check_proposer refused otherwise
        receipt = self.sender.transact(self.contracts.governor.functions.propose(*spec.propose_args()))
        report.add(
            "proposed %s: dividends in %s for epochs (%d, %d], amount %d (tx %s)",
            spec.proposal_id(),
            _token_label(token),
            last_funded,
            through,
            plan.totals.amount,
            tx_hash_hex(receipt),
        )

    def _already_proposed(self, spec: ProposalSpec) -> bool:
        """Whether this exact action was proposed before, in any state: by id on chain, or by calldata in the store
        (the same plan under another description, e.g. after the public URL changed).

        A proposal for the same plan that failed stays failed: the next plan waits for the next closed epoch. A
        proposal with another root or amount (even one reusing the plan's hash) is not this plan.
        """
        if self._state(spec.proposal_id()) is not None:
            return True
        return any(proposal.spec.calldatas == spec.calldatas for proposal in self.distribution_proposals())

    def verify_proposals(self) -> JobReport:
        """Recompute every live distribution proposal; record the outcome; alarm loudly when it does not reproduce."""
        report = JobReport("verify")
        closed = last_closed_epoch(self.plan_inputs.schedule, self._timestamp(self.final_block()))
        live = self.live_distribution_proposals()
        live_keys = {f"proposal:{proposal.proposal_id}" for proposal, _ in live}
        for alarm in self.alarms.open_alarms():
            if alarm.kind == AlarmKind.PLAN_NOT_REPRODUCED and alarm.key not in live_keys:
                self.alarms.clear(alarm.kind, alarm.key)  # canceled, defeated or expired: it can no longer pay
        history = cache(self.plan_history)  # read the store's facts once, and only if a proposal needs them
        for proposal, _state in live:
            differences = self._differences(proposal, closed, history)
            if differences is None:
                continue  # not computable yet (the store is behind); try again next time
            reproduced = not differences
            if self._record_if_changed(proposal, reproduced, differences):
                report.add(
                    "proposal %s (plan %s): %s",
                    proposal.proposal_id,
                    proposal.plan_hash,
                    "reproduced" if reproduced else "NOT reproduced",
                )
            key = f"proposal:{proposal.proposal_id}"
            if reproduced:
                self.alarms.clear(AlarmKind.PLAN_NOT_REPRODUCED, key)
            else:
                self.alarms.raise_alarm(
                    AlarmKind.PLAN_NOT_REPRODUCED,
                    key,
                    f"distribution proposal {proposal.proposal_id} (plan {proposal.plan_hash}, token "
                    f"{_token_label(proposal.token)}, epochs ({proposal.from_epoch}, {proposal.through_epoch}]) does "
                    f"not reproduce from chain data: {'; '.join(differences[:5])}. The guardian should cancel it: "
                    f"union guardian cancel {proposal.proposal_id}",
                )
        return report

    def _expected_plan(
        self, proposal: DistributionProposal, closed: int, history: Callable[[], PlanHistory]
    ) -> Plan | list[str] | None:
        """The plan the proposal should carry, what makes it wrong before any plan is built, or ``None`` while the
        store is behind the closing block (``closed``: the last epoch whose grace window closed at the final block)."""
        if proposal.through_epoch > closed:
            return [f"epoch {proposal.through_epoch}'s grace window has not closed: the plan is premature"]
        if self.plan_inputs.closing_block(EpochId(proposal.through_epoch)) is None:
            return None
        plans = history()
        funded = [item for item in plans.funded_rounds(proposal.token) if item.through_epoch <= proposal.from_epoch]
        last = funded[-1].through_epoch if funded else 0
        if last != proposal.from_epoch:
            return [f"fromEpoch {proposal.from_epoch} is not the last funded epoch ({last}) of the token"]
        previous = plans.funded_plan(proposal.token, proposal.from_epoch)
        return plans.plan(proposal.token, proposal.from_epoch, proposal.through_epoch, previous)

    def _differences(
        self, proposal: DistributionProposal, closed: int, history: Callable[[], PlanHistory]
    ) -> list[str] | None:
        expected = self._expected_plan(proposal, closed, history)
        if expected is None or isinstance(expected, list):
            return expected
        differences = [
            f"{label}: expected {want}, proposed {got}"
            for label, want, got in (
                ("planHash", expected.plan_hash.lower(), proposal.plan_hash),
                ("root", expected.root.lower(), proposal.root),
                ("amount", expected.totals.amount, proposal.amount),
                ("reserveReleased", expected.totals.reserve_released, proposal.reserve_released),
            )
            if want != got
        ]
        published = self.plan_inputs.stored_plan(proposal.plan_hash)
        if published is not None:
            differences.extend(plan_differences(expected, published))
        if self.independent_check is not None and not (not differences and self._reproduced_before(proposal)):
            # Once per proposal: the facts up to a closing block are final, so the answer cannot change; a plan
            # recorded as reproduced (store-side and independently) is not rebuilt from the RPC node again.
            if proposal.proposal_id not in self._independently_checked:
                self._independently_checked[proposal.proposal_id] = [
                    f"independent recomputation: {difference}"
                    for difference in self.independent_check(proposal.proposal_id, published)
                ]
            differences.extend(self._independently_checked[proposal.proposal_id])
        return differences

    def _reproduced_before(self, proposal: DistributionProposal) -> bool:
        with self.store.engine.connect() as connection:
            latest = connection.execute(
                select(PlanVerification.reproduced)
                .where(PlanVerification.plan_hash == proposal.plan_hash)
                .order_by(PlanVerification.checked_at.desc())
                .limit(1)
            ).scalar_one_or_none()
        return bool(latest)

    def _record_if_changed(self, proposal: DistributionProposal, reproduced: bool, differences: list[str]) -> bool:
        """Record a verification when it is the plan's first or its outcome changed (the table is a history)."""
        with self.store.engine.connect() as connection:
            latest = connection.execute(
                select(PlanVerification.reproduced, PlanVerification.differences)
                .where(PlanVerification.plan_hash == proposal.plan_hash)
                .order_by(PlanVerification.checked_at.desc())
                .limit(1)
            ).first()
        if (
            latest is not None
            and bool(latest.reproduced) == reproduced
            and json.loads(latest.differences) == differences
        ):
            return False
        self.store.record_verification(proposal.plan_hash, proposal.proposal_id, reproduced, differences, self.clock())
        return True

    def advance_proposals(self) -> JobReport:
        """Queue every succeeded proposal and execute every queued one whose timelock delay has passed.

        A failed distribution proposal (its funding refused now) is neither queued nor executed: it gets its alarm.
        """
        report = JobReport("advance")
        if self.sender is None:
            return report
        governor = self.contracts.governor
        now = self._timestamp()
        failed = self._distributions()[1]
        self._alarm_failed(failed)
        skipped = self._failed_executions | {item.proposal.proposal_id for item in failed}
        for proposal_id, spec, _ in self._proposal_specs(only_distributions=False):
            if proposal_id in skipped:
                continue
            state = self._state(proposal_id)
            try:
                if state is ProposalState.SUCCEEDED:
                    receipt = self.sender.transact(governor.functions.queue(*spec.lifecycle_args()))
                    report.add("queued proposal %s (tx %s)", proposal_id, tx_hash_hex(receipt))
                elif state is ProposalState.QUEUED:
                    eta = int(governor.functions.proposalEta(proposal_id).call())
                    if now >= eta:
                        receipt = self.sender.transact(governor.functions.execute(*spec.lifecycle_args()))
                        report.add("executed proposal %s (tx %s)", proposal_id, tx_hash_hex(receipt))
            except ContractRevertError as exc:
                if state is ProposalState.QUEUED:
                    self._failed_executions.add(proposal_id)
                    self.alarms.raise_alarm(
                        AlarmKind.EXECUTION_FAILED,
                        f"proposal:{proposal_id}",
                        f"proposal {proposal_id} passed but its execution reverts: {exc}. The guardian should cancel "
                        f"it: union guardian cancel {proposal_id}",
                    )
                else:
                    logger.warning("cannot queue proposal %s: %s", proposal_id, exc)
        return report

    def reconcile(self) -> JobReport:
        """Chain balances against the books, per token, all read at one block: below the books is an alarm, above
        them is unattributed inflow (reported), and the distributor must hold at least funded − claimed."""
        report = JobReport("reconcile")
        block = BlockNumber(int(self.w3.eth.block_number))
        treasury, distributor = self.contracts.treasury.functions, self.contracts.distributor.functions

        def view(call: Any) -> int:
            return int(call.call(block_identifier=block))

        for token in self.plan_inputs.tokens():
            key = f"token:{token}"
            label = _token_label(token)
            books = view(treasury.bookedRevenue(token)) - view(treasury.outflows(token))
            balance = self._balance(token, self.contracts.treasury.address, block)
            if balance < books:
                self.alarms.raise_alarm(
                    AlarmKind.BALANCE_BELOW_BOOKS,
                    key,
                    f"the treasury holds {balance} of {label} but its books say {books} (short by {books - balance}) "
                    f"at block {block}; nothing is fixed automatically",
                )
            else:
                self.alarms.clear(AlarmKind.BALANCE_BELOW_BOOKS, key)
            if balance > books:
                inflow = balance - books
                message = (
                    f"{inflow} of {label} arrived without payRevenue (unattributed inflow); governance may book it "
                    "as general revenue (bookUnattributed)"
                )
                if self.alarms.raise_alarm(AlarmKind.UNATTRIBUTED_INFLOW, key, message):
                    report.add("unattributed inflow of %d in %s", inflow, label)
            else:
                self.alarms.clear(AlarmKind.UNATTRIBUTED_INFLOW, key)
            owed = view(distributor.totalFunded(token)) - view(distributor.totalClaimed(token))
            held = self._balance(token, self.contracts.distributor.address, block)
            if held < owed:
                self.alarms.raise_alarm(
                    AlarmKind.DISTRIBUTOR_UNDERFUNDED,
                    key,
                    f"the distributor holds {held} of {label} but owes {owed} (funded − claimed) at block {block}",
                )
            else:
                self.alarms.clear(AlarmKind.DISTRIBUTOR_UNDERFUNDED, key)
        return report

    def _balance(self, token: ChecksumAddress, holder: ChecksumAddress, block: BlockNumber) -> int:
        if token == ZERO_ADDRESS:
            return int(self.w3.eth.get_balance(holder, block_identifier=block))
        erc20: Contract = self.w3.eth.contract(address=token, abi=_ERC20_BALANCE_ABI)
        return int(erc20.functions.balanceOf(holder).call(block_identifier=block))

    def run_all(self, names: Iterable[str] | None = None) -> list[JobReport]:
        """Run the named jobs (default: every job, in dependency order) once; used by tests and ``--once``."""
        return [getattr(self, name)() for name in (names or JOB_ORDER)]


JOB_ORDER: Final = ("follow", "propose_distributions", "advance_proposals", "verify_proposals", "reconcile")
"""The jobs in the order a (re)started scheduler first runs them: the store first, then what moves money and votes
forward, then the checks (a verification from an RPC node can take a while on a long chain)."""
