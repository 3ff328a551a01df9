"""The relay's ballots: the payload a browser wallet signs, what it accepts, and everything it refuses for free."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_account import Account

from tests.api.relay.conftest import RelayEnv, ballot_body, deploy_wallet, open_proposal, sign_payload
from union.localnet import LocalAccounts
from voting.proposals import ProposalState


def test_ballot_payload_is_what_eth_signTypedData_v4_takes(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    response = relay.ballot_payload(proposal_id, "against", relay.members[1].address.lower())

    assert response.status_code == 200
    payload = response.json()
    assert set(payload) == {"types", "primaryType", "domain", "message"}
    assert payload["primaryType"] == "Ballot"
    assert payload["domain"] == {
        "name": relay.union.contracts.governor.functions.name().call(),
        "version": "1",
        "chainId": relay.union.w3.eth.chain_id,
        "verifyingContract": relay.union.contracts.governor.address,
    }
    # uint256 values travel as decimal strings: a proposal id has more digits than a JavaScript number keeps.
    assert payload["message"] == {
        "proposalId": str(proposal_id),
        "support": 0,
        "voter": relay.members[1].address,
        "nonce": "0",
    }


def test_relay_accepts_a_ballot_signed_from_the_json_a_browser_wallet_receives(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    voter = relay.members[1]
    nonce_before = relay.relayer_nonce()
    voter_balance = relay.union.w3.eth.get_balance(voter.address)

    response = relay.vote(relay.signed_ballot(voter, proposal_id, "for"))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "vote"
    assert body["duplicate"] is False
    receipt = relay.union.w3.eth.get_transaction_receipt(body["transaction_hash"])
    assert receipt["status"] == 1
    assert receipt["from"] == relay.relayer.address
    governor = relay.union.contracts.governor.functions
    assert governor.hasVoted(proposal_id, voter.address).call()
    assert governor.proposalVotes(proposal_id).call()[1] == 1  # (against, for, abstain)
    assert relay.relayer_nonce() == nonce_before + 1
    assert relay.union.w3.eth.get_balance(voter.address) == voter_balance  # the member paid nothing


def test_ballot_with_a_reason_is_cast_with_that_reason(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    voter = relay.members[2]
    body = relay.signed_ballot(voter, proposal_id, "abstain", reason="the reserve is too high")
    assert "reason" in body

    response = relay.vote(body)

    assert response.status_code == 201, response.text
    receipt = relay.union.w3.eth.get_transaction_receipt(response.json()["transaction_hash"])
    (event,) = relay.union.contracts.governor.events.VoteCastWithParams().process_receipt(receipt) or [None]
    if event is None:
        (event,) = relay.union.contracts.governor.events.VoteCast().process_receipt(receipt)
    assert event["args"]["reason"] == "the reserve is too high"
    assert event["args"]["support"] == 2


def test_same_ballot_sent_twice_returns_the_same_transaction(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    body = relay.signed_ballot(relay.members[1], proposal_id)
    nonce_before = relay.relayer_nonce()

    first = relay.vote(body)
    second = relay.vote(body)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["transaction_hash"] == first.json()["transaction_hash"]
    assert second.json()["duplicate"] is True
    assert relay.relayer_nonce() == nonce_before + 1


def test_relay_accepts_a_ballot_from_an_eip1271_wallet_that_is_a_member(relay: RelayEnv) -> None:
    owner = LocalAccounts.member(20)
    wallet = deploy_wallet(relay, owner.address)
    relay.union.admit([wallet.address])
    relay.union.advance(10)
    proposal_id = open_proposal(relay.union, relay.members[0])

    # The wallet's owner signs the wallet's ballot; the governor asks the wallet (EIP-1271), and so does the relay.
    response = relay.vote(relay.signed_ballot(owner, proposal_id, "for", voter=wallet.address))

    assert response.status_code == 201, response.text
    assert relay.union.contracts.governor.functions.hasVoted(proposal_id, wallet.address).call()


def test_relay_refuses_a_wallet_ballot_its_owner_did_not_sign(relay: RelayEnv) -> None:
    wallet = deploy_wallet(relay, LocalAccounts.member(20).address)
    relay.union.admit([wallet.address])
    relay.union.advance(10)
    proposal_id = open_proposal(relay.union, relay.members[0])
    nonce_before = relay.relayer_nonce()

    response = relay.vote(relay.signed_ballot(LocalAccounts.member(21), proposal_id, "for", voter=wallet.address))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert "EIP-1271" in response.json()["error"]["message"]
    assert relay.relayer_nonce() == nonce_before


def _tampered(body: dict[str, object]) -> dict[str, object]:
    signature = bytearray(bytes.fromhex(str(body["signature"])[2:]))
    signature[10] ^= 0x01
    return body | {"signature": "0x" + signature.hex()}


def test_relay_refuses_a_tampered_signature_and_sends_nothing(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    nonce_before = relay.relayer_nonce()

    response = relay.vote(_tampered(relay.signed_ballot(relay.members[1], proposal_id)))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert relay.relayer_nonce() == nonce_before
    assert not relay.union.contracts.governor.functions.hasVoted(proposal_id, relay.members[1].address).call()


def test_relay_refuses_a_ballot_changed_after_signing(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    body = relay.signed_ballot(relay.members[1], proposal_id, "for") | {"support": 0}
    nonce_before = relay.relayer_nonce()

    response = relay.vote(body)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert relay.relayer_nonce() == nonce_before


@pytest.mark.parametrize("declare_chain", [True, False])
def test_relay_refuses_a_ballot_signed_for_another_chain(relay: RelayEnv, declare_chain: bool) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    response = relay.ballot_payload(proposal_id, "for", relay.members[1].address)
    payload = json.loads(response.text)
    payload["domain"]["chainId"] = 1
    signature = sign_payload(relay.members[1], json.dumps(payload))
    body = ballot_body(payload, signature)
    if not declare_chain:
        del body["chainId"]
    nonce_before = relay.relayer_nonce()

    refused = relay.vote(body)

    assert refused.status_code == 403  # the signature authorizes nothing on this chain
    assert refused.json()["error"]["code"] == ("wrong_chain" if declare_chain else "invalid_signature")
    assert relay.relayer_nonce() == nonce_before


def test_relay_refuses_a_stale_nonce(relay: RelayEnv) -> None:
    voter = relay.members[1]
    first = open_proposal(relay.union, relay.members[0], "Policy A")
    second = open_proposal(relay.union, relay.members[0], "Policy B")
    stale = relay.signed_ballot(voter, second)  # signed with nonce 0 ...
    assert relay.vote(relay.signed_ballot(voter, first)).status_code == 201  # ... which this vote uses up
    nonce_before = relay.relayer_nonce()

    response = relay.vote(stale)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_nonce"
    assert response.json()["error"]["details"] == [{"signedNonce": "0", "currentNonce": "1"}]
    assert relay.relayer_nonce() == nonce_before


def test_relay_refuses_a_non_member(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    outsider = Account.create()
    nonce_before = relay.relayer_nonce()

    response = relay.vote(relay.signed_ballot(outsider, proposal_id))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_voting_weight"
    assert relay.relayer_nonce() == nonce_before


def test_relay_refuses_a_member_admitted_after_the_snapshot(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    latecomer = LocalAccounts.member(30)
    relay.union.admit([latecomer.address])
    nonce_before = relay.relayer_nonce()

    response = relay.vote(relay.signed_ballot(latecomer, proposal_id))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_voting_weight"
    assert relay.relayer_nonce() == nonce_before


def test_relay_refuses_a_proposal_that_is_not_active(relay: RelayEnv) -> None:
    from tests.api.relay.conftest import policy_spec  # noqa: PLC0415

    proposal_id = relay.union.propose(relay.members[0], policy_spec(relay.union))  # voting has not started
    assert relay.union.state(proposal_id) is ProposalState.PENDING
    body = relay.signed_ballot(relay.members[1], proposal_id)
    nonce_before = relay.relayer_nonce()

    response = relay.vote(body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "proposal_not_active"
    assert response.json()["error"]["details"][0]["state"] == "pending"
    assert relay.relayer_nonce() == nonce_before


def test_relay_refuses_an_unknown_proposal(relay: RelayEnv) -> None:
    response = relay.ballot_payload(12345, "for", relay.members[1].address)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_proposal"


def test_relay_refuses_a_double_vote(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    voter = relay.members[1]
    assert relay.vote(relay.signed_ballot(voter, proposal_id, "for")).status_code == 201
    second_ballot = relay.signed_ballot(voter, proposal_id, "against")  # a fresh nonce: a new ballot, same voter
    nonce_before = relay.relayer_nonce()

    response = relay.vote(second_ballot)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_voted"
    assert relay.relayer_nonce() == nonce_before


def test_malformed_ballot_is_a_422_that_says_what_is_wrong(relay: RelayEnv) -> None:
    response = relay.vote({"proposalId": "x", "support": "maybe", "voter": "0x12", "nonce": 0, "signature": "0x"})

    assert response.status_code == 422
    assert "proposalId" in response.text


def test_concurrent_ballots_all_land_with_consecutive_relayer_nonces(relay: RelayEnv) -> None:
    proposal_id = open_proposal(relay.union, relay.members[0])
    ballots = [relay.signed_ballot(member, proposal_id) for member in relay.members]
    nonce_before = relay.relayer_nonce()

    with ThreadPoolExecutor(max_workers=len(ballots)) as pool:
        responses = list(pool.map(relay.vote, ballots + ballots))  # every ballot twice, all at once

    assert sorted(r.status_code for r in responses) == [200] * len(ballots) + [201] * len(ballots)
    hashes = {r.json()["transaction_hash"] for r in responses}
    assert len(hashes) == len(ballots)
    nonces = sorted(relay.union.w3.eth.get_transaction(h)["nonce"] for h in hashes)
    assert nonces == list(range(nonce_before, nonce_before + len(ballots)))
    assert relay.union.contracts.governor.functions.proposalVotes(proposal_id).call()[1] == len(ballots)
