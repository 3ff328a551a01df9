"""What the stewards' operations read from the chain: logs of one contract, membership of many accounts, proposals.

Logs come through the kernel's JSON-RPC client (retries, adaptive ``eth_getLogs`` ranges) and its pure decoders, so
the operations see exactly what the indexer and ``union verify`` see. Nothing here sends a transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from eth_abi import encode as abi_encode
from eth_typing import ChecksumAddress
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from union.contracts import load_abi
from union.errors import LogRangeRefusedError, UnionValueError
from union.events import build_contract_events, decode_log
from union.operations.ledger import LedgerEntries
from union.rpc import AdaptiveLogFetcher, JsonRpcClient

__all__ = [
    "CreatedProposal",
    "fetch_logs",
    "find_proposal",
    "latest_block",
    "member_statuses",
    "read_ledger",
    "read_proposals",
]

_IS_MEMBER: Final = "0x" + function_signature_to_4byte_selector("isMember(address)").hex()


def latest_block(client: JsonRpcClient) -> int:
    return int(client.call("eth_blockNumber"), 16)


def fetch_logs(client: JsonRpcClient, address: str, from_block: int, to_block: int) -> list[dict[str, Any]]:
    """Every log of ``address`` in blocks ``from_block..to_block``, in chain order; ranges adapt to the node."""
    fetcher = AdaptiveLogFetcher(client, [address])
    logs: list[dict[str, Any]] = []
    start = from_block
    while start <= to_block:
        end = fetcher.planned_end(start, to_block)
        try:
            logs.extend(fetcher.fetch(start, end))
        except LogRangeRefusedError:
            if end <= start:  # even one block is refused: nothing smaller to ask for
                raise
            continue  # the fetcher halved its span; ask again from the same block
        start = end + 1
    return logs


def _decoded(
    client: JsonRpcClient, name: str, address: str, from_block: int, to_block: int
) -> list[tuple[str, dict[str, Any], int]]:
    contract = build_contract_events(name, address, load_abi(name))
    by_address = {contract.address.lower(): contract}
    return [
        (event.event, event.args, event.block_number)
        for event in (decode_log(by_address, log, 0) for log in fetch_logs(client, address, from_block, to_block))
    ]


def read_ledger(client: JsonRpcClient, ledger: str, from_block: int, to_block: int | None = None) -> LedgerEntries:
    """Every entry and revocation of the ledger up to ``to_block`` (the latest block by default)."""
    end = latest_block(client) if to_block is None else to_block
    return LedgerEntries.from_events(_decoded(client, "ContributionLedger", ledger, from_block, end))


@dataclass(frozen=True, slots=True)
class CreatedProposal:
    """A governor proposal as its ``ProposalCreated`` event states it: enough to queue, execute or cancel it."""

    proposal_id: int
    proposer: ChecksumAddress
    targets: tuple[ChecksumAddress, ...]
    values: tuple[int, ...]
    calldatas: tuple[bytes, ...]
    description: str
    vote_start: int
    vote_end: int
    block_number: int


def read_proposals(
    client: JsonRpcClient, governor: str, from_block: int, to_block: int | None = None
) -> dict[int, CreatedProposal]:
    """Every proposal the governor created, by id, from its ``ProposalCreated`` events."""
    end = latest_block(client) if to_block is None else to_block
    proposals: dict[int, CreatedProposal] = {}
    for name, args, block_number in _decoded(client, "UnionGovernor", governor, from_block, end):
        if name != "ProposalCreated":
            continue
        proposal = CreatedProposal(
            proposal_id=int(args["proposalId"]),
            proposer=to_checksum_address(str(args["proposer"])),
            targets=tuple(to_checksum_address(target) for target in args["targets"]),
            values=tuple(int(value) for value in args["values"]),
            calldatas=tuple(bytes.fromhex(str(data)[2:]) for data in args["calldatas"]),
            description=str(args["description"]),
            vote_start=int(args["voteStart"]),
            vote_end=int(args["voteEnd"]),
            block_number=block_number,
        )
        proposals[proposal.proposal_id] = proposal
    return proposals


def find_proposal(client: JsonRpcClient, governor: str, from_block: int, proposal_id: int) -> CreatedProposal:
    """One proposal's content; raises :class:`UnionValueError` if the governor never created it."""
    proposal = read_proposals(client, governor, from_block).get(proposal_id)
    if proposal is None:
        raise UnionValueError(f"the governor has no proposal {proposal_id} (no ProposalCreated event for it)")
    return proposal


def member_statuses(
    client: JsonRpcClient, membership: str, accounts: Iterable[ChecksumAddress]
) -> dict[ChecksumAddress, bool]:
    """``isMember`` of every account at the latest block, asked in JSON-RPC batches (one round trip per 500)."""
    unique: Sequence[ChecksumAddress] = list(dict.fromkeys(accounts))
    calls = [
        ("eth_call", [{"to": membership, "data": _IS_MEMBER + abi_encode(["address"], [account]).hex()}, "latest"])
        for account in unique
    ]
    results = client.batch(calls)
    return {account: int(str(result), 16) != 0 for account, result in zip(unique, results, strict=True)}
