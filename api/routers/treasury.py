"""``/v1/treasury``: the books per token, flows by period, purpose and payer, and the full ledger (JSON and CSV)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.csv import csv_response
from api.deps import ContextDep, SessionDep
from api.pagination import (
    DEFAULT_LIMIT,
    LimitQuery,
    NumberCursorQuery,
    PositionCursorQuery,
    decode_position,
    encode_position,
)
from api.reads import as_of, purpose_earmarks, purpose_names
from api.schemas.common import AddressParam, PagePublic
from api.schemas.treasury import (
    LedgerEntryPublic,
    LedgerKind,
    PeriodFlowPublic,
    RevenueByPayerPublic,
    RevenueByPurposePublic,
    TokenBooksPublic,
    TreasuryPublic,
)
from indexer.models import Claim, DistributionRound, Revenue, TreasuryMovement

__all__ = ["router"]

router = APIRouter(prefix="/v1/treasury", tags=["treasury"])

TokenQuery = Annotated[AddressParam | None, Query(description="only this token (zero address: ETH)")]
Period = Literal["epoch", "day", "month"]
_CSV_BATCH = 2_000
_CSV_COLUMNS = (
    "block_number",
    "log_index",
    "tx_hash",
    "timestamp",
    "token",
    "kind",
    "amount",
    "balance_delta",
    "earmark_delta",
    "balance_after",
    "earmarked_after",
    "counterparty",
    "purpose_id",
    "memo",
)


@router.get("", response_model=TreasuryPublic, summary="Balances and totals per token")
def treasury(session: SessionDep) -> TreasuryPublic:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, int] = defaultdict(int)
    last: dict[str, tuple[int, int]] = {}
    rows = session.execute(
        select(
            TreasuryMovement.token,
            TreasuryMovement.kind,
            TreasuryMovement.amount,
            TreasuryMovement.balance_after,
            TreasuryMovement.earmarked_after,
        ).order_by(TreasuryMovement.block_number, TreasuryMovement.log_index)
    )
    for token, kind, amount, balance_after, earmarked_after in rows:
        totals[token][kind] += int(amount)
        counts[token] += 1
        last[token] = (int(balance_after), int(earmarked_after))
    for token, released in session.execute(select(DistributionRound.token, DistributionRound.reserve_released)):
        totals[token]["reserve_released"] += int(released)
    for token, amount in session.execute(select(Claim.token, Claim.amount)):
        totals[token]["claimed"] += int(amount)
    point = as_of(session)
    books = []
    for token in sorted(set(totals) | set(last)):
        balance, earmarked = last.get(token, (0, 0))
        kinds = totals[token]
        books.append(
            TokenBooksPublic(
                token=token,
                booked_balance=str(balance),
                earmarked=str(earmarked),
                free=str(max(balance - earmarked, 0)),
                revenue=str(kinds["revenue"]),
                unattributed_booked=str(kinds["unattributed_booked"]),
                dividends_funded=str(kinds["dividends_funded"]),
                reserve_released=str(kinds["reserve_released"]),
                earmark_released=str(kinds["earmark_released"]),
                transferred=str(kinds["transfer"]),
                claimed=str(kinds["claimed"]),
                unclaimed=str(kinds["dividends_funded"] - kinds["claimed"]),
                movements=counts[token],
            )
        )
    return TreasuryPublic(as_of_block=point.block, as_of_timestamp=point.timestamp, tokens=books)


def _period_of(timestamp: int, period: Period, context: ApiContext) -> tuple[str, int]:
    if period == "epoch":
        epoch = context.schedule.epoch_at(timestamp)
        return str(epoch), context.schedule.start(epoch) if epoch else 0
    moment = datetime.fromtimestamp(timestamp, UTC)
    if period == "day":
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return day.strftime("%Y-%m-%d"), int(day.timestamp())
    month = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return month.strftime("%Y-%m"), int(month.timestamp())


def _page_of(items: list[Any], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """A page of an aggregate list (small: one row per period, purpose or payer), positioned by index."""
    start = int(cursor) if cursor else 0
    page = items[start : start + limit]
    following = start + limit
    return page, str(following) if following < len(items) else None


@router.get("/flows", response_model=PagePublic[PeriodFlowPublic], summary="Money in and out by period")
def flows(
    session: SessionDep,
    context: ContextDep,
    period: Annotated[Period, Query(description="epoch, UTC day or UTC month")] = "epoch",
    token: TokenQuery = None,
    cursor: NumberCursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> PagePublic[PeriodFlowPublic]:
    query = select(
        TreasuryMovement.token, TreasuryMovement.kind, TreasuryMovement.amount, TreasuryMovement.block_timestamp
    )
    if token is not None:
        query = query.where(TreasuryMovement.token == token)
    sums: dict[tuple[int, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    labels: dict[int, str] = {}
    for row_token, kind, amount, timestamp in session.execute(query):
        label, start = _period_of(timestamp, period, context)
        labels[start] = label
        sums[(start, label, row_token)][kind] += int(amount)
    items = [
        PeriodFlowPublic(
            period=label,
            start=start,
            token=row_token,
            revenue=str(kinds["revenue"]),
            unattributed_booked=str(kinds["unattributed_booked"]),
            money_in=str(kinds["revenue"] + kinds["unattributed_booked"]),
            dividends_funded=str(kinds["dividends_funded"]),
            transferred=str(kinds["transfer"]),
            money_out=str(kinds["dividends_funded"] + kinds["transfer"]),
        )
        for (start, label, row_token), kinds in sorted(sums.items())
    ]
    page, following = _page_of(items, cursor, limit)
    return PagePublic[PeriodFlowPublic](items=page, limit=limit, next_cursor=following)


@router.get(
    "/revenue/by-purpose", response_model=PagePublic[RevenueByPurposePublic], summary="Revenue per data-use purpose"
)
def revenue_by_purpose(
    session: SessionDep, token: TokenQuery = None, cursor: NumberCursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> PagePublic[RevenueByPurposePublic]:
    query = select(Revenue.token, Revenue.purpose_id, Revenue.amount)
    if token is not None:
        query = query.where(Revenue.token == token)
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row_token, purpose_id, amount in session.execute(query):
        entry = sums[(row_token, purpose_id.lower())]
        entry[0] += int(amount)
        entry[1] += 1
    names = purpose_names(session)
    earmarks = purpose_earmarks(session, token)
    items = [
        RevenueByPurposePublic(
            token=row_token,
            purpose_id=purpose_id,
            purpose=names.get(purpose_id),
            amount=str(total),
            payments=count,
            earmarked=str(earmarks.get((row_token, purpose_id), 0)),
        )
        for (row_token, purpose_id), (total, count) in sorted(sums.items())
    ]
    page, following = _page_of(items, cursor, limit)
    return PagePublic[RevenueByPurposePublic](items=page, limit=limit, next_cursor=following)


@router.get("/revenue/by-payer", response_model=PagePublic[RevenueByPayerPublic], summary="Revenue per payer")
def revenue_by_payer(
    session: SessionDep, token: TokenQuery = None, cursor: NumberCursorQuery = None, limit: LimitQuery = DEFAULT_LIMIT
) -> PagePublic[RevenueByPayerPublic]:
    query = select(Revenue.token, Revenue.payer, Revenue.amount)
    if token is not None:
        query = query.where(Revenue.token == token)
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row_token, payer, amount in session.execute(query):
        entry = sums[(row_token, payer)]
        entry[0] += int(amount)
        entry[1] += 1
    items = [
        RevenueByPayerPublic(token=row_token, payer=payer, amount=str(total), payments=count)
        for (row_token, payer), (total, count) in sorted(sums.items(), key=lambda item: (item[0][0], -item[1][0]))
    ]
    page, following = _page_of(items, cursor, limit)
    return PagePublic[RevenueByPayerPublic](items=page, limit=limit, next_cursor=following)


class LedgerFilter:
    """The ledger's filters, shared by the JSON pages and the CSV stream."""

    def __init__(
        self,
        token: TokenQuery = None,
        kind: Annotated[LedgerKind | None, Query(description="only this kind of movement")] = None,
        from_block: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="first block (inclusive)")] = None,
        to_block: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="last block (inclusive)")] = None,
        from_time: Annotated[
            int | None, Query(ge=0, le=2**63 - 1, description="first second (Unix, inclusive)")
        ] = None,
        to_time: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="last second (Unix, inclusive)")] = None,
    ) -> None:
        self.token = token
        self.kind = kind
        self.from_block = from_block
        self.to_block = to_block
        self.from_time = from_time
        self.to_time = to_time

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.token is not None:
            query = query.where(TreasuryMovement.token == self.token)
        if self.kind is not None:
            query = query.where(TreasuryMovement.kind == self.kind)
        if self.from_block is not None:
            query = query.where(TreasuryMovement.block_number >= self.from_block)
        if self.to_block is not None:
            query = query.where(TreasuryMovement.block_number <= self.to_block)
        if self.from_time is not None:
            query = query.where(TreasuryMovement.block_timestamp >= self.from_time)
        if self.to_time is not None:
            query = query.where(TreasuryMovement.block_timestamp <= self.to_time)
        return query


