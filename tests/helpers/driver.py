"""Drive a deployed local union the way its users do: admit, record, pay, consent, propose, vote, execute, claim.

The tests use this instead of repeating transaction plumbing; every action goes through the real contracts with the
real roles (the steward admits and records, buyers pay, members sign, the relayer submits, anyone executes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from union.chain import AnvilProcess, TransactionSender, simulate_call
from union.compiler import compile_contracts
from union.contracts import UnionContracts, load_abi
from union.localnet import LocalAccounts, LocalUnion
from union.types import ZERO_ADDRESS
from voting.proposals import ProposalSpec, ProposalState
from voting.typed_data import VoteSupport, ballot_typed_data, consent_typed_data, sign_typed_data


def purpose_id(name: str) -> bytes:
    return bytes(32) if name == "general" else keccak(text=name)


@dataclass
class UnionDriver:
    union: LocalUnion
    contracts: UnionContracts = field(init=False)
    _senders: dict[str, TransactionSender] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.contracts = UnionContracts.from_manifest(self.union.w3, self.union.manifest)

    # -- plumbing ------------------------------------------------------------------------------------------------
    @property
    def w3(self) -> Web3:
        return self.union.w3

    @property
    def anvil(self) -> AnvilProcess:
        return self.union.anvil

    @property
    def accounts(self) -> LocalAccounts:
        return self.union.accounts

    def sender(self, account: LocalAccount) -> TransactionSender:
        if account.address not in self._senders:
            self._senders[account.address] = TransactionSender(self.w3, account)
        return self._senders[account.address]

    def reset_nonces(self) -> None:
        """After an evm_revert the chain's nonces went back; forget the locally tracked ones."""
        self._senders.clear()

    def transact(self, account: LocalAccount, call: Any, value: int = 0) -> TxReceipt:
        return self.sender(account).transact(call, value=value)

    def fund(self, account: str, ether: int = 10) -> None:
        self.sender(self.accounts.deployer).send_value(Web3.to_checksum_address(account), ether * 10**18)

    # -- time ----------------------------------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def warp_to(self, timestamp: int) -> None:
        """Mine one block at ``timestamp`` (which must be later than the latest block's)."""
        self.anvil.rpc("evm_setNextBlockTimestamp", timestamp)
        self.anvil.rpc("evm_mine")

    def advance(self, seconds: int) -> None:
        self.warp_to(self.now() + seconds)

    def epoch_start(self, epoch: int) -> int:
        p = self.union.manifest.parameters
        return p.epoch_genesis + (epoch - 1) * p.epoch_length

    def epoch_end(self, epoch: int) -> int:
        return self.epoch_start(epoch) + self.union.manifest.parameters.epoch_length

    def grace_end(self, epoch: int) -> int:
        return self.epoch_end(epoch) + self.union.manifest.parameters.grace_period

    # -- membership, contributions, revenue -----------------------------------------------------------------------
    def admit(self, members: Sequence[str]) -> TxReceipt:
        return self.transact(self.accounts.steward, self.contracts.membership.functions.admit(list(members)))

    def record(self, epoch: int, entries: Iterable[tuple[str, int, bytes]]) -> TxReceipt:
        rows = list(entries)
        call = self.contracts.ledger.functions.record(
            epoch, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
        )
        return self.transact(self.accounts.steward, call)

    def set_consent(self, member: LocalAccount, purpose: str, granted: bool) -> TxReceipt:
        """A member's consent change signed off-chain and submitted by the relayer (the member holds no ETH)."""
        membership = self.contracts.membership
        nonce = membership.functions.nonces(member.address).call()
        typed = consent_typed_data(
            membership=membership.address,
            chain_id=self.w3.eth.chain_id,
            member=member.address,
            purpose_id=purpose_id(purpose),
            granted=granted,
            nonce=nonce,
            deadline=self.now() + 3_600,
        )
        signature = sign_typed_data(member, typed)
        call = membership.functions.setConsentBySig(
            member.address, purpose_id(purpose), granted, nonce, typed["message"]["deadline"], signature
        )
        return self.transact(self.accounts.relayer, call)

    def deploy_token(self, name: str = "Test Dollar", symbol: str = "TUSD") -> Contract:
        artifact = compile_contracts().get("TestERC20")
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode="0x" + artifact.bytecode)
        receipt = self.transact(self.accounts.deployer, factory.constructor(name, symbol))
        address = receipt["contractAddress"]
        assert address is not None
        return self.w3.eth.contract(address=address, abi=load_abi("TestERC20"))

    def pay_eth(self, buyer: LocalAccount, amount: int, purpose: str, licence: str = "licence") -> TxReceipt:
        call = self.contracts.treasury.functions.payRevenue(ZERO_ADDRESS, amount, purpose_id(purpose), licence)
        return self.transact(buyer, call, value=amount)

    def pay_token(
        self, token: Contract, buyer: LocalAccount, amount: int, purpose: str, licence: str = "licence"
    ) -> TxReceipt:
        self.transact(buyer, token.functions.mint(buyer.address, amount))
        self.transact(buyer, token.functions.approve(self.contracts.treasury.address, amount))
        call = self.contracts.treasury.functions.payRevenue(token.address, amount, purpose_id(purpose), licence)
        return self.transact(buyer, call)

    # -- governance ----------------------------------------------------------------------------------------------
    def propose(self, proposer: LocalAccount, spec: ProposalSpec) -> int:
        self.fund(proposer.address)
        self.transact(proposer, self.contracts.governor.functions.propose(*spec.propose_args()))
        return spec.proposal_id()

    def state(self, proposal_id: int) -> ProposalState:
        return ProposalState(self.contracts.governor.functions.state(proposal_id).call())

    def ballot_signature(self, voter: LocalAccount, proposal_id: int, support: VoteSupport) -> bytes:
        governor = self.contracts.governor
        typed = ballot_typed_data(
            governor=governor.address,
            governor_name=governor.functions.name().call(),
            chain_id=self.w3.eth.chain_id,
            proposal_id=proposal_id,
            support=support,
            voter=voter.address,
            nonce=governor.functions.nonces(voter.address).call(),
        )
        return sign_typed_data(voter, typed)

    def vote_by_sig(self, voter: LocalAccount, proposal_id: int, support: VoteSupport = VoteSupport.FOR) -> TxReceipt:
        signature = self.ballot_signature(voter, proposal_id, support)
        call = self.contracts.governor.functions.castVoteBySig(proposal_id, int(support), voter.address, signature)
        return self.transact(self.accounts.relayer, call)

    def start_voting(self, proposal_id: int) -> None:
        snapshot = self.contracts.governor.functions.proposalSnapshot(proposal_id).call()
        if self.now() <= snapshot:
            self.warp_to(snapshot + 1)

    def end_voting(self, proposal_id: int) -> None:
        deadline = self.contracts.governor.functions.proposalDeadline(proposal_id).call()
        if self.now() <= deadline:
            self.warp_to(deadline + 1)

    def queue_and_execute(self, spec: ProposalSpec, executor: LocalAccount | None = None) -> TxReceipt:
        governor = self.contracts.governor
        anyone = executor or self.accounts.buyer
        self.transact(anyone, governor.functions.queue(*spec.lifecycle_args()))
        eta = governor.functions.proposalEta(spec.proposal_id()).call()
        if self.now() < eta:
            self.warp_to(eta)
        return self.transact(anyone, governor.functions.execute(*spec.lifecycle_args()))

    def pass_proposal(self, proposer: LocalAccount, spec: ProposalSpec, voters: Sequence[LocalAccount]) -> TxReceipt:
        """Propose, vote FOR by signed ballots through the relayer, queue, wait out the timelock, execute."""
        proposal_id = self.propose(proposer, spec)
        self.start_voting(proposal_id)
        for voter in voters:
            self.vote_by_sig(voter, proposal_id)
        self.end_voting(proposal_id)
        assert self.state(proposal_id) is ProposalState.SUCCEEDED
        return self.queue_and_execute(spec)

    def as_timelock(self, call: Any) -> TxReceipt:
        """Execute ``call`` as the timelock would once a vote passed, without the vote (anvil impersonation).

        For tests of what the treasury does with a governance action, many times over: the vote itself is tested
        elsewhere. The chain's refusal surfaces as :class:`ContractRevertError`, decoded, and nothing is sent.
        """
        timelock = self.contracts.timelock.address
        data = bytes.fromhex(call._encode_transaction_data()[2:])
        simulate_call(self.w3, timelock, call.address, data)
        self.anvil.rpc("anvil_impersonateAccount", timelock)
        try:
            self.anvil.rpc("anvil_setBalance", timelock, hex(10**18))
            tx_hash = self.w3.eth.send_transaction(
                {"from": timelock, "to": call.address, "data": data, "gas": 2_000_000}
            )
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        finally:
            self.anvil.rpc("anvil_stopImpersonatingAccount", timelock)
        assert receipt["status"] == 1, receipt
        return receipt

    def balance_of(self, token: str, account: str) -> int:
        if token == ZERO_ADDRESS:
            return self.w3.eth.get_balance(Web3.to_checksum_address(account))
        erc20 = self.w3.eth.contract(address=Web3.to_checksum_address(token), abi=load_abi("TestERC20"))
        balance: int = erc20.functions.balanceOf(account).call()
        return balance


def addresses(accounts: Iterable[LocalAccount]) -> list[ChecksumAddress]:
    return [account.address for account in accounts]
