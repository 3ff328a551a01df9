"""``union demo``: a whole union on a local anvil chain, run for real by its scheduler, for a newcomer to look at.

The story: deploy; admit members; each member gives consent by signing it (relayed, so members need no ETH), some
declining one purpose; record contributions over two epochs; two buyers pay revenue in ETH and in an ERC-20 for
"ai-training" and "medical-research". During epoch 2 the members vote to release part of the pending "ai-training"
DUSD (a refund to a buyer): more than that purpose carries, within what it holds earmarked (DESIGN §8), so the
treasury accepts it and the round-2 plan takes it out of the purpose's pending distributable. The scheduler — the
same one ``union serve`` runs — notices when an epoch's grace window closes, plans each token's dividends, proposes
them, verifies them, and once members have voted (signed ballots through the relay) queues and executes them; some
members then claim (through the relay). Epochs are compressed to seconds by moving anvil's clock. Finally every
round is verified from chain data alone (``treasury.verify``), and the API and dashboard keep serving until Ctrl-C
(``--no-serve`` exits instead, 0 when every round verifies). A second ``union demo`` starts clean: the previous
demo's directory is removed first.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final

import httpx
import typer
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from rich.table import Table
from web3 import Web3
from web3.contract import Contract

from scripts.cli import app, console, friendly_errors
from scripts.serving import Role, UnionServer, load_config, stop_on_signals
from treasury.verify import VerificationReport, verify_union
from union.chain import AnvilProcess, TransactionSender
from union.compiler import compile_contracts
from union.contracts import UnionContracts, load_abi
from union.errors import UnionError
from union.localnet import LocalAccounts, LocalUnion, deploy_local_union, local_deploy_config
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalState, release_earmark_proposal
from voting.typed_data import VoteSupport, sign_typed_data

__all__ = ["DEMO_DIR", "DemoStory", "demo", "run_demo"]

DEMO_DIR = Path(".union/demo")

EPOCH_LENGTH: Final = 3_600
GRACE: Final = 600
GENESIS_DELAY: Final = 600
PURPOSES: Final = ("ai-training", "medical-research")
REFUND: Final = 1_000 * 10**18
"""DUSD of "ai-training" revenue the members vote to give back to a buyer during epoch 2 (its earmark is released)."""
_WAIT_TIMEOUT: Final = 120.0
_ETHER: Final = 10**18
_NOTHING_TO_CLAIM: Final = frozenset({"no_allocation", "nothing_to_claim"})


def consent_profile(index: int) -> dict[str, bool]:
    """Which purposes member ``index`` consents to: most say yes to both; some decline one purpose."""
    if index % 5 == 4:
        return {"ai-training": True, "medical-research": False}
    if index % 7 == 3:
        return {"ai-training": False, "medical-research": True}
    return {"ai-training": True, "medical-research": True}


def units_of(index: int, epoch: int) -> int:
    """Member ``index``'s contribution units in ``epoch`` (0: no entry); varied so the pro-rata split shows."""
    if (index + epoch) % 6 == 0:
        return 0
    return 1 + (index * 7 + epoch * 3) % 10


def ballot_of(index: int) -> VoteSupport | None:
    """How member ``index`` votes on a distribution: mostly for, a few against or abstaining, a few not at all."""
    if index % 9 == 8:
        return None
    if index % 8 == 7:
        return VoteSupport.AGAINST
    if index % 11 == 10:
        return VoteSupport.ABSTAIN
    return VoteSupport.FOR