LedgerFilterDep = Annotated[LedgerFilter, Depends()]


def _after(position: tuple[int, int] | None) -> Any:
    if position is None:
        return and_(True)
    block, log_index = position
    return or_(
        TreasuryMovement.block_number > block,
        and_(TreasuryMovement.block_number == block, TreasuryMovement.log_index > log_index),
    )


def _ledger_rows(session: Session, filters: LedgerFilter, position: tuple[int, int] | None, limit: int) -> Any:
    query = filters.apply(select(TreasuryMovement)).where(_after(position))
    query = query.order_by(TreasuryMovement.block_number, TreasuryMovement.log_index).limit(limit)
    return session.execute(query).scalars().all()


def _entry(row: TreasuryMovement) -> LedgerEntryPublic:
    return LedgerEntryPublic(
        block_number=row.block_number,
        log_index=row.log_index,
        tx_hash=row.tx_hash,
        timestamp=row.block_timestamp,
        token=row.token,
        kind=row.kind,
        amount=row.amount,
        balance_delta=row.balance_delta,
        earmark_delta=row.earmark_delta,
        balance_after=row.balance_after,
        earmarked_after=row.earmarked_after,
        counterparty=row.counterparty,
        purpose_id=row.purpose_id,
        memo=row.memo,
    )


