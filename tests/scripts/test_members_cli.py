"""The members' `union` commands against a real anvil union and a live relay server on loopback."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from api.relay import TreePlanSource
from api.schemas.members import MemberStatementPublic
from scripts.cli import app
from tests.api.relay.conftest import RelayEnv, make_service, open_proposal, relay_app, start_relay
from tests.api.relay.test_claims import ETHER, _fund_round
from tests.helpers.driver import UnionDriver
from tests.helpers.serving import serving_in_thread
from union.signers import create_keystore, load_keystore
from union.types import ZERO_ADDRESS

PASSWORD = "correct horse battery staple"

runner = CliRunner()


def _serve(app_: FastAPI) -> Iterator[str]:
    with serving_in_thread(app_, name="relay-uvicorn") as url:
        yield url


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal, so rich does not wrap a one-line message and a test can count its lines."""
    monkeypatch.setenv("COLUMNS", "1000")


@pytest.fixture
def relay(union: UnionDriver) -> Iterator[RelayEnv]:
    yield from start_relay(union)


@pytest.fixture
def relay_url(relay: RelayEnv) -> Iterator[str]:
    yield from _serve(relay_app(relay.service))


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password.txt"
    path.write_text(PASSWORD + "\n")
    return path


def _keystore(tmp_path: Path, account: LocalAccount) -> Path:
    path = tmp_path / f"{account.address}.json"
    create_keystore(path, PASSWORD, account.key)
    return path


def _run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(arg) for arg in args])


def _flat(result: Result) -> str:
    return result.output.replace("\n", "")


def test_keystore_new_writes_an_encrypted_keystore_only_the_owner_reads(tmp_path: Path, password_file: Path) -> None:
    out = tmp_path / "me.json"

    result = _run("keystore", "new", "--out", out, "--password-file", password_file)

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    account = load_keystore(out, PASSWORD)
    assert account.address in _flat(result)
    assert PASSWORD not in result.output
    assert "crypto" in json.loads(out.read_text())


def test_keystore_import_encrypts_the_given_key_and_never_overwrites(tmp_path: Path, password_file: Path) -> None:
    key_file = tmp_path / "key.txt"
    key_file.write_text("0x" + "42" * 32 + "\n")
    out = tmp_path / "imported.json"

    first = _run("keystore", "import", "--out", out, "--private-key-file", key_file, "--password-file", password_file)
    again = _run("keystore", "import", "--out", out, "--private-key-file", key_file, "--password-file", password_file)

    assert first.exit_code == 0, first.output
    assert load_keystore(out, PASSWORD).key.hex().removeprefix("0x") == "42" * 32
    assert "42" * 32 not in first.output
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert len(again.output.strip().splitlines()) == 1


