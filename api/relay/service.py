"""The relay's chain side: check a member's signed request as the contract will, then pay for it.

Every submission goes through the same gate, in this order, and stops at the first refusal with nothing sent:
the abuse limits (per client address, per voter / account); the idempotency log (the same request again returns
its transaction); the request's own checks — nonce, deadline, proposal state, membership, signature (EOA locally,
EIP-1271 wallets by a call), voting weight at the snapshot, not voted yet, something to claim; the relayer's
balance floor; and a simulation (``union.chain.simulate_gas``) whose revert is decoded. Only then is
the transaction signed and sent. Checks and sends are serialised by one lock — one process, one relayer key, one
nonce sequence (see :mod:`api.relay.store`) — which is released as soon as the node has accepted the transaction
and the request is remembered; the wait for the receipt runs outside it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import requests
from eth_abi import encode as abi_encode
from eth_typing import ChecksumAddress, HexStr
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError
from web3.types import BlockIdentifier

from api.relay.limits import RateLimit, TokenBuckets
from api.relay.models import BallotRequest, ConsentRequest
from api.relay.plans import ClaimArguments, PlanSource
from api.relay.store import Submission, SubmissionLog
from union.chain import TransactionSender, simulate_gas
from union.contracts import UnionContracts, decode_revert
from union.errors import (
    ContractRevertError,
    RelayerUnderfundedError,
    RelayRefusedError,
    RpcUnavailableError,
    UnionValueError,
)
from voting.proposals import ProposalState
from voting.signatures import typed_data_digest, verify_typed_data_signature
from voting.typed_data import VoteSupport, ballot_typed_data, consent_typed_data

__all__ = ["RelayConfig", "RelayService", "RelayStatus", "SubmissionResult", "purpose_id_of"]

logger = logging.getLogger(__name__)

_BALLOT_UINTS: Final = ("proposalId", "nonce")
_CONSENT_UINTS: Final = ("nonce", "deadline")
"""Gas added to every estimate: votes and consent write timestamp-keyed checkpoints, and when the transaction lands
in a block with a later timestamp than the one it was estimated in, the checkpoint takes a new storage slot (22,100
gas) instead of updating the last one — more than a proportional margin covers on a small transaction."""
_CLIENT_LIMIT: Final = RateLimit.per_minute(60, burst=20)
_SUBJECT_LIMIT: Final = RateLimit.per_minute(6, burst=6)


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """The relay's limits: the balance floor (wei), abuse limits, and how long a consent signature stays valid."""

    balance_floor: int = 10**16
    client_limit: RateLimit = _CLIENT_LIMIT
    subject_limit: RateLimit = _SUBJECT_LIMIT
    consent_validity: int = 3_600


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    """The transaction sent for a request, and whether this request had been sent before."""

    kind: str
    transaction_hash: str
    duplicate: bool
    block_number: int | None = None


@dataclass(frozen=True, slots=True)
class RelayStatus:
    """Who pays, how much it holds, and whether that is above the floor below which the relay refuses."""

    chain_id: int
    relayer: ChecksumAddress
    balance: int
    balance_floor: int
    claims: bool

    @property
    def accepting(self) -> bool:
        return self.balance >= self.balance_floor


_PURPOSE_ID: Final = re.compile(r"0[xX][0-9a-fA-F]{64}")


def purpose_id_of(purpose: str) -> bytes:
    """A purpose's id from its 0x id (32 bytes) or from its name (``keccak256(name)``; "general" is id zero); any
    other text is a name, registered or not (the relay then says whether it is)."""
    text = purpose.strip()
    if _PURPOSE_ID.fullmatch(text):
        return bytes.fromhex(text[2:])
    if not text:
        raise UnionValueError("a purpose is its registered name (e.g. 'ai-training') or its 0x id")
    return bytes(32) if text == "general" else keccak(text=text)


def _wire(typed_data: dict[str, Any], uint_fields: tuple[str, ...]) -> dict[str, Any]:
    """The typed data as JSON carries it: uint256 message fields as decimal strings (exact in JavaScript too)."""
    message = dict(typed_data["message"])
    for name in uint_fields:
        message[name] = str(message[name])
    return {**typed_data, "message": message}


def _hex(data: str) -> bytes:
    return bytes.fromhex(data[2:])


def _read(call: ContractFunction, block: BlockIdentifier = "latest") -> Any:
    """A view call whose custom-error revert becomes a decoded :class:`ContractRevertError`."""
    try:
        return call.call(block_identifier=block)
    except (ContractCustomError, ContractLogicError) as exc:
        raise decode_revert(exc.data if isinstance(exc.data, str) else None) from exc
    except Web3RPCError as exc:
        raise RpcUnavailableError(f"the RPC node failed a read: {exc}") from exc
    except (requests.exceptions.RequestException, OSError) as exc:
        raise RpcUnavailableError(f"cannot reach the RPC node: {exc}") from exc


