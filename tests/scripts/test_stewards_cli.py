"""The stewards' `union` commands against a real anvil union: admit, record, revoke, propose, guardian cancel."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address
from typer.testing import CliRunner, Result
from web3.contract.contract import ContractFunction
from web3.types import Nonce, TxParams, TxReceipt, Wei

from scripts.cli import app
from tests.helpers.driver import UnionDriver, purpose_id
from union.chain import TransactionSender
from union.errors import RpcUnavailableError
from union.operations import parse_contributions, prepare_record, read_ledger, record_contributions
from union.rpc import JsonRpcClient
from union.signers import create_keystore
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalState, quorum_proposal, release_earmark_proposal, transfer_proposal

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal, so rich does not wrap a one-line message."""
    monkeypatch.setenv("COLUMNS", "1000")


def _run(union: UnionDriver, *args: str | Path, signer: LocalAccount | None = None) -> Result:
    account = signer or union.accounts.steward
    chain = ["--rpc-url", union.anvil.rpc_url, "--manifest", str(union.union.manifest_path)]
    key = ["--private-key", "0x" + bytes(account.key).hex()]
    return runner.invoke(app, [str(arg) for arg in args] + chain + key)


def _address(index: int) -> ChecksumAddress:
    return to_checksum_address(f"0x{0xA110 + index:040x}")


def _nonce(union: UnionDriver, account: LocalAccount) -> int:
    return union.w3.eth.get_transaction_count(account.address)


def _sheet(tmp_path: Path, rows: list[str], name: str = "contributions.csv") -> Path:
    path = tmp_path / name
    path.write_text("address,units,evidence\n" + "".join(f"{row}\n" for row in rows))
    return path


def _entries(union: UnionDriver, epoch: int) -> Counter[tuple[str, bytes]]:
    """Live entries of ``epoch`` by (member, evidence), from the ledger's events."""
    client = JsonRpcClient(union.anvil.rpc_url)
    try:
        ledger = read_ledger(client, union.contracts.ledger.address, 0)
    finally:
        client.close()
    return Counter((entry.member, entry.evidence) for entry in ledger.live(epoch))


MEMBERS = [_address(i) for i in range(30)]


@pytest.fixture
def members(union: UnionDriver) -> list[ChecksumAddress]:
    union.admit(MEMBERS)
    return MEMBERS


def _rows_1200(members: list[ChecksumAddress]) -> list[str]:
    return [f"{members[i % len(members)]},{1 + i % 7},work-item-{i}" for i in range(1_200)]


