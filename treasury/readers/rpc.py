"""The planner's inputs read from an RPC node: ``eth_getLogs`` over the union's contracts, decoded from their ABIs.

Nothing comes from anywhere but the chain: the epoch clock is read from the ledger's immutables and the
distributor's address from the treasury (the manifest only says where to look, and is refused if the chain
disagrees with it). Logs are fetched once, in adaptive ranges (:class:`~union.rpc.AdaptiveLogFetcher`), from the
deployment block up to the newest final block asked for, and kept, so rebuilding every past plan of a token reads
each log once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_typing import BlockNumber, ChainId, ChecksumAddress, HexStr
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from treasury.allocation import PurposeFunding
from treasury.inputs import (
    GENERAL_PURPOSE,
    BlockRange,
    ChainContext,
    ConsentChange,
    ContributionEntry,
    ContributionRevocation,
    EarmarkRelease,
    EpochId,
    EpochSchedule,
    EventRef,
    PolicyChange,
    PurposeId,
    RevenueEvent,
    purpose_id,
)
from treasury.policy import DividendPolicy
from treasury.readers.base import (
    BlockMark,
    ChainFacts,
    ClaimRecord,
    FundedRound,
    ProposalRecord,
    booked_revenue,
    find_closing_block,
)
from union.contracts import load_abi
from union.errors import ChainIdMismatchError, LogRangeRefusedError, ManifestError, UnionValueError
from union.events import ContractEvents, DecodedEvent, build_contract_events, decode_log
from union.manifest import DeploymentManifest
from union.rpc import AdaptiveLogFetcher, JsonRpcClient

__all__ = ["RpcPlanInputsReader"]

logger = logging.getLogger(__name__)

_TIMED: Final = frozenset(
    {
        "RevenueReceived",
        "UnattributedBooked",
        "ConsentChanged",
        "DividendPolicySet",
        "EarmarkReleased",
        "DividendsFunded",
        "ProposalCreated",
    }
)
"""Events whose block timestamp the plan needs (entries and revocations carry their epoch)."""


def _view(
    client: JsonRpcClient, address: str, signature: str, result_types: list[str], args: Sequence[Any] = ()
) -> Any:
    """One ``eth_call`` of a view at the latest block, decoded (no web3 needed)."""
    selector = function_signature_to_4byte_selector(signature)
    argument_types = signature[signature.index("(") + 1 : -1]
    encoded = abi_encode(argument_types.split(",") if argument_types else [], list(args))
    raw = client.call("eth_call", [{"to": address, "data": "0x" + (selector + encoded).hex()}, "latest"])
    values = abi_decode(result_types, bytes.fromhex(str(raw)[2:]))
    return values[0] if len(values) == 1 else values


def _ref(event: DecodedEvent) -> EventRef:
    return EventRef(BlockNumber(event.block_number), event.log_index, HexStr(event.tx_hash))


class RpcPlanInputsReader:
    """A :class:`~treasury.readers.base.PlanInputsReader` over JSON-RPC; build it with :meth:`open`."""

    def __init__(
        self,
        client: JsonRpcClient,
        chain: ChainContext,
        schedule: EpochSchedule,
        deployment_block: BlockNumber,
        *,
        governor: ChecksumAddress,
        confirmations: int = 0,
        log_span: int = 2_000,
    ) -> None:
        if confirmations < 0:
            raise UnionValueError(f"confirmations must be >= 0, got {confirmations}")
        self._client = client
        self._chain = chain
        self._schedule = schedule
        self._deployment_block = deployment_block
        self._confirmations = confirmations
        addresses = {
            "UnionMembership": chain.membership,
            "ContributionLedger": chain.ledger,
            "UnionTreasury": chain.treasury,
            "UnionGovernor": governor,
            "DividendDistributor": chain.distributor,
        }
        self._contracts: dict[str, ContractEvents] = {
            address.lower(): build_contract_events(name, address, load_abi(name)) for name, address in addresses.items()
        }
        self._fetcher = AdaptiveLogFetcher(client, [address.lower() for address in addresses.values()], span=log_span)
        self._headers: dict[int, tuple[int, str]] = {}
        self._read_to = deployment_block - 1
        self._contributions: list[ContributionEntry] = []
        self._revocations: list[ContributionRevocation] = []
        self._revenues: list[RevenueEvent] = []
        self._consents: list[ConsentChange] = []
        self._policies: list[PolicyChange] = []
        self._releases: list[EarmarkRelease] = []
        self._funded: list[FundedRound] = []
        self._purpose_fundings: dict[tuple[str, int], dict[PurposeId, PurposeFunding]] = {}
        self._proposals: list[ProposalRecord] = []
        self._claims: list[ClaimRecord] = []

    @classmethod
    def open(
        cls, client: JsonRpcClient, manifest: DeploymentManifest, *, confirmations: int = 0
    ) -> RpcPlanInputsReader:
        """Read the chain id, the epoch clock and the distributor from the chain; refuse a manifest that disagrees."""
        chain_id = int(client.call("eth_chainId"), 16)
        if chain_id != manifest.chain_id:
            raise ChainIdMismatchError(f"the RPC node serves chain {chain_id}, the manifest is for {manifest.chain_id}")
        ledger = manifest.address_of("ContributionLedger")
        treasury = manifest.address_of("UnionTreasury")
        schedule = EpochSchedule(
            genesis=int(_view(client, ledger, "genesis()", ["uint48"])),
            length=int(_view(client, ledger, "epochLength()", ["uint48"])),
            grace=int(_view(client, ledger, "gracePeriod()", ["uint48"])),
        )
        parameters = manifest.parameters
        declared = (parameters.epoch_genesis, parameters.epoch_length, parameters.grace_period)
        if declared != (schedule.genesis, schedule.length, schedule.grace):
            raise ManifestError(f"the manifest's epoch schedule {declared} differs from the ledger's {schedule}")
        distributor = to_checksum_address(_view(client, treasury, "distributor()", ["address"]))
        if "DividendDistributor" in manifest.contracts and manifest.address_of("DividendDistributor") != distributor:
            raise ManifestError(f"the treasury's distributor is {distributor}, not the manifest's")
        chain = ChainContext(
            chain_id=ChainId(chain_id),
            membership=manifest.address_of("UnionMembership"),
            ledger=ledger,
            treasury=treasury,
            distributor=distributor,
        )
        return cls(
            client,
            chain,
            schedule,
            BlockNumber(manifest.deployment_block),
            governor=manifest.address_of("UnionGovernor"),
            confirmations=confirmations,
        )

    # ------------------------------------------------------------------ PlanInputsReader

    @property
    def chain(self) -> ChainContext:
        return self._chain

    @property
    def schedule(self) -> EpochSchedule:
        return self._schedule

    @property
    def deployment_block(self) -> BlockNumber:
        """Where the facts start: the first block holding any union contract."""
        return self._deployment_block

    def final_block(self) -> BlockMark:
        """The head minus the confirmations (never below the deployment block)."""
        head = int(self._client.call("eth_blockNumber"), 16)
        number = max(self._deployment_block, head - self._confirmations)
        return BlockMark(BlockNumber(number), self._timestamp(number))

    def closing_block(self, epoch: EpochId) -> BlockMark | None:
        """The first final block at or after ``end(epoch) + grace`` (:func:`find_closing_block`)."""
        closes_at = self._schedule.end(epoch) + self._schedule.grace
        final = self.final_block()
        if final.timestamp < closes_at:
            return None
        found = find_closing_block(self._timestamp, int(self._deployment_block), int(final.number), closes_at)
        return None if found is None else BlockMark(BlockNumber(found), self._timestamp(found))

    def facts(self, to_block: BlockNumber) -> ChainFacts:
        """Every fact from the deployment block through ``to_block``, fetching only logs not read before."""
        if to_block < self._deployment_block:
            raise UnionValueError(f"block {to_block} is before the deployment block {self._deployment_block}")
        if to_block > self._read_to:
            final = self.final_block()
            if to_block > final.number:
                raise UnionValueError(f"block {to_block} is not final yet (the final block is {final.number})")
            self._read(self._read_to + 1, int(to_block))
        facts = ChainFacts(
            blocks=BlockRange(self._deployment_block, BlockNumber(self._read_to)),
            contributions=tuple(self._contributions),
            revocations=tuple(self._revocations),
            revenues=tuple(self._revenues),
            consent_changes=tuple(self._consents),
            policy_changes=tuple(self._policies),
            earmark_releases=tuple(self._releases),
            funded_rounds=tuple(self._funded),
            proposals=tuple(self._proposals),
            claims=tuple(self._claims),
        )
        return facts.through_block(to_block)

    # ------------------------------------------------------------------ reading

    def _timestamp(self, number: int) -> int:
        if number not in self._headers:
            self._remember_headers([number])
        return self._headers[number][0]

    def _remember_headers(self, numbers: Iterable[int]) -> None:
        wanted = sorted(set(numbers) - set(self._headers))
        if not wanted:
            return
        raws = self._client.batch([("eth_getBlockByNumber", [hex(number), False]) for number in wanted])
        for number, raw in zip(wanted, raws, strict=True):
            if raw is None:
                raise UnionValueError(f"the node does not know block {number}")
            self._headers[number] = (int(raw["timestamp"], 16), str(raw["hash"]).lower())

    def _read(self, start: int, end: int) -> None:
        """Fetch, decode and keep the logs of blocks ``start..end``, in order."""
        position = start
        while position <= end:
            last = self._fetcher.planned_end(position, end)
            try:
                logs = self._fetcher.fetch(position, last)
            except LogRangeRefusedError:
                if last <= position:
                    raise
                continue  # the fetcher halved its span; ask again for a smaller range
            self._keep(logs)
            self._read_to = last
            position = last + 1
        logger.info("read union logs through block %d", end, extra={"block": end})

    def _keep(self, logs: Sequence[Mapping[str, Any]]) -> None:
        live = [log for log in logs if not log.get("removed")]
        untimed = {int(log["blockNumber"], 16) for log in live if "blockTimestamp" not in log and self._is_timed(log)}
        self._remember_headers(untimed)
        decoded: list[DecodedEvent] = []
        for log in live:
            number = int(log["blockNumber"], 16)
            if "blockTimestamp" in log:
                timestamp = int(log["blockTimestamp"], 16)
            elif number in self._headers:
                timestamp, block_hash = self._headers[number]
                if str(log["blockHash"]).lower() != block_hash:
                    raise UnionValueError(f"a log of block {number} belongs to another fork: read a final block")
            else:
                timestamp = 0  # entries and revocations: their epoch is in the event, their time is not used
            decoded.append(decode_log(self._contracts, log, timestamp))
        decoded.sort(key=lambda item: (item.block_number, item.log_index))
        for event in decoded:
            self._add(event)

    def _is_timed(self, log: Mapping[str, Any]) -> bool:
        contract = self._contracts.get(str(log["address"]).lower())
        topics = log.get("topics") or []
        spec = contract.events.get(str(topics[0]).lower()) if contract is not None and topics else None
        return spec is not None and spec.name in _TIMED

    def _add(self, event: DecodedEvent) -> None:
        args = event.args
        name = event.event
        if name == "ContributionRecorded":
            self._contributions.append(
                ContributionEntry(_ref(event), args["entryId"], EpochId(args["epoch"]), args["member"], args["units"])
            )
        elif name == "ContributionRevoked":
            self._revocations.append(ContributionRevocation(_ref(event), args["entryId"], EpochId(args["epoch"])))
        elif name in {"RevenueReceived", "UnattributedBooked"}:
            purpose = purpose_id(args["purposeId"]) if name == "RevenueReceived" else GENERAL_PURPOSE
            revenue = RevenueEvent(_ref(event), args["token"], purpose, args["amount"], event.block_timestamp)
            self._revenues.append(booked_revenue(self._schedule, revenue, int(args["epoch"])))
        elif name == "ConsentChanged":
            self._consents.append(
                ConsentChange(
                    _ref(event), args["member"], purpose_id(args["purposeId"]), args["granted"], event.block_timestamp
                )
            )
        elif name == "DividendPolicySet":
            policy = DividendPolicy(
                args["reserveBps"], args["operationsBps"], args["floorBps"], args["capBps"], args["operationsAccount"]
            )
            self._policies.append(PolicyChange(_ref(event), event.block_timestamp, policy))
        elif name == "EarmarkReleased":
            self._releases.append(
                EarmarkRelease(
                    _ref(event), args["token"], purpose_id(args["purposeId"]), args["amount"], event.block_timestamp
                )
            )
        elif name == "PurposeFunded":
            # Logged just before its funding's DividendsFunded, in the same transaction.
            fundings = self._purpose_fundings.setdefault((args["token"], int(args["throughEpoch"])), {})
            fundings[purpose_id(args["purposeId"])] = PurposeFunding(args["amount"], args["reserveReleased"])
        elif name == "DividendsFunded":
            self._funded.append(
                FundedRound(
                    event=_ref(event),
                    timestamp=event.block_timestamp,
                    token=args["token"],
                    from_epoch=EpochId(args["fromEpoch"]),
                    through_epoch=EpochId(args["throughEpoch"]),
                    amount=args["amount"],
                    reserve_released=args["reserveReleased"],
                    root=HexStr(str(args["newRoot"]).lower()),
                    plan_hash=HexStr(str(args["planHash"]).lower()),
                    purposes=self._purpose_fundings.pop((args["token"], int(args["throughEpoch"])), {}),
                )
            )
        elif name == "Claimed":
            self._claims.append(
                ClaimRecord(_ref(event), args["token"], args["account"], args["amount"], args["cumulativeAmount"])
            )
        elif name == "ProposalCreated":
            self._proposals.append(
                ProposalRecord(
                    event=_ref(event),
                    timestamp=event.block_timestamp,
                    proposal_id=args["proposalId"],
                    proposer=args["proposer"],
                    targets=tuple(args["targets"]),
                    values=tuple(args["values"]),
                    calldatas=tuple(HexStr(str(data)) for data in args["calldatas"]),
                    description=args["description"],
                )
            )