def test_vote_through_the_relay_costs_the_member_nothing(
    relay: RelayEnv, relay_url: str, tmp_path: Path, password_file: Path
) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    voter = relay.members[1]
    balance = relay.union.w3.eth.get_balance(voter.address)

    result = _run(
        "vote", proposal_id, "against", "--reason", "too much reserve",
        "--keystore", _keystore(tmp_path, voter), "--password-file", password_file, "--relay", relay_url,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    governor = relay.union.contracts.governor.functions
    assert governor.hasVoted(proposal_id, voter.address).call()
    assert governor.proposalVotes(proposal_id).call()[0] == 1
    assert relay.union.w3.eth.get_balance(voter.address) == balance
    (tx_hash,) = [word for word in _flat(result).split() if word.startswith("0x")]
    assert relay.union.w3.eth.get_transaction_receipt(tx_hash)["from"] == relay.relayer.address


def test_vote_refused_by_the_relay_is_one_clear_line(
    relay: RelayEnv, relay_url: str, tmp_path: Path, password_file: Path
) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    keystore = _keystore(tmp_path, relay.members[1])
    args = ("--keystore", keystore, "--password-file", password_file, "--relay", relay_url)
    assert _run("vote", proposal_id, "for", *args).exit_code == 0

    again = _run("vote", proposal_id, "for", *args)

    assert again.exit_code == 1
    assert "already_voted" in again.output
    assert len(again.output.strip().splitlines()) == 1


def test_vote_direct_is_cast_from_the_members_own_account(relay: RelayEnv, tmp_path: Path, password_file: Path) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    voter = relay.members[2]
    union = relay.union.union

    result = _run(
        "vote", proposal_id, "abstain", "--keystore", _keystore(tmp_path, voter), "--password-file", password_file,
        "--direct", "--rpc-url", union.anvil.rpc_url, "--manifest", union.manifest_path,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    (tx_hash,) = [word for word in _flat(result).split() if word.startswith("0x")]
    assert relay.union.w3.eth.get_transaction_receipt(tx_hash)["from"] == voter.address
    assert relay.union.contracts.governor.functions.proposalVotes(proposal_id).call()[2] == 1


def test_vote_with_a_wrong_password_fails_clearly(relay: RelayEnv, relay_url: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it")
    keystore = _keystore(tmp_path, relay.members[1])

    result = _run("vote", "1", "for", "--keystore", keystore, "--password-file", wrong, "--relay", relay_url)

    assert result.exit_code == 1
    assert "wrong password" in result.output
    assert "not it" not in result.output


def test_vote_needs_a_relay_or_direct(tmp_path: Path, password_file: Path) -> None:
    result = _run("vote", "1", "for", "--keystore", tmp_path / "none.json", "--password-file", password_file)

    assert result.exit_code == 1
    assert "--relay URL" in result.output


def test_consent_on_through_the_relay_and_off_directly(
    relay: RelayEnv, relay_url: str, tmp_path: Path, password_file: Path
) -> None:
    member = relay.members[1]
    keystore = _keystore(tmp_path, member)
    union = relay.union.union

    def consented() -> bool:
        return bool(
            relay.union.contracts.membership.functions.consentOf(member.address, keccak(text="ai-training")).call()
        )

    on = _run("consent", "ai-training", "on", "--keystore", keystore, "--password-file", password_file,
              "--relay", relay_url)  # fmt: skip
    assert on.exit_code == 0, on.output
    assert consented()

    off = _run("consent", "ai-training", "off", "--keystore", keystore, "--password-file", password_file,
               "--direct", "--rpc-url", union.anvil.rpc_url, "--manifest", union.manifest_path)  # fmt: skip
    assert off.exit_code == 0, off.output
    assert not consented()


def test_claim_through_the_relay_and_directly_pays_exactly(
    relay: RelayEnv, tmp_path: Path, password_file: Path
) -> None:
    allocations = {relay.members[1].address: 2 * ETHER, relay.members[2].address: ETHER + 1}
    tree = _fund_round(relay, allocations)
    plans = TreePlanSource({ZERO_ADDRESS: tree})
    union = relay.union.union
    app_ = relay_app(make_service(relay.union, plans=plans))

    @app_.get("/v1/members/{address}/claims/{token}")
    def claim_arguments(address: str, token: str) -> dict[str, object]:
        """The read API's claim arguments (its own tests check them against the indexed store)."""
        arguments = plans.claim_arguments(to_checksum_address(token), to_checksum_address(address))
        assert arguments is not None
        proof = ["0x" + node.hex() for node in arguments.proof]
        return {
            "account": address,
            "token": token,
            "cumulative_amount": str(arguments.cumulative_amount),
            "proof": proof,
        }

    for url in _serve(app_):
        relayed_member, direct_member = relay.members[1], relay.members[2]
        before = relay.union.balance_of(ZERO_ADDRESS, relayed_member.address)
        # A relayed claim needs no password: the keystore's address is enough, and the distributor pays the account.
        keystore = _keystore(tmp_path, relayed_member)
        relayed = _run("claim", "--keystore", keystore, "--relay", url)
        assert relayed.exit_code == 0, relayed.output
        assert relay.union.balance_of(ZERO_ADDRESS, relayed_member.address) == before + 2 * ETHER

        nothing_left = _run("claim", "--keystore", keystore, "--relay", url)
        assert nothing_left.exit_code == 0  # the same claim again: the same transaction, nothing paid twice
        assert "same transaction" in _flat(nothing_left)
        assert relay.union.balance_of(ZERO_ADDRESS, relayed_member.address) == before + 2 * ETHER

        direct = _run(
            "claim", "--keystore", _keystore(tmp_path, direct_member), "--password-file", password_file,
            "--direct", "--api", url, "--rpc-url", union.anvil.rpc_url, "--manifest", union.manifest_path,
        )  # fmt: skip
        assert direct.exit_code == 0, direct.output
        claimed = relay.union.contracts.distributor.functions.claimed(ZERO_ADDRESS, direct_member.address).call()
        assert claimed == ETHER + 1

        again = _run(
            "claim", "--keystore", _keystore(tmp_path / "again", direct_member), "--password-file", password_file,
            "--direct", "--api", url, "--rpc-url", union.anvil.rpc_url, "--manifest", union.manifest_path,
        )  # fmt: skip
        assert again.exit_code == 1
        assert "claimed all" in again.output


def test_member_show_prints_the_statement_from_the_api(tmp_path: Path) -> None:
    address = "0x" + "ab" * 20
    api = FastAPI()

    # The stand-in answers with the API's own documented example statement (the real response schema).
    example = MemberStatementPublic.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]

    @api.get("/v1/members/{member}")
    def statement(member: str) -> dict[str, object]:
        return {**example, "address": member}

    for url in _serve(api):
        result = _run("member", "show", address, "--api", url, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["address"] == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"

        readable = _run("member", "show", address, "--api", url)
        assert readable.exit_code == 0, readable.output
        text = _flat(readable)
        assert "member since 2026-01-01 00:00 UTC" in text
        assert "6750000000000000000" in text  # the example's claimable ETH, exact to the wei
        assert "dividends" in text
        assert "votes: none" in text

        missing = _run("member", "show", "0x12", "--api", url)
        assert missing.exit_code == 1
        assert "not an Ethereum address" in missing.output