class RelayClient:
    """A member's side of the relay: fetch the EIP-712 payload, sign it locally, post it (as ``union vote`` does)."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=60.0)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._http.request(method, path, **kwargs)
        if not response.is_success:
            raise UnionError(f"the relay refused {method} {path}: {response.status_code} {response.text[:300]}")
        body: dict[str, Any] = response.json()
        return body

    def consent(self, member: LocalAccount, purpose: str, granted: bool) -> None:
        query = {"member": member.address, "purpose": purpose, "granted": "true" if granted else "false"}
        payload = self._call("GET", "/v1/relay/typed-data/consent", params=query)
        message = payload["message"]
        body = {
            "member": message["member"],
            "purposeId": message["purposeId"],
            "granted": message["granted"],
            "nonce": message["nonce"],
            "deadline": message["deadline"],
            "signature": "0x" + sign_typed_data(member, payload).hex(),
            "chainId": payload["domain"]["chainId"],
        }
        self._call("POST", "/v1/relay/consent", json=body)

    def vote(self, member: LocalAccount, proposal_id: int, support: VoteSupport) -> None:
        query = {"proposalId": str(proposal_id), "support": str(int(support)), "voter": member.address}
        payload = self._call("GET", "/v1/relay/typed-data/ballot", params=query)
        message = payload["message"]
        body = {
            "proposalId": message["proposalId"],
            "support": message["support"],
            "voter": message["voter"],
            "nonce": message["nonce"],
            "signature": "0x" + sign_typed_data(member, payload).hex(),
            "chainId": payload["domain"]["chainId"],
        }
        self._call("POST", "/v1/relay/votes", json=body)

    def claim(self, account: ChecksumAddress, token: ChecksumAddress) -> bool:
        """Claim for ``account``; False when it has nothing to claim (no contribution in a funded epoch)."""
        response = self._http.post("/v1/relay/claims", json={"account": account, "token": token})
        if response.status_code in (404, 409) and response.json().get("error", {}).get("code") in _NOTHING_TO_CLAIM:
            return False
        if not response.is_success:
            raise UnionError(f"the relay refused a claim for {account}: {response.status_code} {response.text[:300]}")
        return True


@dataclass
class DemoStory:
    """The demo's union and the steps of its story; every step goes through the real contracts and services."""

    union: LocalUnion
    server: UnionServer
    members: list[LocalAccount]
    say: Callable[[str], None] = console.print
    token: Contract | None = None
    _senders: dict[str, TransactionSender] = field(default_factory=dict)

    @property
    def w3(self) -> Web3:
        return self.union.w3

    @property
    def accounts(self) -> LocalAccounts:
        return self.union.accounts

    @property
    def contracts(self) -> UnionContracts:
        return UnionContracts.from_manifest(self.w3, self.union.manifest)

    @property
    def tokens(self) -> list[ChecksumAddress]:
        assert self.token is not None
        return [ZERO_ADDRESS, self.token.address]

    def sender(self, account: LocalAccount) -> TransactionSender:
        if account.address not in self._senders:
            self._senders[account.address] = TransactionSender(self.w3, account)
        return self._senders[account.address]

    # ------------------------------------------------------------------ clock

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def warp_to(self, timestamp: int) -> None:
        """Move anvil's clock: mine one block at ``timestamp`` (if it is in the chain's future)."""
        if timestamp > self.now():
            self.union.anvil.rpc("evm_setNextBlockTimestamp", timestamp)
            self.union.anvil.rpc("evm_mine")

    def start(self, epoch: int) -> int:
        parameters = self.union.manifest.parameters
        return parameters.epoch_genesis + (epoch - 1) * parameters.epoch_length

    def closes_at(self, epoch: int) -> int:
        parameters = self.union.manifest.parameters
        return self.start(epoch) + parameters.epoch_length + parameters.grace_period

    def wait_for(self, what: str, condition: Callable[[], bool], timeout: float = _WAIT_TIMEOUT) -> None:
        """Poll ``condition`` until it holds; fail naming what was awaited after ``timeout``, or at once naming the
        service that died meanwhile."""
        deadline = time.monotonic() + timeout
        while not condition():
            self.server.raise_if_failed()
            if time.monotonic() > deadline:
                raise UnionError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.2)

    # ------------------------------------------------------------------ steps

    def deploy_token(self) -> None:
        artifact = compile_contracts().get("TestERC20")
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode="0x" + artifact.bytecode)
        receipt = self.sender(self.accounts.deployer).transact(factory.constructor("Demo Dollar", "DUSD"))
        address = receipt["contractAddress"]
        assert address is not None
        self.token = self.w3.eth.contract(address=address, abi=load_abi("TestERC20"))
        self.say(f"deployed the ERC-20 [bold]DUSD[/] at {address}")

    def admit_members(self) -> None:
        membership = self.contracts.membership
        addresses = [member.address for member in self.members]
        for first in range(0, len(addresses), 100):
            self.sender(self.accounts.steward).transact(membership.functions.admit(addresses[first : first + 100]))
        self.say(f"admitted {len(addresses)} members")

    def fund(self, account: ChecksumAddress, ether: int) -> None:
        self.sender(self.accounts.deployer).send_value(account, ether * _ETHER)

    def give_consents(self, relay: RelayClient) -> None:
        declined = 0
        for index, member in enumerate(self.members):
            for purpose, granted in consent_profile(index).items():
                if granted:
                    relay.consent(member, purpose, True)
                else:
                    declined += 1
        self.say(f"members signed their consent (relayed); {declined} declined one purpose")

    def record(self, epoch: int) -> None:
        entries = [(member.address, units_of(i, epoch)) for i, member in enumerate(self.members)]
        entries = [(address, units) for address, units in entries if units]
        ledger = self.contracts.ledger
        for first in range(0, len(entries), 500):
            batch = entries[first : first + 500]
            evidence = [Web3.keccak(text=f"demo:{epoch}:{address}") for address, _ in batch]
            call = ledger.functions.record(epoch, [a for a, _ in batch], [u for _, u in batch], evidence)
            self.sender(self.accounts.steward).transact(call)
        self.say(f"epoch {epoch}: recorded {len(entries)} contributions ({sum(u for _, u in entries)} units)")

    def pay_revenue(self, epoch: int) -> None:
        assert self.token is not None
        treasury = self.contracts.treasury
        scale = 1 + epoch
        payments = [
            (self.accounts.buyer, ZERO_ADDRESS, 2 * scale * _ETHER, "ai-training"),
            (self.accounts.second_buyer, ZERO_ADDRESS, scale * _ETHER, "medical-research"),
            (self.accounts.buyer, self.token.address, 4_000 * scale * _ETHER, "medical-research"),
            (self.accounts.second_buyer, self.token.address, 1_500 * scale * _ETHER, "ai-training"),
        ]
        for buyer, token, amount, purpose in payments:
            purpose_id = Web3.keccak(text=purpose)
            licence = f"demo licence {purpose} epoch {epoch}"
            if token == ZERO_ADDRESS:
                self.sender(buyer).transact(
                    treasury.functions.payRevenue(token, amount, purpose_id, licence), value=amount
                )
            else:
                self.sender(buyer).transact(self.token.functions.mint(buyer.address, amount))
                self.sender(buyer).transact(self.token.functions.approve(treasury.address, amount))
                self.sender(buyer).transact(treasury.functions.payRevenue(token, amount, purpose_id, licence))
        self.say(f"epoch {epoch}: two buyers paid revenue in ETH and DUSD for {' and '.join(PURPOSES)}")

    def _distribution_ids(self, epoch: int) -> dict[ChecksumAddress, int]:
        jobs = self.server.jobs
        assert jobs is not None
        return {
            proposal.token: proposal.proposal_id
            for proposal in jobs.distribution_proposals()
            if proposal.through_epoch == epoch
        }

    def run_round(self, epoch: int, relay: RelayClient) -> dict[ChecksumAddress, int]:
        """Close ``epoch``'s grace window and let the scheduler and the members carry the distribution through."""
        governor = self.contracts.governor.functions
        self.warp_to(self.closes_at(epoch))
        self.say(f"epoch {epoch}'s grace window closed (anvil's clock moved); waiting for the scheduler to propose")
        self.wait_for(
            f"distribution proposals through epoch {epoch}",
            lambda: set(self._distribution_ids(epoch)) == set(self.tokens),
        )
        proposals = self._distribution_ids(epoch)
        self.say(f"the scheduler proposed {len(proposals)} distributions; members vote by signed ballots (relayed)")
        self.warp_to(max(int(governor.proposalSnapshot(pid).call()) for pid in proposals.values()) + 1)
        for proposal_id in proposals.values():
            for index, member in enumerate(self.members):
                support = ballot_of(index)
                if support is not None:
                    relay.vote(member, proposal_id, support)
        self.warp_to(max(int(governor.proposalDeadline(pid).call()) for pid in proposals.values()) + 1)

        def state(pid: int) -> ProposalState:
            return ProposalState(int(governor.state(pid).call()))

        self.wait_for(
            "the scheduler to queue the passed proposals",
            lambda: all(state(pid) is ProposalState.QUEUED for pid in proposals.values()),
        )
        self.warp_to(max(int(governor.proposalEta(pid).call()) for pid in proposals.values()))
        self.wait_for(
            "the scheduler to execute the queued proposals",
            lambda: all(state(pid) is ProposalState.EXECUTED for pid in proposals.values()),
        )
        distributor = self.contracts.distributor.functions
        store = self.server.store
        assert store is not None
        head = int(self.w3.eth.block_number)

        def indexed() -> bool:
            cursor = store.cursor()
            return cursor is not None and cursor.block_number >= head

        self.wait_for("the indexer to record the funded rounds", indexed)
        funded = {token: int(distributor.totalFunded(token).call()) for token in self.tokens}
        self.say(
            f"round {epoch} executed: the distributor now holds {Web3.from_wei(funded[ZERO_ADDRESS], 'ether')} ETH "
            f"and {Web3.from_wei(funded[self.tokens[1]], 'ether')} DUSD in total"
        )
        return proposals

    def release_earmark(self, relay: RelayClient) -> int:
        """The members vote to release REFUND of "ai-training" DUSD (a refund), carried out by the scheduler."""
        assert self.token is not None
        governor = self.contracts.governor.functions
        spec = release_earmark_proposal(
            self.contracts.treasury,
            token=self.token.address,
            purpose="0x" + Web3.keccak(text="ai-training").hex(),
            amount=REFUND,
            memo="refund: licence demo ai-training epoch 2 cancelled",
            description="Release 1,000 DUSD of ai-training revenue to refund a cancelled licence",
        )
        proposal_id = spec.proposal_id()
        self.sender(self.members[0]).transact(governor.propose(*spec.propose_args()))
        self.warp_to(int(governor.proposalSnapshot(proposal_id).call()) + 1)
        for index, member in enumerate(self.members):
            support = ballot_of(index)
            if support is not None:
                relay.vote(member, proposal_id, support)
        self.warp_to(int(governor.proposalDeadline(proposal_id).call()) + 1)

        def state() -> ProposalState:
            return ProposalState(int(governor.state(proposal_id).call()))

        self.wait_for("the scheduler to queue the release", lambda: state() is ProposalState.QUEUED)
        self.warp_to(int(governor.proposalEta(proposal_id).call()))
        self.wait_for("the scheduler to execute the release", lambda: state() is ProposalState.EXECUTED)
        held = int(
            self.contracts.treasury.functions.earmarkedFor(self.token.address, Web3.keccak(text="ai-training")).call()
        )
        self.say(
            f"members voted to release {Web3.from_wei(REFUND, 'ether')} DUSD of ai-training's earmark (a refund); "
            f"{Web3.from_wei(held, 'ether')} DUSD stays earmarked for it, and the next plan honours the release"
        )
        return proposal_id

    def claim(self, relay: RelayClient, members: list[LocalAccount]) -> None:
        claims = sum(relay.claim(member.address, token) for member in members for token in self.tokens)
        self.say(f"{len(members)} members claimed their dividends in ETH and DUSD ({claims} claims, relayed)")


