"""Issue #11, part 2, through a real deployment on anvil: a union of eight deployed with ``quorum_percent = 10``.

Before DESIGN.md §8 its quorum was 0 (OZ's fraction rounds down), the API said "Quorum: 0 of 8 — reached", and one
"for" vote passed a treasury transfer. Now the governor asks for at least ``min_quorum`` (3) votes, the API shows the
quorum the governor applies, and the lone vote is defeated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address
from fastapi.testclient import TestClient

from api.app import create_app
from api.context import EpochSchedule
from api.settings import ApiSettings
from indexer import run as run_indexer
from indexer.settings import IndexerSettings
from indexer.store import Store, create_store_engine
from tests.helpers.driver import UnionDriver
from union.chain import AnvilProcess
from union.errors import ContractRevertError
from union.localnet import LocalAccounts, deploy_local_union, local_deploy_config
from union.quorum import quorum_votes
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalSpec, ProposalState, quorum_proposal, transfer_proposal
from voting.typed_data import VoteSupport

pytestmark = pytest.mark.anvil

MEMBERS = 8
QUORUM_PERCENT = 10


@dataclass(frozen=True)
class LoneVote:
    """The union of eight after the attack: one member proposed paying itself and voted for it alone. The union was
    admitted one by one up to 3 members and grew to 100 after the vote: ``sizes`` holds when it had each size."""

    driver: UnionDriver
    spec: ProposalSpec
    proposal_id: int
    store_url: str
    sizes: dict[int, int]


def _admit(driver: UnionDriver, accounts: list[ChecksumAddress], sizes: dict[int, int]) -> None:
    receipt = driver.admit(accounts)
    sizes[max(sizes, default=0) + len(accounts)] = int(driver.w3.eth.get_block(receipt["blockNumber"])["timestamp"])
    driver.advance(1)


@pytest.fixture(scope="module")
def lone_vote(anvil: AnvilProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoneVote]:
    """Deployed on a snapshot of the session's chain (reverted afterwards), played, and indexed into SQLite."""
    directory: Path = tmp_path_factory.mktemp("quorum")
    snapshot = anvil.rpc("evm_snapshot")
    try:
        config = local_deploy_config(LocalAccounts.default(), quorum_percent=QUORUM_PERCENT)
        driver = UnionDriver(deploy_local_union(anvil, directory / "manifest.json", config))
        members = [LocalAccounts.member(index) for index in range(MEMBERS)]
        sizes: dict[int, int] = {}
        for member in members[:3]:
            _admit(driver, [member.address], sizes)
        _admit(driver, [member.address for member in members[3:]], sizes)
        treasury = driver.contracts.treasury
        spec = transfer_proposal(
            treasury, token=ZERO_ADDRESS, to=members[0].address, amount=10**18, memo="mine", description="Pay me"
        )
        proposal_id = driver.propose(members[0], spec)
        driver.start_voting(proposal_id)
        driver.vote_by_sig(members[0], proposal_id, VoteSupport.FOR)
        driver.end_voting(proposal_id)
        newcomers = [to_checksum_address(keccak(text=f"newcomer {index}")[-20:]) for index in range(92)]
        for batch in (newcomers[:1], newcomers[1:2], newcomers[2:3], newcomers[3:]):
            _admit(driver, batch, sizes)
        store_url = f"sqlite:///{directory / 'union.db'}"
        _index(driver, store_url)
        yield LoneVote(driver, spec, proposal_id, store_url, sizes)
    finally:
        anvil.rpc("evm_revert", snapshot)


def test_one_vote_cannot_pass_a_transfer_in_a_union_of_eight(lone_vote: LoneVote) -> None:
    driver, proposal_id = lone_vote.driver, lone_vote.proposal_id
    governor = driver.contracts.governor.functions
    snapshot = governor.proposalSnapshot(proposal_id).call()
    assert governor.quorum(snapshot).call() == 3
    assert governor.proposalVotes(proposal_id).call() == [0, 1, 0]
    assert driver.state(proposal_id) is ProposalState.DEFEATED
    queue = driver.contracts.governor.functions.queue(*lone_vote.spec.lifecycle_args())
    with pytest.raises(ContractRevertError, match="GovernorUnexpectedProposalState"):
        driver.transact(driver.accounts.buyer, queue)