@router.get("/ledger", response_model=PagePublic[LedgerEntryPublic], summary="Every movement, oldest first")
def ledger(
    session: SessionDep,
    filters: LedgerFilterDep,
    cursor: PositionCursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> PagePublic[LedgerEntryPublic]:
    position = decode_position(cursor) if cursor else None
    rows = _ledger_rows(session, filters, position, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    following = encode_position(rows[-1].block_number, rows[-1].log_index) if more and rows else None
    return PagePublic[LedgerEntryPublic](items=[_entry(row) for row in rows], limit=limit, next_cursor=following)


@router.get(
    "/ledger.csv",
    response_class=StreamingResponse,
    summary="Every movement as CSV, with the running balance per token",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the ledger as CSV"}},
)
def ledger_csv(context: ContextDep, filters: LedgerFilterDep) -> StreamingResponse:
    def rows() -> Iterator[tuple[object, ...]]:
        position: tuple[int, int] | None = None
        while True:
            # Each batch is its own short read: no transaction stays open while a slow client downloads.
            with context.read() as session:
                batch = _ledger_rows(session, filters, position, _CSV_BATCH)
            for row in batch:
                entry = _entry(row).model_dump()
                yield tuple(entry[column] for column in _CSV_COLUMNS)
            if len(batch) < _CSV_BATCH:
                return
            position = (batch[-1].block_number, batch[-1].log_index)

    return csv_response(_CSV_COLUMNS, rows(), filename="treasury-ledger.csv")