def print_verification(report: VerificationReport) -> None:
    table = Table(title=f"union verify — chain {report.chain_id}, final block {report.final_block}")
    for column in ("round", "token", "epochs", "plan hash", "result"):
        table.add_column(column)
    for checked in report.rounds:
        token = "ETH" if checked.token == ZERO_ADDRESS else checked.token[:10] + "…"
        result = "[green]reproduced[/]" if checked.ok else "[red]" + "; ".join(checked.differences[:2]) + "[/]"
        table.add_row(checked.round, token, checked.epochs, checked.on_chain_plan_hash[:18] + "…", result)
    console.print(table)
    for problem in report.problems:
        console.print(f"[red]problem:[/] {problem}")


def _member_accounts(count: int) -> list[LocalAccount]:
    return [LocalAccounts.member(index) for index in range(count)]


@contextlib.contextmanager
def demo_union(directory: Path, *, members: int, api_port: int, anvil_port: int = 0) -> Iterator[DemoStory]:
    """Anvil, the deployed union and ``union serve --role all`` over it, with the demo's settings; all stopped after."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    accounts = LocalAccounts.default()
    with AnvilProcess(port=anvil_port, log_path=directory / "anvil.log") as anvil:
        config = local_deploy_config(
            accounts,
            epoch_length=EPOCH_LENGTH,
            grace=GRACE,
            genesis_delay=GENESIS_DELAY,
            voting_delay=1,
            voting_period=600,
            timelock_delay=60,
            purposes=PURPOSES,
        )
        union = deploy_local_union(anvil, directory / "manifest.json", config)
        proposer = LocalAccounts.member(0)
        settings = load_config(
            None,
            {
                "rpc_url": anvil.rpc_url,
                "chain_id": anvil.chain_id,
                "manifest": union.manifest_path,
                "database_url": f"sqlite:///{directory / 'union.db'}",
                "public_url": f"http://127.0.0.1:{api_port}",
                "api_host": "127.0.0.1",
                "api_port": api_port,
                "cache_poll_interval": 0.2,
                "follow_interval": 0.5,
                "propose_interval": 0.5,
                "verify_interval": 0.5,
                "advance_interval": 0.5,
                "reconcile_interval": 2.0,
                "poll_interval": 0.5,
                "relay_private_key": accounts.relayer.key.hex(),
                "relay_client_per_minute": 100_000,
                "relay_client_burst": 10_000,
                "relay_account_per_minute": 600,
                "relay_account_burst": 60,
            },
        )
        story = DemoStory(union, UnionServer(settings, Role.ALL, proposer=proposer), _member_accounts(members))
        story.deploy_token()
        story.admit_members()
        story.fund(proposer.address, 10)
        with story.server:
            story.server.wait_until_serving()
            yield story


def run_demo(story: DemoStory) -> VerificationReport:
    """The story itself: consent, two epochs of work and revenue, two rounds run by the scheduler, claims, verify."""
    relay = RelayClient(story.server.api_url)
    try:
        story.give_consents(relay)
        story.warp_to(story.start(1))
        story.record(1)
        story.pay_revenue(1)
        story.run_round(1, relay)
        story.claim(relay, story.members[: len(story.members) // 3])
        story.record(2)
        story.pay_revenue(2)
        story.release_earmark(relay)
        story.run_round(2, relay)
        story.claim(relay, story.members[len(story.members) // 3 : 2 * len(story.members) // 3])
    finally:
        relay.close()
    report = verify_union(story.w3, story.union.manifest, fetch_documents=True)
    print_verification(report)
    return report


@app.command()
@friendly_errors
def demo(
    members: Annotated[int, typer.Option("--members", min=3, max=500, help="how many members to admit")] = 25,
    port: Annotated[int, typer.Option("--port", help="the API and dashboard's port")] = 8000,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="keep serving until Ctrl-C")] = True,
) -> None:
    """Run a whole union on a local chain: members, contributions, revenue, and two dividend rounds, for real."""
    started = time.monotonic()
    with demo_union(DEMO_DIR, members=members, api_port=port) as story:
        try:
            report = run_demo(story)
        except Exception:
            story.server.raise_if_failed(grace=5.0)  # a service that died is the cause of what failed next: name it
            raise
        elapsed = time.monotonic() - started
        if not report.ok:
            raise UnionError("a round did not verify from chain data (see above)")
        console.print(f"[bold green]every round verifies from chain data alone[/] ({elapsed:.0f} s)")
        if not serve:
            return
        anvil, manifest = story.union.anvil, story.union.manifest_path.resolve()
        member = story.members[0].address
        console.print(
            f"\nOpen the dashboard: [bold]{story.server.api_url}/[/]   API docs: {story.server.api_url}/docs\n"
            f"anvil: {anvil.rpc_url}   manifest: {manifest}\n\nTry:\n"
            f"  union verify --rpc-url {anvil.rpc_url} --manifest {manifest}\n"
            f"  union member show {member} --api {story.server.api_url}\n"
            f"  curl {story.server.api_url}/v1/treasury\n\nPress Ctrl-C to stop everything.",
            highlight=False,
        )
        with stop_on_signals(story.server.stop_event):
            story.server.stop_event.wait()
    console.print("stopped the services and anvil; bye")
    story.server.raise_if_failed()
