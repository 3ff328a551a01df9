"""The store: one SQLAlchemy engine over SQLite (default) or PostgreSQL, migrated by Alembic when opened.

Everything the follower learns from a block range is written by :meth:`Store.apply` in one transaction — event
rows, projections, block headers and the cursor — so a crash at any instant leaves either all of it or none, and
the next run resumes exactly after the cursor. :meth:`Store.rollback_to` undoes a reorg the same way.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import psycopg
from alembic import command
from alembic.config import Config
from eth_utils import keccak
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select, update
from sqlalchemy.engine import make_url

from indexer.aggregates import (
    EpochTotals,
    MemberState,
    epoch_row,
    member_row,
    rebuild_epochs,
    rebuild_members,
)
from indexer.models import (
    EVENT_ROW_MODELS,
    Base,
    Block,
    Contribution,
    ContributionDispute,
    ContributionRevocation,
    Delegation,
    Epoch,
    EventRow,
    IndexerCursor,
    IndexerStatus,
    Member,
    MembershipChange,
    Plan,
    PlanVerification,
    TreasuryMovement,
)
from indexer.registry import HandlerRegistry
from union.errors import StoreStateError, UnionValueError
from union.events import ContractEvents, DecodedEvent, args_to_json

__all__ = [
    "MIGRATIONS_DIR",
    "BatchWriter",
    "BlockHeader",
    "CursorState",
    "IndexBatch",
    "IndexerHealth",
    "Store",
    "bulk_insert",
    "create_store_engine",
    "upgrade_schema",
]

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_VERSION_TABLE = "indexer_alembic_version"
_SINGLETON = 1


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """The part of a block header the indexer keeps."""

    number: int
    hash: str
    parent_hash: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class CursorState:
    """The last fully indexed block."""

    chain_id: int
    block_number: int
    block_hash: str | None


@dataclass(slots=True)
class IndexBatch:
    """Everything learnt about blocks ``from_block..to_block``: written atomically by :meth:`Store.apply`."""

    chain_id: int
    from_block: int
    to_block: int
    to_block_hash: str
    headers: Sequence[BlockHeader]
    events: Sequence[DecodedEvent]
    reorg_window: int


class IndexerHealth(BaseModel):
    """Figures for ``/ready`` and metrics: how far the store is behind the chain, and the last error seen."""

    chain_id: int | None
    cursor: int | None
    head: int | None
    target: int | None
    lag: int | None
    blocks_per_second: float | None
    events_per_second: float | None
    last_error: str | None
    last_error_at: float | None
    updated_at: float | None


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL (readers never block the writer) and their directory created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling commits before DDL, so a crash during the first migration could
            # leave half a schema; we switch it off and issue BEGIN ourselves (below): DDL is transactional too.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode never corrupts and survives a killed process; a power cut may lose the last commits,
            # which the cursor (committed with them) then re-indexes.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages of million-row tables stay hot
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent; run whenever a store is opened)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", _VERSION_TABLE)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def bulk_insert(connection: Connection, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows in the connection's transaction, by the fastest path each backend offers.

    SQLite: one ``executemany`` of a prepared statement on the DB-API cursor; PostgreSQL (psycopg 3): ``COPY … FROM
    STDIN``; anything else: SQLAlchemy's ``insert().values`` executemany. The DB-API paths skip SQLAlchemy's
    per-row parameter processing, which is most of the cost of a bulk insert; the column types here need none.
    """
    table = Base.metadata.tables[str(model.__tablename__)]
    columns = [column.name for column in table.columns]
    values = [tuple(row.get(column) for column in columns) for row in rows]
    dialect, driver = connection.dialect.name, connection.dialect.driver
    names = ", ".join(f'"{column}"' for column in columns)
    raw = connection.connection.dbapi_connection
    # Table and column names come from our own metadata, never from input: building the statement is safe.
    if dialect == "sqlite" and raw is not None:
        placeholders = ", ".join("?" * len(columns))
        cursor = raw.cursor()
        try:
            cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders})', values)  # noqa: S608
        finally:
            cursor.close()
    elif dialect == "postgresql" and driver == "psycopg" and raw is not None:
        postgres = cast("psycopg.Connection[Any]", raw)
        with postgres.cursor() as pg_cursor, pg_cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for value in values:
                copy.write_row(value)
    else:
        connection.execute(insert(table), [dict(zip(columns, value, strict=True)) for value in values])