class _SendTurn:
    """The right to check and send, held from the idempotency lookup until the transaction is accepted by the node.

    Waiting for the receipt happens after :meth:`release`, so one slow block does not hold up every other member.
    """

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._held = False

    def __enter__(self) -> _SendTurn:
        self._lock.acquire()
        self._held = True
        return self

    def release(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class RelayService:
    """Checks and submits members' signed votes and consent changes, and claims, paying with the relayer key."""

    def __init__(
        self,
        w3: Web3,
        contracts: UnionContracts,
        sender: TransactionSender,
        *,
        submissions: SubmissionLog | None = None,
        plans: PlanSource | None = None,
        config: RelayConfig | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.w3 = w3
        self.contracts = contracts
        self.sender = sender
        self.submissions = submissions or SubmissionLog()
        self.plans = plans
        self.config = config or RelayConfig()
        self.chain_id = w3.eth.chain_id
        self.governor_name: str = contracts.governor.functions.name().call()
        limits: dict[str, Any] = {} if clock is None else {"clock": clock}
        self._client_buckets = TokenBuckets(self.config.client_limit, **limits)
        self._subject_buckets = TokenBuckets(self.config.subject_limit, **limits)
        self._send_lock = threading.Lock()

    # -- status ---------------------------------------------------------------------------------------------------
    def status(self) -> RelayStatus:
        return RelayStatus(
            chain_id=self.chain_id,
            relayer=self.sender.address,
            balance=self.w3.eth.get_balance(self.sender.address),
            balance_floor=self.config.balance_floor,
            claims=self.plans is not None,
        )

    # -- votes ----------------------------------------------------------------------------------------------------
    def ballot_typed_data(
        self, proposal_id: int, support: VoteSupport, voter: str, reason: str | None = None, params: bytes = b""
    ) -> dict[str, Any]:
        """The ballot to sign, with the voter's current governor nonce, as ``eth_signTypedData_v4`` takes it."""
        voter = to_checksum_address(voter)
        self._proposal_state(proposal_id)  # an unknown proposal is refused here already
        nonce: int = _read(self.contracts.governor.functions.nonces(voter))
        return _wire(self._ballot(proposal_id, support, voter, nonce, reason, params), _BALLOT_UINTS)

    def _ballot(
        self, proposal_id: int, support: VoteSupport, voter: str, nonce: int, reason: str | None, params: bytes
    ) -> dict[str, Any]:
        return ballot_typed_data(
            governor=self.contracts.governor.address,
            governor_name=self.governor_name,
            chain_id=self.chain_id,
            proposal_id=proposal_id,
            support=support,
            voter=voter,
            nonce=nonce,
            reason=reason,
            params=params,
        )

    def submit_ballot(self, ballot: BallotRequest, client: str) -> SubmissionResult:
        """Check a signed ballot as the governor will, then send ``castVoteBySig`` (or its reason/params variant)."""
        voter = to_checksum_address(ballot.voter)
        self._take(client, "voter", voter)
        self._check_chain(ballot.chain_id)
        support = VoteSupport(ballot.support)
        params = _hex(ballot.params)
        typed = self._ballot(ballot.proposal_id, support, voter, ballot.nonce, ballot.reason, params)
        governor = self.contracts.governor.functions
        with _SendTurn(self._send_lock) as turn:
            key, prior = self._prior(typed)
            if prior is not None:
                return prior
            self._check_nonce(_read(governor.nonces(voter)), ballot.nonce, voter)
            state = self._proposal_state(ballot.proposal_id)
            if state is not ProposalState.ACTIVE:
                raise RelayRefusedError(
                    "ProposalNotActive",
                    f"proposal {ballot.proposal_id} is {state.name.lower()}, not active: votes are not counted now",
                    {"proposalId": str(ballot.proposal_id), "state": state.name.lower()},
                )
            signature = _hex(ballot.signature)
            verify_typed_data_signature(self.w3, typed, signature, voter)
            if _read(governor.hasVoted(ballot.proposal_id, voter)):
                raise RelayRefusedError(
                    "AlreadyVoted",
                    f"{voter} has already voted on proposal {ballot.proposal_id}",
                    {"proposalId": str(ballot.proposal_id), "voter": voter},
                )
            snapshot: int = _read(governor.proposalSnapshot(ballot.proposal_id))
            weight: int = _read(governor.getVotes(voter, snapshot))
            if weight == 0:
                raise RelayRefusedError(
                    "NoVotingWeight",
                    f"{voter} had no vote at the proposal's snapshot ({snapshot}): not a member then, or delegated",
                    {"voter": voter, "snapshot": snapshot},
                )
            if typed["primaryType"] == "Ballot":
                call = governor.castVoteBySig(ballot.proposal_id, int(support), voter, signature)
            else:
                call = governor.castVoteWithReasonAndParamsBySig(
                    ballot.proposal_id, int(support), voter, ballot.reason or "", params, signature
                )
            return self._send("vote", key, voter, call, turn)

    def _proposal_state(self, proposal_id: int) -> ProposalState:
        try:
            return ProposalState(_read(self.contracts.governor.functions.state(proposal_id)))
        except ContractRevertError as exc:
            if exc.name == "GovernorNonexistentProposal":
                raise RelayRefusedError(
                    "UnknownProposal", f"there is no proposal {proposal_id}", {"proposalId": str(proposal_id)}
                ) from None
            raise

    # -- consent --------------------------------------------------------------------------------------------------
    def consent_typed_data(
        self, member: str, purpose_id: bytes, granted: bool, deadline: int | None = None
    ) -> dict[str, Any]:
        """The consent change to sign, with the member's current nonce and a deadline (default: validity from now)."""
        member = to_checksum_address(member)
        self._check_purpose(purpose_id)
        if deadline is None:
            deadline = self._chain_time() + self.config.consent_validity
        nonce: int = _read(self.contracts.membership.functions.nonces(member))
        return _wire(self._consent(member, purpose_id, granted, nonce, deadline), _CONSENT_UINTS)

    def _consent(self, member: str, purpose_id: bytes, granted: bool, nonce: int, deadline: int) -> dict[str, Any]:
        return consent_typed_data(
            membership=self.contracts.membership.address,
            chain_id=self.chain_id,
            member=member,
            purpose_id=purpose_id,
            granted=granted,
            nonce=nonce,
            deadline=deadline,
        )

    def submit_consent(self, consent: ConsentRequest, client: str) -> SubmissionResult:
        """Check a signed consent change as the membership will, then send ``setConsentBySig``."""
        member = to_checksum_address(consent.member)
        self._take(client, "member", member)
        self._check_chain(consent.chain_id)
        purpose_id = _hex(consent.purpose_id)
        typed = self._consent(member, purpose_id, consent.granted, consent.nonce, consent.deadline)
        membership = self.contracts.membership.functions
        with _SendTurn(self._send_lock) as turn:
            key, prior = self._prior(typed)
            if prior is not None:
                return prior
            now = self._chain_time()
            if consent.deadline <= now:
                raise RelayRefusedError(
                    "ExpiredSignature",
                    f"the consent signature expired at {consent.deadline} (chain time {now}); sign a new one",
                    {"deadline": str(consent.deadline), "chainTime": now},
                )
            self._check_nonce(_read(membership.nonces(member)), consent.nonce, member)
            self._check_purpose(purpose_id)
            verify_typed_data_signature(self.w3, typed, _hex(consent.signature), member)
            if not _read(membership.isMember(member)):
                raise RelayRefusedError("NotMember", f"{member} is not a member of the union", {"member": member})
            call = membership.setConsentBySig(
                member, purpose_id, consent.granted, consent.nonce, consent.deadline, _hex(consent.signature)
            )
            return self._send("consent", key, member, call, turn)

    def _check_purpose(self, purpose_id: bytes) -> None:
        if not _read(self.contracts.membership.functions.isPurpose(purpose_id)):
            raise RelayRefusedError(
                "UnknownPurpose",
                f"0x{purpose_id.hex()} is not a registered purpose (the general purpose takes no consent)",
                {"purposeId": "0x" + purpose_id.hex()},
            )

    # -- claims ---------------------------------------------------------------------------------------------------
    def claim_arguments(self, token: str, account: str) -> tuple[ClaimArguments, int]:
        """The account's claim arguments from the latest plan, and what it has claimed already."""
        token, account = to_checksum_address(token), to_checksum_address(account)
        if self.plans is None:
            raise RelayRefusedError(
                "ClaimsUnavailable", "this relay has no stored plans to build claims from", {"token": token}
            )
        arguments = self.plans.claim_arguments(token, account)
        if arguments is None:
            raise RelayRefusedError(
                "NoAllocation",
                f"{account} has no allocation of {token} in the latest funded plan",
                {"account": account, "token": token},
            )
        claimed: int = _read(self.contracts.distributor.functions.claimed(token, account))
        return arguments, claimed

    def submit_claim(self, token: str, account: str, client: str) -> SubmissionResult:
        """Claim everything ``account`` can claim of ``token``; the distributor pays the account, never the relay."""
        token, account = to_checksum_address(token), to_checksum_address(account)
        self._take(client, "account", account)
        arguments, _ = self.claim_arguments(token, account)
        key = (
            "0x"
            + keccak(
                abi_encode(
                    ["string", "uint256", "address", "address", "address", "uint256"],
                    [
                        "claim",
                        self.chain_id,
                        self.contracts.distributor.address,
                        token,
                        account,
                        arguments.cumulative_amount,
                    ],
                )
            ).hex()
        )
        with _SendTurn(self._send_lock) as turn:
            prior = self.submissions.get(key)
            if prior is not None:
                return SubmissionResult(prior.kind, prior.transaction_hash, duplicate=True)
            claimed: int = _read(self.contracts.distributor.functions.claimed(token, account))
            if arguments.cumulative_amount <= claimed:
                raise RelayRefusedError(
                    "NothingToClaim",
                    f"{account} has claimed all {claimed} of {token} allocated so far; nothing to claim",
                    {"account": account, "token": token, "claimed": str(claimed)},
                )
            root: bytes = _read(self.contracts.distributor.functions.merkleRoot(token))
            if bytes(root) != arguments.root:
                raise RelayRefusedError(
                    "PlanNotFunded",
                    f"the latest stored plan for {token} is not the one funded on chain yet; try after it executes",
                    {"token": token, "onChainRoot": "0x" + bytes(root).hex()},
                )
            call = self.contracts.distributor.functions.claim(
                token, account, arguments.cumulative_amount, list(arguments.proof)
            )
            return self._send("claim", key, account, call, turn)

    # -- the gate -------------------------------------------------------------------------------------------------
    def _take(self, client: str, role: str, subject: str) -> None:
        self._client_buckets.take(f"client:{client}", f"client {client}")
        self._subject_buckets.take(f"{role}:{subject.lower()}", f"{role} {subject}")

    def _check_chain(self, chain_id: int | None) -> None:
        if chain_id is not None and chain_id != self.chain_id:
            raise RelayRefusedError(
                "WrongChain",
                f"the request was signed for chain {chain_id}, but this relay submits on chain {self.chain_id}",
                {"chainId": chain_id, "relayChainId": self.chain_id},
            )

    @staticmethod
    def _check_nonce(current: int, signed: int, signer: str) -> None:
        if signed != current:
            raise RelayRefusedError(
                "StaleNonce",
                f"the signature uses nonce {signed} but {signer}'s next nonce is {current}: fetch the typed data again "
                "and sign anew",
                {"signedNonce": str(signed), "currentNonce": str(current)},
            )

    def _prior(self, typed: dict[str, Any]) -> tuple[str, SubmissionResult | None]:
        key = "0x" + typed_data_digest(typed).hex()
        prior = self.submissions.get(key)
        if prior is None:
            return key, None
        return key, SubmissionResult(prior.kind, prior.transaction_hash, duplicate=True)

    def _chain_time(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def _send(self, kind: str, key: str, subject: str, call: ContractFunction, turn: _SendTurn) -> SubmissionResult:
        balance = self.w3.eth.get_balance(self.sender.address)
        if balance < self.config.balance_floor:
            logger.warning("relayer balance below floor", extra={"relayer": self.sender.address, "balance": balance})
            raise RelayerUnderfundedError(
                f"the relay is out of gas money for now (relayer {self.sender.address} holds {balance} wei, below "
                f"its floor of {self.config.balance_floor} wei); please try later or submit the transaction yourself"
            )

        def remember(transaction_hash: HexStr) -> None:
            self.submissions.record(Submission(key, kind, subject, transaction_hash))
            turn.release()  # the nonce is taken and the request remembered: the next one may go while this one mines

        gas = simulate_gas(call, self.sender.address)  # a refusal here has cost nothing
        try:
            receipt = self.sender.transact(call, gas=gas, on_sent=remember)
        except ContractRevertError:
            self.submissions.forget(key)  # a no-op when the simulation refused it: nothing was sent
            raise
        transaction_hash = receipt["transactionHash"].to_0x_hex()
        logger.info(
            "relayed",
            extra={"kind": kind, "subject": subject, "transaction": transaction_hash, "chain_id": self.chain_id},
        )
        return SubmissionResult(kind, transaction_hash, duplicate=False, block_number=int(receipt["blockNumber"]))