# -- admit --------------------------------------------------------------------------------------------------------
def test_admit_admitsTheFileInBatchesAndSkipsCurrentMembers(union: UnionDriver, tmp_path: Path) -> None:
    union.admit([_address(1)])
    listing = tmp_path / "cohort.txt"
    listing.write_text(f"# spring cohort\n{_address(0)}\n{_address(1)}\n\n{_address(2).lower()}\n{_address(3)}\n")

    result = _run(union, "admit", listing, "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert f"skipped line 3: {_address(1)} is a member already" in result.output
    assert result.output.count("sent admit batch") == 2
    assert "admitted 3 member(s) in 2 transaction(s)" in result.output
    membership = union.contracts.membership
    assert all(membership.functions.isMember(_address(i)).call() for i in range(4))


def test_admit_readsTheAddressColumnOfACsv(union: UnionDriver, tmp_path: Path) -> None:
    listing = tmp_path / "cohort.csv"
    listing.write_text(f"name,address\nana,{_address(7)}\nbo,{_address(8)}\n")

    result = _run(union, "admit", listing)

    assert result.exit_code == 0, result.output
    assert union.contracts.membership.functions.isMember(_address(8)).call()


def test_admit_reportsMalformedLinesWithTheirNumbersAndSendsNothing(union: UnionDriver, tmp_path: Path) -> None:
    listing = tmp_path / "cohort.txt"
    listing.write_text(f"{_address(0)}\n0xdeadbeef\n{_address(0)}\n")
    before = _nonce(union, union.accounts.steward)

    result = _run(union, "admit", listing)

    assert result.exit_code == 1
    assert "2 problems, nothing was sent" in result.output
    assert "line 2: '0xdeadbeef' is not an address" in result.output
    assert f"line 3: {_address(0)} is already listed on line 1" in result.output
    assert _nonce(union, union.accounts.steward) == before


def test_admit_refusesASignerWithoutTheAdmissionsRole(union: UnionDriver, tmp_path: Path) -> None:
    listing = tmp_path / "cohort.txt"
    listing.write_text(f"{_address(0)}\n")

    result = _run(union, "admit", listing, signer=union.accounts.buyer)

    assert result.exit_code == 1
    assert f"{union.accounts.buyer.address} does not hold ADMISSIONS_ROLE on the UnionMembership" in result.output


# -- record -------------------------------------------------------------------------------------------------------
def test_record_sends1200RowsInThreeTransactions(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    sheet = _sheet(tmp_path, _rows_1200(members))

    result = _run(union, "record", "1", sheet)

    assert result.exit_code == 0, result.output
    assert result.output.count("sent record batch") == 3
    assert "sent record batch 3: 200 entries" in result.output
    assert "recorded 1200 entries in epoch 1 in 3 transaction(s)" in result.output
    recorded = _entries(union, 1)
    assert sum(recorded.values()) == 1_200
    assert recorded[(members[0], keccak(text="work-item-0"))] == 1


class _FailingSender(TransactionSender):
    """A sender whose connection is lost after ``succeed`` transactions (a crash in the middle of a run)."""

    succeed: int = 1

    def transact(self, call: ContractFunction, **kwargs: object) -> TxReceipt:  # type: ignore[override]
        if self.succeed == 0:
            raise RpcUnavailableError("lost the RPC node while sending a transaction")
        self.succeed -= 1
        return super().transact(call, **kwargs)  # type: ignore[arg-type]


def test_record_rerunAfterAFailureMidwayRecordsNothingTwice(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    rows = _rows_1200(members)
    sheet = _sheet(tmp_path, rows)
    steward = union.accounts.steward
    client = JsonRpcClient(union.anvil.rpc_url)
    try:
        plan = prepare_record(
            client, union.contracts, steward.address, 1, parse_contributions(sheet.read_text()), ledger_from_block=0
        )
        with pytest.raises(RpcUnavailableError):
            record_contributions(_FailingSender(union.w3, steward), union.contracts, plan)
    finally:
        client.close()
    assert sum(_entries(union, 1).values()) == 500

    result = _run(union, "record", "1", sheet)

    assert result.exit_code == 0, result.output
    assert "500 already on chain (skipped); 700 entries to record" in result.output
    assert result.output.count("sent record batch") == 2
    recorded = _entries(union, 1)
    assert sum(recorded.values()) == 1_200
    assert set(recorded.values()) == {1}
    again = _run(union, "record", "1", sheet)
    assert "nothing to record" in again.output
    assert sum(_entries(union, 1).values()) == 1_200


def test_record_dryRunShowsTheTotalsAndSendsNothing(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    sheet = _sheet(tmp_path, [f"{members[0]},5,a", f"{members[1]},7,b", f"{members[0]},3,c"])
    before = _nonce(union, union.accounts.steward)

    result = _run(union, "record", "1", sheet, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "3 entries to record for 2 member(s), 15 units, in 1 transaction(s)" in result.output
    assert "dry run: nothing was sent" in result.output
    assert members[0] in result.output
    assert _nonce(union, union.accounts.steward) == before
    assert not _entries(union, 1)


def test_record_reportsANonMemberRowWithItsLineNumberAndSendsNothing(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    outsider = _address(999)
    sheet = _sheet(tmp_path, [f"{members[0]},5,a", f"{outsider},7,b"])
    before = _nonce(union, union.accounts.steward)

    result = _run(union, "record", "1", sheet)

    assert result.exit_code == 1
    assert f"line 3: {outsider} is not a member of the union" in result.output
    assert _nonce(union, union.accounts.steward) == before


def test_record_reportsMalformedRowsWithTheirLineNumbersAndSendsNothing(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    sheet = _sheet(tmp_path, [f"{members[0]},-5,a", f"{members[1]},2,0x1234"])
    before = _nonce(union, union.accounts.steward)

    result = _run(union, "record", "1", sheet)

    assert result.exit_code == 1
    assert "line 2: units must be a positive whole number, not '-5'" in result.output
    assert "line 3: evidence '0x1234' starts with 0x but is not a 32-byte hash" in result.output
    assert _nonce(union, union.accounts.steward) == before


def test_record_refusesAnEpochNotOpenYetOrClosed(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    sheet = _sheet(tmp_path, [f"{members[0]},5,a"])

    early = _run(union, "record", "2", sheet)
    union.warp_to(union.grace_end(1))
    late = _run(union, "record", "1", sheet)

    assert early.exit_code == 1
    assert "epoch 2 is not open yet" in early.output
    assert late.exit_code == 1
    assert "epoch 1 is closed since" in late.output
    assert not _entries(union, 1)


def test_record_keepsWorkingInTheGraceWindow(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    union.warp_to(union.epoch_end(1))

    result = _run(union, "record", "1", _sheet(tmp_path, [f"{members[0]},5,late-but-in-grace"]))

    assert result.exit_code == 0, result.output
    assert sum(_entries(union, 1).values()) == 1


def test_record_refusesWhileTheStewardHasATransactionInFlight(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    steward = union.accounts.steward
    sheet = _sheet(tmp_path, [f"{members[0]},5,a"])
    union.anvil.rpc("evm_setAutomine", False)
    transfer: TxParams = {
        "to": union.accounts.buyer.address,
        "value": Wei(1),
        "gas": 21_000,
        "gasPrice": Wei(10 * union.w3.eth.gas_price),
        "nonce": Nonce(_nonce(union, steward)),
        "chainId": union.w3.eth.chain_id,
    }
    signed = steward.sign_transaction(transfer)  # type: ignore[arg-type]
    union.w3.eth.send_raw_transaction(signed.raw_transaction)  # in the pool, not mined
    try:
        result = _run(union, "record", "1", sheet)
    finally:
        union.anvil.rpc("evm_setAutomine", True)
        union.anvil.rpc("evm_mine")

    assert result.exit_code == 1
    assert f"{steward.address} has 1 transaction(s) not mined yet" in result.output
    assert not _entries(union, 1)


# -- revoke -------------------------------------------------------------------------------------------------------
def test_revoke_revokesEntriesOfTheEpochAndARerunOfRecordRecordsThemAgain(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    sheet = _sheet(tmp_path, [f"{members[0]},5,a", f"{members[1]},7,b"])
    assert _run(union, "record", "1", sheet).exit_code == 0
    last = union.contracts.ledger.functions.lastEntryId().call()

    result = _run(union, "revoke", "1", str(last))

    assert result.exit_code == 0, result.output
    assert f"revoking entry {last}: {members[1]}, 7 units" in result.output
    assert "revoked 1 entries of epoch 1 in 1 transaction(s)" in result.output
    assert _entries(union, 1) == Counter({(members[0], keccak(text="a")): 1})
    assert "skipped entry" in _run(union, "revoke", "1", str(last)).output
    rerun = _run(union, "record", "1", sheet)
    assert "1 already on chain (skipped); 1 entries to record" in rerun.output
    assert sum(_entries(union, 1).values()) == 2


def test_revoke_refusesUnknownIdsAndEntriesOfAnotherEpochBeforeSending(
    union: UnionDriver, members: list[ChecksumAddress], tmp_path: Path
) -> None:
    assert _run(union, "record", "1", _sheet(tmp_path, [f"{members[0]},5,a"])).exit_code == 0
    union.warp_to(union.epoch_start(2))
    last = union.contracts.ledger.functions.lastEntryId().call()
    before = _nonce(union, union.accounts.steward)

    result = _run(union, "revoke", "2", str(last), str(last + 5))

    assert result.exit_code == 1
    assert f"entry {last} belongs to epoch 1, not 2; entry {last + 5} does not exist" in result.output
    assert _nonce(union, union.accounts.steward) == before


# -- proposals ----------------------------------------------------------------------------------------------------
def _member(union: UnionDriver) -> LocalAccount:
    member = union.accounts.member(0)
    union.admit([member.address])
    union.fund(member.address)
    return member


def _proposal_id(result: Result) -> int:
    line = next(line for line in result.output.splitlines() if line.startswith("proposal "))
    return int(line.split()[1])


def test_proposePolicy_fromAMemberPrintsTheIdAndTheVotingWindow(union: UnionDriver) -> None:
    member = _member(union)
    operations = union.accounts.operations.address

    result = _run(
        union, "propose", "policy", "--reserve-bps", "500", "--operations-bps", "300", "--floor-bps", "1000",
        "--cap-bps", "2500", "--operations-account", operations, signer=member,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    proposal_id = _proposal_id(result)
    assert union.state(proposal_id) is ProposalState.PENDING
    assert "voting opens after" in result.output
    assert "sent propose:" in result.output
    assert f"reserve 5.00%, operations 3.00% to {operations}, floor 10.00%, cap 25.00%" in result.output


def test_proposePolicy_signsWithTheMembersKeystore(union: UnionDriver, tmp_path: Path) -> None:
    member = _member(union)
    keystore = tmp_path / "member.json"
    create_keystore(keystore, "s3cret passphrase", member.key)
    password = tmp_path / "password.txt"
    password.write_text("s3cret passphrase\n")
    chain = ["--rpc-url", union.anvil.rpc_url, "--manifest", str(union.union.manifest_path)]

    result = runner.invoke(
        app,
        ["propose", "policy", "--reserve-bps", "0", "--operations-bps", "0", "--floor-bps", "0", "--cap-bps", "0",
         "--operations-account", ZERO_ADDRESS, "--description", "No reserve, no floor",
         "--keystore", str(keystore), "--password-file", str(password), *chain],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert union.state(_proposal_id(result)) is ProposalState.PENDING


def test_proposePolicy_refusesAPolicyTheTreasuryWouldRefuse(union: UnionDriver) -> None:
    result = _run(
        union, "propose", "policy", "--reserve-bps", "8000", "--operations-bps", "3000", "--floor-bps", "0",
        "--cap-bps", "0", "--operations-account", ZERO_ADDRESS, signer=_member(union),
    )  # fmt: skip

    assert result.exit_code == 1
    assert "reserve + operations is 11000 bps" in result.output
    assert "an operations share needs an operations account" in result.output


def test_proposeTransfer_fromAMemberPrintsTheId(union: UnionDriver) -> None:
    member = _member(union)

    result = _run(
        union, "propose", "transfer", "--token", "ETH", "--to", union.accounts.operations.address,
        "--amount", "1000", "--memo", "hosting, March", "--description", "Pay the hosting bill", signer=member,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    proposal_id = _proposal_id(result)
    spec = transfer_proposal(
        union.contracts.treasury,
        token=ZERO_ADDRESS,
        to=union.accounts.operations.address,
        amount=1000,
        memo="hosting, March",
        description="Pay the hosting bill",
    )
    assert proposal_id == spec.proposal_id()
    assert "the treasury's free balance of this token is 0 now" in result.output
    again = _run(
        union, "propose", "transfer", "--token", "ETH", "--to", union.accounts.operations.address,
        "--amount", "1000", "--memo", "hosting, March", "--description", "Pay the hosting bill", signer=member,
    )  # fmt: skip
    assert again.exit_code == 1
    assert "this exact proposal exists already" in again.output


def test_proposeRelease_fromAMemberPrintsTheIdAndSaysWhenThePurposeHoldsLess(union: UnionDriver) -> None:
    member = _member(union)
    union.pay_eth(union.accounts.buyer, 10**18, "ai-training")

    result = _run(
        union, "propose", "release", "--token", "ETH", "--purpose", "ai-training", "--amount", str(2 * 10**18),
        "--memo", "refund", "--description", "Refund the cancelled licence", signer=member,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    spec = release_earmark_proposal(
        union.contracts.treasury,
        token=ZERO_ADDRESS,
        purpose=purpose_id("ai-training"),
        amount=2 * 10**18,
        memo="refund",
        description="Refund the cancelled licence",
    )
    assert _proposal_id(result) == spec.proposal_id()
    assert f"{10**18:,} of this token is earmarked for 'ai-training' now, less than {2 * 10**18:,}" in result.output


def test_proposeRelease_refusesAPurposeTheUnionDoesNotHave(union: UnionDriver) -> None:
    member = _member(union)
    before = _nonce(union, member)
    result = _run(
        union, "propose", "release", "--token", "ETH", "--purpose", "astrology", "--amount", "1", "--memo", "m",
        signer=member,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--purpose 'astrology' is not a registered purpose of this union" in result.output
    assert _nonce(union, member) == before


def test_propose_saysClearlyWhenTheSignerIsNotAMember(union: UnionDriver) -> None:
    outsider = union.accounts.buyer
    before = _nonce(union, outsider)

    result = _run(
        union, "propose", "transfer", "--token", "ETH", "--to", union.accounts.operations.address,
        "--amount", "1", "--memo", "m", signer=outsider,
    )  # fmt: skip

    assert result.exit_code == 1
    assert f"the signing account {outsider.address} is not a member of the union" in result.output
    assert _nonce(union, outsider) == before


def test_proposeQuorum_refusesAMinimumUnderWhichOneMemberCouldPassAndSendsNothing(union: UnionDriver) -> None:
    member = _member(union)
    before = _nonce(union, member)

    result = _run(union, "propose", "quorum", "--min-quorum", "1", signer=member)

    assert result.exit_code == 1
    assert "min_quorum = 1 is below 2: in a union of 2 to 5 members one member alone could pass" in result.output
    assert "nothing was sent" in result.output
    assert _nonce(union, member) == before


def test_proposeQuorum_passedByTheMembersChangesThePercentAndTheMinimum(union: UnionDriver) -> None:
    members = [union.accounts.member(index) for index in range(3)]
    union.admit([member.address for member in members])
    union.fund(members[0].address)
    text = "Set the quorum: 30 % of the members rounded up, at least 4 (was 20 % of the members rounded up, at least 3)"

    result = _run(union, "propose", "quorum", "--percent", "30", "--min-quorum", "4", signer=members[0])

    assert result.exit_code == 0, result.output
    assert text in result.output
    spec = quorum_proposal(union.contracts.governor, quorum_percent=30, min_quorum=4, description=text)
    proposal_id = _proposal_id(result)
    assert proposal_id == spec.proposal_id()
    union.start_voting(proposal_id)
    for member in members:
        union.vote_by_sig(member, proposal_id)
    union.end_voting(proposal_id)
    union.queue_and_execute(spec)
    governor = union.contracts.governor.functions
    assert (governor.quorumNumerator().call(), governor.minQuorum().call()) == (30, 4)
    unchanged = _run(union, "propose", "quorum", "--min-quorum", "4", signer=members[0])
    assert unchanged.exit_code == 1
    assert "the governor applies this quorum already" in unchanged.output
    assert _run(union, "propose", "quorum", signer=members[0]).exit_code == 1


# -- guardian -----------------------------------------------------------------------------------------------------
def test_guardianCancel_cancelsAnActiveProposalFromItsEvents(union: UnionDriver) -> None:
    member = _member(union)
    spec = transfer_proposal(
        union.contracts.treasury,
        token=ZERO_ADDRESS,
        to=member.address,
        amount=10**18,
        memo="suspicious",
        description="Send me one ether",
    )
    proposal_id = union.propose(member, spec)
    union.start_voting(proposal_id)

    result = _run(union, "guardian", "cancel", hex(proposal_id), signer=union.accounts.guardian)

    assert result.exit_code == 0, result.output
    assert f"cancelling proposal {proposal_id} (active) by {member.address}: Send me one ether" in result.output
    assert f"proposal {proposal_id} is canceled" in result.output
    assert union.state(proposal_id) is ProposalState.CANCELED
    again = _run(union, "guardian", "cancel", str(proposal_id), signer=union.accounts.guardian)
    assert again.exit_code == 1
    assert "is canceled already: nothing to cancel" in again.output


def test_guardianCancel_refusesAnotherSignerAndAnUnknownProposal(union: UnionDriver) -> None:
    not_guardian = _run(union, "guardian", "cancel", "1", signer=union.accounts.steward)
    unknown = _run(union, "guardian", "cancel", "12345", signer=union.accounts.guardian)

    assert not_guardian.exit_code == 1
    assert "is not the proposal guardian" in not_guardian.output
    assert unknown.exit_code == 1
    assert "the governor has no proposal 12345" in unknown.output