class BatchWriter:
    """What a handler may do to the store while one batch is applied: add rows and update the aggregates.

    Rows are buffered per table and inserted in bulk (one ``executemany`` per table) at the end of the batch; reads
    see the rows buffered earlier in the same batch, so handlers behave as if every event were written one by one.
    """

    def __init__(self, connection: Connection, contracts: Mapping[str, ContractEvents]) -> None:
        self._connection = connection
        self.contracts_by_address = contracts
        self._rows: dict[type[Base], list[dict[str, Any]]] = defaultdict(list)
        self._members: dict[str, MemberState | None] = {}
        self._epochs: dict[int, EpochTotals] = {}
        self._positions: dict[str, tuple[int, int]] = {}
        self._entries: dict[int, tuple[int, int]] = {}
        self._counted_revocations: set[int] = set()

    def add(self, model: type[Base], row: dict[str, Any]) -> None:
        """Buffer one row of ``model``'s table."""
        self._rows[model].append(row)

    def add_event_rows(self, events: Iterable[DecodedEvent]) -> None:
        """Buffer the raw event rows of a batch (every log, decoded or not)."""
        self._rows[EventRow].extend(
            {
                "block_number": decoded.block_number,
                "log_index": decoded.log_index,
                "tx_hash": decoded.tx_hash,
                "block_timestamp": decoded.block_timestamp,
                "tx_index": decoded.tx_index,
                "address": decoded.address,
                "contract": decoded.contract,
                "event": decoded.event,
                "args": args_to_json(decoded.args),
            }
            for decoded in events
        )

    def add_from_event(self, model: type[Base], source: DecodedEvent, row: dict[str, Any]) -> None:
        """Buffer a row keyed by ``source``'s position in the chain (block, log index, tx, timestamp)."""
        row["block_number"] = source.block_number
        row["log_index"] = source.log_index
        row["tx_hash"] = source.tx_hash
        row["block_timestamp"] = source.block_timestamp
        self._rows[model].append(row)

    # ---------------------------------------------------------------- members

    def member(self, address: str) -> MemberState | None:
        if address not in self._members:
            row = self._connection.execute(select(Member).where(Member.address == address)).mappings().first()
            self._members[address] = MemberState(**{key: row[key] for key in MemberState.__slots__}) if row else None
        return self._members[address]

    def put_member(self, address: str, state: MemberState | None) -> None:
        self._members[address] = state

    # ---------------------------------------------------------------- epochs and entries

    def epoch(self, epoch: int) -> EpochTotals:
        totals = self._epochs.get(epoch)
        if totals is None:
            row = self._connection.execute(select(Epoch).where(Epoch.epoch == epoch)).mappings().first()
            totals = (
                EpochTotals(
                    epoch=epoch,
                    entries=row["entries"],
                    units=int(row["units"]),
                    revoked_entries=row["revoked_entries"],
                    revoked_units=int(row["revoked_units"]),
                    disputes=row["disputes"],
                    last_block=row["last_block"],
                )
                if row
                else EpochTotals(epoch)
            )
            self._epochs[epoch] = totals
        return totals

    def remember_entry(self, entry_id: int, epoch: int, units: int) -> None:
        self._entries[entry_id] = (epoch, units)

    def entry(self, entry_id: int) -> tuple[int, int] | None:
        """(epoch, units) of a contribution entry, or None if the store has no such entry."""
        known = self._entries.get(entry_id)
        if known is not None:
            return known
        row = self._connection.execute(
            select(Contribution.epoch, Contribution.units).where(Contribution.entry_id == entry_id)
        ).first()
        return (row[0], int(row[1])) if row else None

    def is_revoked(self, entry_id: int) -> bool:
        """Whether a revocation of this entry already counted (a repeated revocation does not count twice)."""
        if entry_id in self._counted_revocations:
            return True
        row = self._connection.execute(
            select(ContributionRevocation.entry_id)
            .where(ContributionRevocation.entry_id == entry_id, ContributionRevocation.counted.is_(True))
            .limit(1)
        ).first()
        return row is not None

    def mark_revoked(self, entry_id: int) -> None:
        self._counted_revocations.add(entry_id)

    # ---------------------------------------------------------------- treasury books

    def treasury_position(self, token: str) -> tuple[int, int]:
        """(booked balance, earmarked) of ``token`` after the last movement written so far."""
        position = self._positions.get(token)
        if position is None:
            row = self._connection.execute(
                select(TreasuryMovement.balance_after, TreasuryMovement.earmarked_after)
                .where(TreasuryMovement.token == token)
                .order_by(TreasuryMovement.block_number.desc(), TreasuryMovement.log_index.desc())
                .limit(1)
            ).first()
            position = (int(row[0]), int(row[1])) if row else (0, 0)
            self._positions[token] = position
        return position

    def set_treasury_position(self, token: str, balance: int, earmarked: int) -> None:
        self._positions[token] = (balance, earmarked)

    # ---------------------------------------------------------------- flush

    def flush(self) -> int:
        """Write everything buffered; returns the number of rows inserted."""
        written = 0
        for model, rows in self._rows.items():
            if rows:
                bulk_insert(self._connection, model, rows)
                written += len(rows)
        members = {address: state for address, state in self._members.items() if state is not None}
        if members:
            self._connection.execute(delete(Member).where(Member.address.in_(sorted(members))))
            bulk_insert(self._connection, Member, [member_row(state) for state in members.values()])
        if self._epochs:
            self._connection.execute(delete(Epoch).where(Epoch.epoch.in_(sorted(self._epochs))))
            bulk_insert(self._connection, Epoch, [epoch_row(totals) for totals in self._epochs.values()])
        self._rows.clear()
        return written


