"""The chain follower: from the deployment block to ``head − confirmations``, range by range, reorg-safe.

Each step (1) checks that the block at the cursor is still on the chain, rolling back to the common ancestor if not;
(2) fetches the logs of the next range with one ``eth_getLogs`` for all union addresses, *between two observations*
of the range's last header, so the logs provably belong to the chain that header ends; (3) decodes them and lets the
handlers write, with the headers and the cursor, in one transaction. A reorg deeper than ``reorg_window`` stops
with :class:`~union.errors.ReorgTooDeepError` before anything is written.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

from indexer.registry import HandlerRegistry, default_registry
from indexer.store import BlockHeader, CursorState, IndexBatch, Store
from union.errors import LogRangeRefusedError, ReorgTooDeepError, RpcUnavailableError, UnionValueError
from union.events import ContractEvents, DecodedEvent, build_contract_events, decode_log
from union.rpc import AdaptiveLogFetcher, JsonRpcClient

__all__ = ["FollowedContract", "Follower", "Progress", "SyncReport"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FollowedContract:
    """A contract to follow: name (for handlers), address, ABI and the block it was deployed in."""

    name: str
    address: str
    abi: Sequence[Mapping[str, Any]]
    deployment_block: int


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a sync stands; passed to the progress callback after every written range."""

    start_block: int
    cursor: int
    target: int
    head: int
    blocks_done: int
    events_done: int
    blocks_per_second: float
    events_per_second: float
    eta_seconds: float | None


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one :meth:`Follower.sync` did."""

    cursor: int
    head: int
    blocks: int
    events: int
    rollbacks: int
    seconds: float


class _ChainMovedError(Exception):
    """The chain changed while a range was fetched; the step is abandoned and redone (internal)."""


def _header(raw: Mapping[str, Any] | None, number: int) -> BlockHeader:
    if raw is None:
        raise _ChainMovedError(f"block {number} is not (or no longer) on the node")
    return BlockHeader(
        number=int(raw["number"], 16),
        hash=str(raw["hash"]).lower(),
        parent_hash=str(raw["parentHash"]).lower(),
        timestamp=int(raw["timestamp"], 16),
    )


class Follower:
    """Indexes the followed contracts into a store. Create it in an entry point and call :meth:`sync` or :meth:`run`."""

    def __init__(
        self,
        rpc: JsonRpcClient,
        store: Store,
        contracts: Iterable[FollowedContract],
        *,
        confirmations: int = 0,
        reorg_window: int = 64,
        initial_block_range: int = 1_000,
        max_block_range: int = 100_000,
        target_logs_per_request: int = 10_000,
        registry: HandlerRegistry = default_registry,
        progress: Callable[[Progress], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        followed = list(contracts)
        if not followed:
            raise UnionValueError("nothing to follow: no contracts given")
        self.rpc = rpc
        self.store = store
        self.confirmations = confirmations
        self.reorg_window = reorg_window
        self.registry = registry
        self.progress = progress
        self.clock = clock
        self.start_block = min(contract.deployment_block for contract in followed)
        self.contracts_by_address: dict[str, ContractEvents] = {
            contract.address.lower(): build_contract_events(contract.name, contract.address, contract.abi)
            for contract in followed
        }
        store.contracts_by_address = self.contracts_by_address
        self.fetcher = AdaptiveLogFetcher(
            rpc,
            sorted(self.contracts_by_address),
            span=initial_block_range,
            max_span=max_block_range,
            target_logs=target_logs_per_request,
        )
        self._chain_id: int | None = None
        self._reported_error_at: float | None = None

    # ------------------------------------------------------------------ public

    def sync(self, *, until: int | None = None) -> SyncReport:
        """Index until the cursor reaches ``head − confirmations``, then return (the head is re-read at the end).

        ``until`` caps the target (tests and the benchmark stop mid-chain with it). While one range is written, the
        next one is fetched on a worker thread; it must continue the written range's last block hash, so a reorg
        in between is caught by the linkage check and the prefetched range is simply dropped.
        """
        started = self.clock()
        cursor = self._ensure_chain()
        first = cursor.block_number
        blocks = events = rollbacks = 0
        head = first
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="indexer-fetch") as pool:
            pending: Future[IndexBatch] | None = None
            target = cursor.block_number
            while True:
                if pending is None:
                    head = int(self.rpc.call("eth_blockNumber"), 16)
                    target = head - self.confirmations if until is None else min(head - self.confirmations, until)
                    ancestor = self._reorg_ancestor(cursor, head)
                    if ancestor is not None:
                        self.store.rollback_to(ancestor)
                        rollbacks += 1
                        cursor = self._cursor()
                        continue
                    if cursor.block_number >= target:
                        break
                    pending = pool.submit(self._fetch_range, cursor, target)
                try:
                    batch = pending.result()
                except _ChainMovedError as moved:
                    logger.info("chain moved during a range, redoing it: %s", moved)
                    pending, cursor = None, self._cursor()
                    continue
                except LogRangeRefusedError:
                    pending, cursor = None, self._cursor()  # the fetcher shrank its span; plan again
                    continue
                written = CursorState(batch.chain_id, batch.to_block, batch.to_block_hash)
                pending = pool.submit(self._fetch_range, written, target) if batch.to_block < target else None
                self.store.apply(batch, self.registry)
                blocks += batch.to_block - cursor.block_number
                events += len(batch.events)
                cursor = written
                self._report(first, cursor.block_number, target, head, blocks, events, started)
            if pending is not None:  # pragma: no cover - the loop only breaks with nothing pending
                pending.cancel()
        self.store.record_status(head=head, target=target)  # fresh figures even when nothing was new
        return SyncReport(cursor.block_number, head, blocks, events, rollbacks, self.clock() - started)

    def run(self, *, once: bool = False, poll_interval: float = 2.0, stop: threading.Event | None = None) -> None:
        """Follow for ever (or, with ``once``, index to the head and return).

        RPC outages are waited out (the error stays visible in the health figures); a reorg deeper than the window
        and a store of another chain stop the loop with their error.
        """
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.sync()
            except RpcUnavailableError as exc:
                self.store.record_status(last_error=str(exc), last_error_at=time.time())
                if once:
                    raise
                logger.error("RPC unavailable, retrying in %.1fs: %s", poll_interval, exc)
            except Exception as exc:  # a deep reorg, another chain's store, a handler's bug: stop, visibly
                self.store.record_status(last_error=f"{type(exc).__name__}: {exc}", last_error_at=time.time())
                raise
            if once:
                return
            stop.wait(poll_interval)

    # ------------------------------------------------------------------ steps

    def _ensure_chain(self) -> CursorState:
        if self._chain_id is None:
            self._chain_id = int(self.rpc.call("eth_chainId"), 16)
        return self.store.ensure_chain(self._chain_id, self.start_block)

    def _cursor(self) -> CursorState:
        cursor = self.store.cursor()
        if cursor is None:  # pragma: no cover - ensure_chain created it
            raise RuntimeError("cursor vanished")
        return cursor

    def _headers(self, numbers: Iterable[int]) -> dict[int, BlockHeader]:
        wanted = sorted(set(numbers))
        raws = self.rpc.batch([("eth_getBlockByNumber", [hex(number), False]) for number in wanted])
        return {number: _header(raw, number) for number, raw in zip(wanted, raws, strict=True)}

    def _reorg_ancestor(self, cursor: CursorState, head: int) -> int | None:
        """None if the cursor's block is still canonical; else the highest stored block that still is.

        Parent-hash linkage makes one comparison enough in the common case: the block at the cursor has the hash
        we stored iff every block below it does too.
        """
        if cursor.block_hash is None:
            return None
        top = min(cursor.block_number, head)
        if top == cursor.block_number:
            raw = self.rpc.call("eth_getBlockByNumber", [hex(top), False])
            if raw is not None and str(raw["hash"]).lower() == cursor.block_hash:
                return None
        lowest = cursor.block_number - self.reorg_window
        stored = self.store.block_hashes(lowest, top)
        candidates = sorted((number for number in stored if number <= top), reverse=True)
        chain = self.rpc.batch([("eth_getBlockByNumber", [hex(number), False]) for number in candidates])
        for number, raw in zip(candidates, chain, strict=True):
            if raw is not None and str(raw["hash"]).lower() == stored[number]:
                logger.warning(
                    "reorg: blocks %d..%d replaced", number + 1, cursor.block_number, extra={"block": number}
                )
                return number
        raise ReorgTooDeepError(cursor.block_number, self.reorg_window)

    def _fetch_range(self, cursor: CursorState, target: int) -> IndexBatch:
        """Logs, headers and senders of the next range after ``cursor``, decoded and checked (no writes)."""
        start = cursor.block_number + 1
        end = self.fetcher.planned_end(start, target)
        window_low = max(self.start_block, end - self.reorg_window)
        stored = self.store.block_hashes(window_low, end)
        before = self._headers([*(n for n in range(window_low, end + 1) if n not in stored), start, end])
        logs = self.fetcher.fetch(start, end)
        log_blocks = {int(log["blockNumber"], 16) for log in logs if not log.get("removed")}
        after = self._headers([*(n for n in log_blocks if n not in before), end])
        if after[end].hash != before[end].hash:
            raise _ChainMovedError(f"block {end} changed while its range was fetched")
        headers = {**before, **after}
        self._check_linkage(cursor, headers, stored, start, window_low, end)
        events: list[DecodedEvent] = []
        for log in logs:
            if log.get("removed"):
                continue
            header = headers[int(log["blockNumber"], 16)]
            if str(log["blockHash"]).lower() != header.hash:
                raise _ChainMovedError(f"a log of block {header.number} belongs to another fork")
            events.append(decode_log(self.contracts_by_address, log, header.timestamp))
        events.sort(key=lambda item: (item.block_number, item.log_index))
        self._fill_senders(events)
        return IndexBatch(
            chain_id=cursor.chain_id,
            from_block=start,
            to_block=end,
            to_block_hash=headers[end].hash,
            headers=sorted(headers.values(), key=lambda header: header.number),
            events=events,
            reorg_window=self.reorg_window,
        )

    def _check_linkage(
        self,
        cursor: CursorState,
        headers: Mapping[int, BlockHeader],
        stored: Mapping[int, str],
        start: int,
        window_low: int,
        end: int,
    ) -> None:
        """The fetched window must be one chain, continuing the stored cursor block."""
        if cursor.block_hash is not None and headers[start].parent_hash != cursor.block_hash:
            raise _ChainMovedError(f"block {start} does not continue the indexed block {cursor.block_number}")
        for number in range(max(window_low, start) + 1, end + 1):
            previous = headers[number - 1].hash if number - 1 in headers else stored.get(number - 1)
            if previous is not None and headers[number].parent_hash != previous:
                raise _ChainMovedError(f"block {number} does not continue block {number - 1}")

    def _fill_senders(self, events: list[DecodedEvent]) -> None:
        wanted = sorted({event.tx_hash for event in events if self.registry.needs_sender(event.contract, event.event)})
        if not wanted:
            return
        transactions = self.rpc.batch([("eth_getTransactionByHash", [tx_hash]) for tx_hash in wanted])
        senders: dict[str, str] = {}
        for tx_hash, transaction in zip(wanted, transactions, strict=True):
            if transaction is None:
                raise _ChainMovedError(f"transaction {tx_hash} vanished")
            senders[tx_hash] = str(transaction["from"])
        for event in events:
            if event.tx_hash in senders:
                event.tx_from = str(to_checksum_address(senders[event.tx_hash]))

    def _report(
        self, first: int, cursor: int, target: int, head: int, blocks: int, events: int, started: float
    ) -> None:
        elapsed = max(self.clock() - started, 1e-9)
        blocks_per_second = blocks / elapsed
        progress = Progress(
            start_block=first,
            cursor=cursor,
            target=target,
            head=head,
            blocks_done=blocks,
            events_done=events,
            blocks_per_second=blocks_per_second,
            events_per_second=events / elapsed,
            eta_seconds=(target - cursor) / blocks_per_second if blocks_per_second > 0 else None,
        )
        figures: dict[str, Any] = {
            "head": head,
            "target": target,
            "blocks_per_second": progress.blocks_per_second,
            "events_per_second": progress.events_per_second,
        }
        if self.rpc.last_error_at is not None and self.rpc.last_error_at != self._reported_error_at:
            figures["last_error"] = self.rpc.last_error
            figures["last_error_at"] = self.rpc.last_error_at
            self._reported_error_at = self.rpc.last_error_at
        self.store.record_status(**figures)
        if self.progress is not None:
            self.progress(progress)
