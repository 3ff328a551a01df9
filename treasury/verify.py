"""``union verify``: rebuild every distribution from chain data alone and compare it with what the chain holds.

For each ``DividendsFunded`` (and each live ``fundDividends`` proposal) the plan is rebuilt from the chain's
events — recursively, each round on the previous rebuilt round, from nothing — and its root, plan hash, amount,
released reserve and what it takes from each purpose's earmark are compared with the on-chain (or proposed) values;
a live proposal that asks a purpose for more than the chain holds earmarked for it is named too (executing it would
revert with ``TreasuryExceedsEarmark``). The distributor stores a root, not balances,
so a lowered cumulative amount is visible only off chain: consecutive cumulative amounts are compared too, and when
the published plan document is at hand (a file, or the URL in the proposal's description, checked against the
on-chain plan hash) every tampered allocation, skipped member and lowered amount is named. Without it, every
distributor claim made under a root still proves one of its leaves, so an account claiming another cumulative
amount than its rebuilt one is named from chain data alone.

The result is a :class:`VerificationReport` (pydantic), for the CLI, the scheduler and the API alike.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Final, Literal

import httpx
from eth_typing import ChecksumAddress, HexStr
from eth_utils import keccak
from pydantic import BaseModel, ConfigDict, computed_field
from web3 import Web3

from treasury.inputs import EpochId, PurposeId, checksum_address, purpose_id
from treasury.plan import Plan, describe_fundings, plan_differences
from treasury.policy import ZERO_ADDRESS
from treasury.readers.base import ClaimRecord, FundedRound, ProposalRecord
from treasury.readers.history import PlanHistory, RebuiltRound, funded_purposes
from treasury.readers.rpc import RpcPlanInputsReader
from union.contracts import UnionContracts, load_abi
from union.errors import PlanNotReadyError, UnionError, UnionValueError
from union.events import ContractEvents, build_contract_events, decode_call
from union.manifest import DeploymentManifest
from union.rpc import JsonRpcClient

__all__ = [
    "LIVE_PROPOSAL_STATES",
    "PROPOSAL_STATE_NAMES",
    "CheckResult",
    "DistributionProposal",
    "RoundVerification",
    "VerificationReport",
    "distribution_description",
    "distribution_proposals",
    "earmark_shortfalls",
    "published_plan_url",
    "token_label",
    "verify_history",
    "verify_union",
]

logger = logging.getLogger(__name__)

PROPOSAL_STATE_NAMES: Final = (
    "pending",
    "active",
    "canceled",
    "defeated",
    "succeeded",
    "queued",
    "expired",
    "executed",
)
"""OZ ``IGovernor.ProposalState`` by value (the same numbers as ``voting.proposals.ProposalState``)."""

LIVE_PROPOSAL_STATES: Final = frozenset({0, 1, 4, 5})
"""Pending, active, succeeded, queued: a distribution proposal that may still execute is checked while it is one."""

_PLAN_URL: Final = re.compile(r"^plan-url:\s*(\S+)\s*$", re.MULTILINE)
_ANY_URL: Final = re.compile(r"https?://\S+")
_DOCUMENT_TIMEOUT: Final = 30.0


def token_label(token: str) -> str:
    """``ETH`` for the zero address, else the checksummed address."""
    return "ETH" if token == ZERO_ADDRESS else token


def distribution_description(plan: Plan, plan_url: str | None = None) -> str:
    """The description of a distribution proposal: what it funds, its plan hash and where the plan is published.

    :func:`published_plan_url` reads the URL back, so ``union verify`` can fetch the document and name differences.
    """
    lines = [
        f"Dividends in {token_label(plan.token)} for epochs {plan.from_epoch + 1}-{plan.through_epoch}",
        "",
        f"plan-hash: {plan.plan_hash}",
        f"root: {plan.root}",
        f"amount: {plan.totals.amount}",
        f"reserve-released: {plan.totals.reserve_released}",
    ]
    if plan_url:
        lines.append(f"plan-url: {plan_url}")
    return "\n".join(lines)


def published_plan_url(description: str) -> str | None:
    """The plan document's URL in a proposal description (a ``plan-url:`` line, else the first http(s) URL)."""
    found = _PLAN_URL.search(description)
    if found:
        return found.group(1)
    fallback = _ANY_URL.search(description)
    return fallback.group(0).rstrip(".,;)") if fallback else None