@dataclass(slots=True)
class Store:
    """The indexer's database. Open it with :meth:`open`; the schema is migrated then."""

    engine: Engine
    contracts_by_address: Mapping[str, ContractEvents] = field(default_factory=dict)

    @classmethod
    def open(cls, url: str, *, contracts_by_address: Mapping[str, ContractEvents] | None = None) -> Store:
        engine = create_store_engine(url)
        upgrade_schema(engine)
        return cls(engine, dict(contracts_by_address or {}))

    def close(self) -> None:
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # ---------------------------------------------------------------- reads

    def cursor(self) -> CursorState | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(IndexerCursor).where(IndexerCursor.id == _SINGLETON)).mappings().first()
        return CursorState(row["chain_id"], row["block_number"], row["block_hash"]) if row else None

    def block_hashes(self, low: int, high: int) -> dict[int, str]:
        """Stored block hashes for ``low..high`` (inclusive)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Block.number, Block.hash).where(Block.number >= low, Block.number <= high)
            ).all()
        return {number: block_hash for number, block_hash in rows}

    def health(self) -> IndexerHealth:
        """What ``/ready`` and the metrics endpoint show; reads the store only."""
        with self.engine.connect() as connection:
            status = connection.execute(select(IndexerStatus).where(IndexerStatus.id == _SINGLETON)).mappings().first()
            cursor = connection.execute(select(IndexerCursor).where(IndexerCursor.id == _SINGLETON)).mappings().first()
        head = status["head"] if status else None
        position = cursor["block_number"] if cursor else None
        return IndexerHealth(
            chain_id=cursor["chain_id"] if cursor else None,
            cursor=position,
            head=head,
            target=status["target"] if status else None,
            lag=head - position if head is not None and position is not None else None,
            blocks_per_second=status["blocks_per_second"] if status else None,
            events_per_second=status["events_per_second"] if status else None,
            last_error=status["last_error"] if status else None,
            last_error_at=status["last_error_at"] if status else None,
            updated_at=status["updated_at"] if status else None,
        )

    # ---------------------------------------------------------------- writes

    def ensure_chain(self, chain_id: int, start_block: int) -> CursorState:
        """The cursor, created just before ``start_block`` on first use; refuses a store of another chain."""
        with self.engine.begin() as connection:
            row = connection.execute(select(IndexerCursor).where(IndexerCursor.id == _SINGLETON)).mappings().first()
            if row is None:
                connection.execute(
                    insert(IndexerCursor).values(
                        id=_SINGLETON, chain_id=chain_id, block_number=start_block - 1, block_hash=None
                    )
                )
                return CursorState(chain_id, start_block - 1, None)
        if row["chain_id"] != chain_id:
            raise StoreStateError(
                f"this store indexes chain {row['chain_id']}, not chain {chain_id}; use another UNION_DATABASE_URL"
            )
        return CursorState(row["chain_id"], row["block_number"], row["block_hash"])

    def apply(self, batch: IndexBatch, registry: HandlerRegistry) -> int:
        """Write one indexed range atomically; returns the number of rows written.

        Refuses (``StoreStateError``) a batch that does not start right after the cursor, so two writers, or a
        replayed batch, can never duplicate or skip rows.
        """
        with self.engine.begin() as connection:
            # FOR UPDATE (PostgreSQL): a second writer waits here, then finds the cursor moved and is refused.
            cursor = connection.execute(
                select(IndexerCursor.block_number).where(IndexerCursor.id == _SINGLETON).with_for_update()
            ).scalar_one_or_none()
            if cursor != batch.from_block - 1:
                raise StoreStateError(
                    f"batch {batch.from_block}..{batch.to_block} does not follow the cursor ({cursor}); "
                    "is another indexer writing to this store?"
                )
            writer = BatchWriter(connection, self.contracts_by_address)
            writer.add_event_rows(batch.events)
            for decoded in batch.events:
                handler = registry.handler(decoded.contract, decoded.event)
                if handler is not None:
                    handler(decoded, writer)
            written = writer.flush()
            self._write_headers(connection, batch)
            connection.execute(
                update(IndexerCursor)
                .where(IndexerCursor.id == _SINGLETON)
                .values(block_number=batch.to_block, block_hash=batch.to_block_hash)
            )
        return written + len(batch.events)

    @staticmethod
    def _write_headers(connection: Connection, batch: IndexBatch) -> None:
        with_events = {decoded.block_number for decoded in batch.events}
        numbers = [header.number for header in batch.headers]
        if numbers:
            present = set(
                connection.execute(
                    select(Block.number).where(Block.number >= min(numbers), Block.number <= max(numbers))
                ).scalars()
            )
            fresh = [
                {
                    "number": header.number,
                    "hash": header.hash,
                    "parent_hash": header.parent_hash,
                    "timestamp": header.timestamp,
                    "has_events": header.number in with_events,
                }
                for header in batch.headers
                if header.number not in present
            ]
            if fresh:
                connection.execute(insert(Block), fresh)
        # Keep the reorg window (cursor − window .. cursor) and the blocks holding events; nothing else.
        connection.execute(
            delete(Block).where(Block.number < batch.to_block - batch.reorg_window, Block.has_events.is_(False))
        )

    def rollback_to(self, ancestor: int) -> int:
        """Undo every row above ``ancestor`` (a reorg's common ancestor) in one transaction; returns rows deleted."""
        deleted = 0
        with self.engine.begin() as connection:
            members = set(
                connection.execute(
                    select(MembershipChange.member).where(MembershipChange.block_number > ancestor)
                ).scalars()
            ) | set(
                connection.execute(select(Delegation.delegator).where(Delegation.block_number > ancestor)).scalars()
            )
            epochs: set[int] = set()
            for ledger_model in (Contribution, ContributionRevocation, ContributionDispute):
                epochs |= set(
                    connection.execute(select(ledger_model.epoch).where(ledger_model.block_number > ancestor)).scalars()
                )
            for model in EVENT_ROW_MODELS:
                table = Base.metadata.tables[str(model.__tablename__)]
                result = connection.execute(delete(table).where(table.c.block_number > ancestor))
                deleted += result.rowcount
            connection.execute(delete(Block).where(Block.number > ancestor))
            rebuild_members(connection, members)
            rebuild_epochs(connection, epochs)
            ancestor_hash = connection.execute(select(Block.hash).where(Block.number == ancestor)).scalar_one_or_none()
            connection.execute(
                update(IndexerCursor)
                .where(IndexerCursor.id == _SINGLETON)
                .values(block_number=ancestor, block_hash=ancestor_hash)
            )
        logger.warning("rolled back to block %d", ancestor, extra={"block": ancestor, "rows_deleted": deleted})
        return deleted

    def put_plan(
        self,
        plan_hash: str,
        token: str,
        from_epoch: int,
        through_epoch: int,
        root: str,
        document: str,
        created_at: float,
    ) -> bool:
        """Store a plan document; idempotent (the same hash again changes nothing). Returns whether it was new.

        Refuses (``UnionValueError``) a document whose keccak is not ``plan_hash``: the store serves documents byte
        for byte, so what it holds must be exactly what was hashed.
        """
        digest = "0x" + keccak(document.encode()).hex()
        if digest != plan_hash.lower():
            raise UnionValueError(f"plan document hashes to {digest}, not {plan_hash}")
        with self.engine.begin() as connection:
            if connection.execute(select(Plan.plan_hash).where(Plan.plan_hash == digest)).first() is not None:
                return False
            connection.execute(
                insert(Plan).values(
                    plan_hash=digest,
                    token=token,
                    from_epoch=from_epoch,
                    through_epoch=through_epoch,
                    root=root.lower(),
                    document=document,
                    created_at=created_at,
                )
            )
        return True

    def record_verification(
        self,
        plan_hash: str,
        proposal_id: int | str | None,
        reproduced: bool,
        differences: Sequence[object],
        checked_at: float,
    ) -> None:
        """Record one independent recomputation of a plan (``differences`` empty when it reproduced)."""
        with self.engine.begin() as connection:
            connection.execute(
                insert(PlanVerification).values(
                    plan_hash=plan_hash.lower(),
                    checked_at=checked_at,
                    proposal_id=None if proposal_id is None else str(proposal_id),
                    reproduced=reproduced,
                    differences=json.dumps(list(differences), separators=(",", ":"), default=str),
                )
            )

    def record_status(self, *, clock: Callable[[], float] = time.time, **figures: Any) -> None:
        """Update the health figures (``head``, ``target``, speeds, ``last_error`` …) in their own transaction."""
        figures["updated_at"] = clock()
        with self.engine.begin() as connection:
            exists = connection.execute(
                select(IndexerStatus.id).where(IndexerStatus.id == _SINGLETON)
            ).scalar_one_or_none()
            if exists is None:
                connection.execute(insert(IndexerStatus).values(id=_SINGLETON, **figures))
            else:
                connection.execute(update(IndexerStatus).where(IndexerStatus.id == _SINGLETON).values(**figures))