def _index(driver: UnionDriver, store_url: str) -> None:
    settings = IndexerSettings(database_url=store_url, rpc_url=driver.anvil.rpc_url, confirmations=0)
    run_indexer(settings, driver.union.manifest, once=True)


def _api_proposals(driver: UnionDriver, store_url: str, proposal_ids: list[int]) -> list[dict[str, Any]]:
    """``/v1/proposals/{id}`` for each id, served from the indexed store."""
    store = Store(create_store_engine(store_url))
    settings = ApiSettings(database_url=store_url, cache_poll_interval=0, cache_max_age=5)
    app = create_app(settings, store, EpochSchedule.from_manifest(driver.union.manifest))
    try:
        with TestClient(app) as client:
            return [client.get(f"/v1/proposals/{proposal_id}").json() for proposal_id in proposal_ids]
    finally:
        store.close()


def _quorum_at_snapshot(driver: UnionDriver, proposal_id: int) -> int:
    governor = driver.contracts.governor.functions
    quorum: int = governor.quorum(governor.proposalSnapshot(proposal_id).call()).call()
    return quorum


def test_api_shows_the_quorum_the_governor_applies(lone_vote: LoneVote) -> None:
    driver, proposal_id = lone_vote.driver, lone_vote.proposal_id
    (proposal,) = _api_proposals(driver, lone_vote.store_url, [proposal_id])
    tally = proposal["tally"]
    on_chain = _quorum_at_snapshot(driver, proposal_id)
    assert (tally["eligible_votes"], tally["quorum"], tally["quorum_reached"]) == (MEMBERS, str(on_chain), False)
    assert (tally["quorum_percent"], tally["min_quorum"]) == (QUORUM_PERCENT, 3)
    assert proposal["state"] == "defeated"


def test_api_follows_a_minimum_changed_by_governance_and_keeps_earlier_votes_quorum(
    union: UnionDriver, tmp_path: Path
) -> None:
    """A vote raises the minimum from 3 to 4: a proposal made before keeps 3, one made after needs 4."""
    members = [LocalAccounts.member(index) for index in range(4)]
    union.admit([member.address for member in members])
    union.advance(1)
    governor, treasury = union.contracts.governor, union.contracts.treasury
    transfer = transfer_proposal(
        treasury, token=ZERO_ADDRESS, to=members[0].address, amount=1, memo="m", description="Before the change"
    )
    before = union.propose(members[0], transfer)
    raise_minimum = quorum_proposal(governor, quorum_percent=None, min_quorum=4, description="Minimum quorum 4")
    union.pass_proposal(members[0], raise_minimum, members[:3])
    after_spec = transfer_proposal(
        treasury, token=ZERO_ADDRESS, to=members[0].address, amount=1, memo="m", description="After the change"
    )
    after = union.propose(members[0], after_spec)
    union.start_voting(after)
    for member in members[:3]:
        union.vote_by_sig(member, after, VoteSupport.FOR)
    union.end_voting(after)
    assert union.state(after) is ProposalState.DEFEATED  # 3 votes of 4 members: below the new minimum

    store_url = f"sqlite:///{tmp_path / 'union.db'}"
    _index(union, store_url)
    ids = [before, raise_minimum.proposal_id(), after]
    tallies = [proposal["tally"] for proposal in _api_proposals(union, store_url, ids)]
    assert [tally["quorum"] for tally in tallies] == [str(_quorum_at_snapshot(union, pid)) for pid in ids]
    assert [(tally["quorum"], tally["min_quorum"]) for tally in tallies] == [("3", 3), ("3", 3), ("4", 4)]


def test_governor_and_the_python_rule_agree_for_every_union_size(lone_vote: LoneVote) -> None:
    """DESIGN.md §8 at 10 % with a minimum of 3: a union smaller than 3 needs all its members, then 3, then 10 %."""
    governor = lone_vote.driver.contracts.governor.functions
    on_chain = {size: governor.quorum(timestamp).call() for size, timestamp in lone_vote.sizes.items()}
    assert on_chain == {1: 1, 2: 2, 3: 3, 8: 3, 9: 3, 10: 3, 11: 3, 100: 10}
    assert on_chain == {size: quorum_votes(size, QUORUM_PERCENT, 3) for size in lone_vote.sizes}