# ---------------------------------------------------------------------------------------------------- the report


class CheckResult(BaseModel):
    """One comparison: what the rebuild expects, what the chain (or the proposal) says, and whether they agree."""

    model_config = ConfigDict(frozen=True)

    check: str
    expected: str
    on_chain: str
    ok: bool


class RoundVerification(BaseModel):
    """One funded round or one distribution proposal, checked against its rebuild from chain data."""

    kind: Literal["funded", "proposal"]
    round: str
    token: ChecksumAddress
    from_epoch: int
    through_epoch: int
    proposal_id: str | None = None
    proposal_state: str | None = None
    transaction_hash: str | None = None
    block_number: int | None = None
    expected_plan_hash: str | None = None
    expected_root: str | None = None
    on_chain_plan_hash: str
    on_chain_root: str
    document: str | None = None
    checks: list[CheckResult]
    differences: list[str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """Every check agrees."""
        return all(check.ok for check in self.checks)

    @property
    def epochs(self) -> str:
        """The covered range as ``(from, through]``."""
        return f"({self.from_epoch}, {self.through_epoch}]"


class VerificationReport(BaseModel):
    """Everything ``union verify`` checked; ``ok`` only if every round matched and nothing asked for was missing."""

    chain_id: int
    final_block: int
    checked_at: float
    rounds: list[RoundVerification]
    problems: list[str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """Every round reproduced, every check passed, no problem found."""
        return not self.problems and all(round_.ok for round_ in self.rounds)


# ---------------------------------------------------------------------------------------------- proposals


def earmark_shortfalls(
    fundings: Sequence[tuple[PurposeId, int, int]],
    earmarks: Mapping[PurposeId, int],
    purpose_label: Callable[[str], str],
) -> list[str]:
    """Each purpose a funding asks for more than is earmarked for it, in words (empty when the earmark covers all)."""
    return [
        f"{purpose_label(purpose)} asks {amount + reserve} ({amount} to members, {reserve} reserve) but only "
        f"{earmarks.get(purpose, 0)} is earmarked for it: executing it would revert (TreasuryExceedsEarmark)"
        for purpose, amount, reserve in fundings
        if amount + reserve > earmarks.get(purpose, 0)
    ]


@dataclass(frozen=True, slots=True)
class DistributionProposal:
    """A ``fundDividends`` action of a governor proposal, decoded from ``ProposalCreated``'s calldata."""

    record: ProposalRecord
    token: ChecksumAddress
    from_epoch: int
    through_epoch: int
    purposes: tuple[tuple[PurposeId, int, int], ...]
    root: HexStr
    plan_hash: HexStr

    @property
    def amount(self) -> int:
        """What executing it would send to the distributor (Σ over purposes)."""
        return sum(amount for _, amount, _ in self.purposes)

    @property
    def reserve_released(self) -> int:
        """What executing it would make free (Σ over purposes)."""
        return sum(reserve for _, _, reserve in self.purposes)

    def matches(self, funded: FundedRound) -> bool:
        """Whether executing this proposal is what produced ``funded``."""
        return (
            self.token == funded.token
            and self.from_epoch == funded.from_epoch
            and self.through_epoch == funded.through_epoch
            and self.plan_hash == funded.plan_hash
            and self.root == funded.root
        )


def distribution_proposals(records: Iterable[ProposalRecord], treasury: ContractEvents) -> list[DistributionProposal]:
    """Every ``fundDividends`` action aimed at the treasury, in the order the proposals were created."""
    found: list[DistributionProposal] = []
    for record in records:
        for target, calldata in zip(record.targets, record.calldatas, strict=True):
            if target.lower() != treasury.address.lower():
                continue
            call = decode_call(treasury, calldata)
            if call.function != "fundDividends" or not call.args:
                continue
            args = call.args
            found.append(
                DistributionProposal(
                    record=record,
                    token=checksum_address(str(args["token"])),
                    from_epoch=int(args["fromEpoch"]),
                    through_epoch=int(args["throughEpoch"]),
                    purposes=tuple(
                        (purpose_id(str(item["purposeId"])), int(item["amount"]), int(item["reserveReleased"]))
                        for item in args["purposes"]
                    ),
                    root=HexStr(str(args["newRoot"]).lower()),
                    plan_hash=HexStr(str(args["planHash"]).lower()),
                )
            )
    return found


# ---------------------------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class _Published:
    """A plan document someone published, and where it came from."""

    plan: Plan
    source: str


DocumentFetcher = Callable[[str], bytes]
"""Fetches a published plan document by URL (raises on failure)."""


def _committed_amounts(plan: Plan) -> dict[ChecksumAddress, int]:
    """The (account, cumulative) leaves a plan's tree commits to; refuses a dump that contradicts its own fields."""
    tree = plan.merkle_tree(validate=True)
    if tree is None:
        return {}
    if list(tree.leaf_encoding) != ["address", "uint256"]:
        raise UnionValueError(f"the tree's leaves are {list(tree.leaf_encoding)}, not (address, uint256)")
    if tree.root != plan.root:
        raise UnionValueError(f"the tree dump's root is {tree.root}, the document says {plan.root}")
    amounts = {checksum_address(str(account)): int(str(amount)) for account, amount in tree.values}
    if amounts != dict(plan.new_cumulative):
        raise UnionValueError("the tree's leaves differ from the document's newCumulative amounts")
    return amounts


# ---------------------------------------------------------------------------------------------- verification


def _row(check: str, expected: object, on_chain: object) -> CheckResult:
    return CheckResult(check=check, expected=str(expected), on_chain=str(on_chain), ok=str(expected) == str(on_chain))


@dataclass
class _Verifier:
    history: PlanHistory
    proposals: list[DistributionProposal]
    states: Mapping[int, int]
    documents: dict[str, _Published]
    fetch: DocumentFetcher | None

    def published(self, plan_hash: str, proposals: Sequence[DistributionProposal]) -> tuple[_Published | None, str]:
        """The published document whose hash is ``plan_hash`` (given, or fetched from a proposal's URL)."""
        given = self.documents.get(plan_hash)
        if given is not None:
            return given, ""
        for proposal in proposals:
            url = published_plan_url(proposal.record.description)
            if url is None or self.fetch is None:
                continue
            try:
                raw = self.fetch(url)
                plan = Plan.from_json(raw)
            except (UnionError, httpx.HTTPError, OSError) as exc:
                return None, f"the plan published at {url} could not be read: {exc}"
            raw_hash = "0x" + keccak(raw).hex()
            if plan_hash not in (raw_hash, plan.plan_hash):
                return None, f"the document at {url} hashes to {raw_hash}, not the planHash {plan_hash}"
            published = _Published(plan, url)
            self.documents[plan_hash] = published
            return published, ""
        return None, ""

    def published_amounts(self, plan_hash: str) -> tuple[_Published | None, dict[ChecksumAddress, int] | None]:
        """An already known published document for ``plan_hash`` and the leaves its tree commits to."""
        published = self.documents.get(plan_hash)
        if published is None:
            return None, None
        try:
            return published, _committed_amounts(published.plan)
        except UnionValueError:
            return published, None

    @staticmethod
    def committed(
        expected: Plan | None,
        root: str,
        published: _Published | None,
        published_amounts: dict[ChecksumAddress, int] | None,
    ) -> dict[ChecksumAddress, int] | None:
        """The cumulative amounts an on-chain (or proposed) root commits to, when they can be known."""
        if expected is not None and expected.root == root:
            return dict(expected.new_cumulative)
        if published is not None and published.plan.root == root:
            return published_amounts
        return None

    @staticmethod
    def against_chain(published: _Published, amount: int, reserve_released: int, root: str) -> list[str]:
        """Where a published document (whose hash the chain holds) disagrees with the other on-chain values."""
        plan = published.plan
        return [
            f"the published plan's {label} is {mine}, but the chain says {theirs}"
            for label, mine, theirs in (
                ("root", plan.root, root),
                ("amount", plan.totals.amount, amount),
                ("reserveReleased", plan.totals.reserve_released, reserve_released),
            )
            if str(mine) != str(theirs)
        ]

    def check_round(
        self,
        *,
        base: RoundVerification,
        expected: Plan | None,
        amount: int,
        reserve_released: int,
        purposes: Sequence[tuple[PurposeId, int, int]],
        root: str,
        plan_hash: str,
        previous_committed: Mapping[ChecksumAddress, int] | None,
        proposals: Sequence[DistributionProposal],
    ) -> tuple[RoundVerification, dict[ChecksumAddress, int] | None]:
        """Compare one round with its rebuild; return the report and the amounts its root commits to."""
        checks = list(base.checks)
        differences = list(base.differences)
        published, note = self.published(plan_hash, proposals)
        if note:
            differences.append(note)
        if expected is not None:
            checks += [
                _row("root", expected.root, root),
                _row("planHash", expected.plan_hash, plan_hash),
                _row("amount", expected.totals.amount, amount),
                _row("reserveReleased", expected.totals.reserve_released, reserve_released),
                _row("per purpose", describe_fundings(expected.purpose_fundings()), describe_fundings(purposes)),
            ]
            if expected.purpose_fundings() != list(purposes):
                differences.append(
                    "what it takes from each purpose's earmark is wrong: "
                    f"{describe_fundings(purposes)} instead of {describe_fundings(expected.purpose_fundings())}"
                )
            if expected.totals.amount != amount:
                differences.append(f"the pot is wrong: amount {amount} instead of {expected.totals.amount}")
            if expected.totals.reserve_released != reserve_released:
                differences.append(
                    f"the released reserve is wrong: {reserve_released} instead of {expected.totals.reserve_released}"
                )
        published_amounts: dict[ChecksumAddress, int] | None = None
        if published is not None:
            try:
                published_amounts = _committed_amounts(published.plan)
            except UnionValueError as exc:
                differences.append(f"the published plan {published.source} is inconsistent: {exc}")
            differences.extend(self.against_chain(published, amount, reserve_released, root))
        committed = self.committed(expected, root, published, published_amounts)
        if published is not None:
            if expected is not None:
                found = plan_differences(expected, published.plan)
                differences.extend(found)
                checks.append(
                    _row("published plan", "reproduced", "reproduced" if not found else f"{len(found)} differences")
                )
        elif expected is not None and expected.root != root:
            differences.append(
                "the root differs and no published plan document with this planHash was found to name the accounts "
                "(pass it with --plan FILE)"
            )
        checks.append(self.monotone(committed, previous_committed, differences))
        report = base.model_copy(
            update={
                "expected_plan_hash": expected.plan_hash if expected is not None else None,
                "expected_root": expected.root if expected is not None else None,
                "document": published.source if published is not None else None,
                "checks": checks,
                "differences": list(dict.fromkeys(differences)),
            }
        )
        return report, committed

    @staticmethod
    def monotone(
        committed: Mapping[ChecksumAddress, int] | None,
        previous: Mapping[ChecksumAddress, int] | None,
        differences: list[str],
    ) -> CheckResult:
        """No account's cumulative amount below the previous round's (only an off-chain check can see it)."""
        if committed is None or previous is None:
            return CheckResult(
                check="cumulative never lower",
                expected="no account lower",
                on_chain="unknown (the root's amounts are not published)",
                ok=False,
            )
        lowered = {
            account: (before, committed.get(account, 0))
            for account, before in previous.items()
            if committed.get(account, 0) < before
        }
        for account, (before, after) in lowered.items():
            differences.append(f"account {account}: cumulative went down from {before} to {after}")
        return CheckResult(
            check="cumulative never lower",
            expected="no account lower",
            on_chain="no account lower" if not lowered else f"{len(lowered)} accounts lower",
            ok=not lowered,
        )

    def funded(self, token: ChecksumAddress, epoch: int | None) -> list[RoundVerification]:
        reports: list[RoundVerification] = []
        previous_committed: dict[ChecksumAddress, int] | None = {}
        rounds = self.history.rebuilt_rounds(token)
        claims = [claim for claim in self.history.facts.claims if claim.token == token]
        for index, rebuilt in enumerate(rounds, start=1):
            funded = rebuilt.funded
            following = rounds[index].funded.event if index < len(rounds) else None
            under_this_root = [
                claim
                for claim in claims
                if funded.event < claim.event and (following is None or claim.event < following)
            ]
            report, committed = self.check_round(
                base=self._funded_base(index, rebuilt),
                expected=rebuilt.plan,
                amount=funded.amount,
                reserve_released=funded.reserve_released,
                purposes=funded_purposes(funded),
                root=funded.root,
                plan_hash=funded.plan_hash,
                previous_committed=previous_committed,
                proposals=[proposal for proposal in self.proposals if proposal.matches(funded)],
            )
            report = self.claims(report, rebuilt.plan, under_this_root)
            previous_committed = committed
            if epoch is None or funded.from_epoch < epoch <= funded.through_epoch:
                reports.append(report)
        return reports

    @staticmethod
    def claims(report: RoundVerification, expected: Plan, claims: Sequence[ClaimRecord]) -> RoundVerification:
        """Each claim made under a round's root proved one leaf: it must be the account's rebuilt cumulative amount.

        This names the accounts of a tampered root from chain data alone, as soon as they claim.
        """
        if not claims:
            return report
        wrong = [claim for claim in claims if claim.cumulative_amount != expected.new_cumulative.get(claim.account, 0)]
        row = CheckResult(
            check="claims under this root",
            expected=f"{len(claims)} consistent",
            on_chain=f"{len(claims) - len(wrong)} consistent",
            ok=not wrong,
        )
        differences = [
            f"account {claim.account} claimed against cumulative {claim.cumulative_amount} "
            f"(transaction {claim.event.tx_hash}), but its rebuilt cumulative is "
            f"{expected.new_cumulative.get(claim.account, 0)}"
            for claim in wrong
        ]
        return report.model_copy(
            update={"checks": [*report.checks, row], "differences": [*report.differences, *differences]}
        )

    @staticmethod
    def _funded_base(index: int, rebuilt: RebuiltRound) -> RoundVerification:
        funded = rebuilt.funded
        return RoundVerification(
            kind="funded",
            round=f"funded #{index}",
            token=funded.token,
            from_epoch=funded.from_epoch,
            through_epoch=funded.through_epoch,
            transaction_hash=funded.event.tx_hash,
            block_number=funded.event.block_number,
            on_chain_plan_hash=funded.plan_hash,
            on_chain_root=funded.root,
            checks=[],
            differences=[],
        )

    def proposal(self, proposal: DistributionProposal) -> RoundVerification:
        """What a distribution proposal would put on chain, against the plan rebuilt for its range."""
        state = self.states.get(proposal.record.proposal_id)
        token = proposal.token
        base = RoundVerification(
            kind="proposal",
            round=f"proposal {str(proposal.record.proposal_id)[:12]}…",
            token=token,
            from_epoch=proposal.from_epoch,
            through_epoch=proposal.through_epoch,
            proposal_id=str(proposal.record.proposal_id),
            proposal_state=PROPOSAL_STATE_NAMES[state] if state is not None else None,
            transaction_hash=proposal.record.event.tx_hash,
            block_number=proposal.record.event.block_number,
            on_chain_plan_hash=proposal.plan_hash,
            on_chain_root=proposal.root,
            checks=[],
            differences=[],
        )
        last_funded = self.history.last_funded_epoch(token)
        rebuilt = {item.funded.through_epoch: item for item in self.history.rebuilt_rounds(token)}
        checks = [_row("fromEpoch", last_funded, proposal.from_epoch)]
        differences: list[str] = []
        if proposal.from_epoch != last_funded:
            differences.append(
                f"the proposal starts at epoch {proposal.from_epoch} but {token_label(token)} is funded through "
                f"epoch {last_funded}: executing it would revert (TreasuryStalePlan)"
            )
        previous_round = rebuilt.get(EpochId(proposal.from_epoch))
        expected: Plan | None = None
        if proposal.from_epoch == 0 or previous_round is not None:
            try:
                expected = self.history.plan(
                    token,
                    proposal.from_epoch,
                    proposal.through_epoch,
                    previous_round.plan if previous_round is not None else None,
                )
                checks.append(CheckResult(check="ready", expected="grace over", on_chain="grace over", ok=True))
            except PlanNotReadyError as exc:
                checks.append(CheckResult(check="ready", expected="grace over", on_chain="still open", ok=False))
                differences.append(str(exc))
        previous_committed: dict[ChecksumAddress, int] | None = {}
        if previous_round is not None:
            previous_committed = self.committed(
                previous_round.plan,
                previous_round.funded.root,
                *self.published_amounts(previous_round.funded.plan_hash),
            )
        shortfalls = earmark_shortfalls(
            proposal.purposes, self.history.facts.earmarks(token), lambda purpose: f"purpose {purpose}"
        )
        checks.append(
            CheckResult(
                check="within earmark",
                expected="every purpose covered",
                on_chain="every purpose covered" if not shortfalls else f"{len(shortfalls)} purposes short",
                ok=not shortfalls,
            )
        )
        differences.extend(shortfalls)
        report, _ = self.check_round(
            base=base.model_copy(update={"checks": checks, "differences": differences}),
            expected=expected,
            amount=proposal.amount,
            reserve_released=proposal.reserve_released,
            purposes=proposal.purposes,
            root=proposal.root,
            plan_hash=proposal.plan_hash,
            previous_committed=previous_committed,
            proposals=[proposal],
        )
        return report


def verify_history(
    history: PlanHistory,
    *,
    proposal_states: Mapping[int, int],
    token: ChecksumAddress | None = None,
    epoch: int | None = None,
    proposal_id: int | None = None,
    documents: Iterable[tuple[Plan, str]] = (),
    fetch: DocumentFetcher | None = None,
    checked_at: float | None = None,
) -> VerificationReport:
    """Verify funded rounds and distribution proposals from a :class:`PlanHistory` (no chain access but the reader's).

    ``proposal_states`` maps each distribution proposal's id to its governor state (live ones are checked, and the
    one named by ``proposal_id`` in any state); ``documents`` are published plans with where they came from;
    ``fetch`` reads a document from the URL in a proposal's description (``None``: never fetch).
    """
    chain = history.reader.chain
    treasury = build_contract_events("UnionTreasury", chain.treasury, load_abi("UnionTreasury"))
    proposals = distribution_proposals(history.facts.proposals, treasury)
    verifier = _Verifier(
        history=history,
        proposals=proposals,
        states=proposal_states,
        documents={plan.plan_hash: _Published(plan, source) for plan, source in documents},
        fetch=fetch,
    )
    rounds: list[RoundVerification] = []
    problems: list[str] = []
    if proposal_id is not None:
        chosen = [proposal for proposal in proposals if proposal.record.proposal_id == proposal_id]
        if not chosen:
            problems.append(f"proposal {proposal_id} has no fundDividends action (or does not exist)")
        rounds.extend(verifier.proposal(proposal) for proposal in chosen)
    else:
        tokens = sorted(
            {funded.token for funded in history.facts.funded_rounds} | {proposal.token for proposal in proposals},
            key=str.lower,
        )
        for current in [token] if token is not None else tokens:
            rounds.extend(verifier.funded(current, epoch))
            rounds.extend(
                verifier.proposal(proposal)
                for proposal in proposals
                if proposal.token == current
                and proposal_states.get(proposal.record.proposal_id) in LIVE_PROPOSAL_STATES
                and (epoch is None or proposal.from_epoch < epoch <= proposal.through_epoch)
            )
        if epoch is not None and not rounds:
            which = token_label(token) if token is not None else "any token"
            problems.append(f"epoch {epoch} of {which} is neither funded nor in a live distribution proposal")
    return VerificationReport(
        chain_id=chain.chain_id,
        final_block=history.facts.blocks.to_block,
        checked_at=time.time() if checked_at is None else checked_at,
        rounds=rounds,
        problems=problems,
    )


def _http_fetch(client: httpx.Client) -> DocumentFetcher:
    def fetch(url: str) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise UnionValueError(f"only http(s) plan URLs are fetched, not {url!r}")
        response = client.get(url)
        response.raise_for_status()
        return response.content

    return fetch


def verify_union(
    w3: Web3,
    manifest: DeploymentManifest,
    *,
    token: ChecksumAddress | None = None,
    epoch: int | None = None,
    proposal_id: int | None = None,
    documents: Iterable[tuple[Plan, str]] = (),
    fetch_documents: bool = True,
    confirmations: int = 0,
    rpc: JsonRpcClient | None = None,
    executor: Executor | None = None,
) -> VerificationReport:
    """Rebuild the union's distributions from the chain at ``w3`` and check them (see the module docstring).

    ``rpc`` reads the logs (default: a retrying client on ``w3``'s HTTP endpoint); ``documents`` are published
    plans with a label saying where they came from; with ``fetch_documents`` the plan URL in a proposal's
    description is fetched to name differences; ``executor`` (a process pool the caller owns) shares the rebuilt
    plans' hashing. The report's ``ok`` is what the exit status reports.
    """
    own_client = rpc is None
    if rpc is None:
        endpoint = getattr(w3.provider, "endpoint_uri", None)
        if not endpoint:
            raise UnionValueError("verify_union needs an HTTP provider, or an explicit rpc client")
        rpc = JsonRpcClient(str(endpoint))
    http = httpx.Client(timeout=_DOCUMENT_TIMEOUT, follow_redirects=True) if fetch_documents else None
    try:
        reader = RpcPlanInputsReader.open(rpc, manifest, confirmations=confirmations)
        history = PlanHistory(reader, executor=executor)
        governor = UnionContracts.from_manifest(w3, manifest).governor
        treasury = build_contract_events("UnionTreasury", reader.chain.treasury, load_abi("UnionTreasury"))
        states = {
            proposal.record.proposal_id: int(
                governor.functions.state(proposal.record.proposal_id).call(
                    block_identifier=history.facts.blocks.to_block
                )
            )
            for proposal in distribution_proposals(history.facts.proposals, treasury)
        }
        return verify_history(
            history,
            proposal_states=states,
            token=token,
            epoch=epoch,
            proposal_id=proposal_id,
            documents=documents,
            fetch=_http_fetch(http) if http is not None else None,
        )
    finally:
        if http is not None:
            http.close()
        if own_client:
            rpc.close()
