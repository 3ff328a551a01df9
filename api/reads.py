"""Small reads several routers share: how far the store goes, the names of purposes, what fundings took per purpose."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.models import (
    Block,
    EarmarkRelease,
    EventRow,
    IndexerCursor,
    Purpose,
    PurposeFunding,
    Revenue,
    UnattributedBooking,
)

__all__ = ["GENERAL_PURPOSE_ID", "AsOf", "as_of", "purpose_earmarks", "purpose_fundings", "purpose_names"]

GENERAL_PURPOSE_ID: Final = "0x" + "00" * 32


@dataclass(frozen=True, slots=True)
class AsOf:
    """The indexer's cursor and its block's timestamp: "now" for every answer (never the wall clock)."""

    block: int | None
    timestamp: int | None


def as_of(session: Session) -> AsOf:
    cursor = session.execute(select(IndexerCursor.block_number)).scalar_one_or_none()
    if cursor is None:
        return AsOf(None, None)
    timestamp = session.execute(select(Block.timestamp).where(Block.number == cursor)).scalar_one_or_none()
    if timestamp is None:  # the header fell out of the reorg window: the last event's block is the best bound
        timestamp = session.execute(
            select(func.max(EventRow.block_timestamp)).where(EventRow.block_number <= cursor)
        ).scalar_one_or_none()
    return AsOf(cursor, timestamp)


def purpose_names(session: Session) -> dict[str, str]:
    """Purpose id → registered name; id zero is "general"."""
    names = {GENERAL_PURPOSE_ID: "general"}
    for purpose_id, name in session.execute(select(Purpose.purpose_id, Purpose.name)):
        names[purpose_id.lower()] = name
    return names


def purpose_fundings(session: Session, token: str, through_epochs: list[int]) -> dict[int, list[PurposeFunding]]:
    """The ``PurposeFunded`` rows of ``token``'s fundings through each of ``through_epochs``, by through epoch, each
    list in ascending purpose id order."""
    found: dict[int, list[PurposeFunding]] = {epoch: [] for epoch in through_epochs}
    rows = session.execute(
        select(PurposeFunding)
        .where(PurposeFunding.token == token, PurposeFunding.through_epoch.in_(through_epochs))
        .order_by(PurposeFunding.through_epoch, PurposeFunding.purpose_id)
    ).scalars()
    for row in rows:
        found[row.through_epoch].append(row)
    return found


def purpose_earmarks(session: Session, token: str | None = None) -> dict[tuple[str, str], int]:
    """(token, purpose id) → what the treasury still holds earmarked for it (DESIGN §8): revenue booked for it
    (unattributed bookings are general) less what fundings took from it and what governance released."""
    held: dict[tuple[str, str], int] = defaultdict(int)
    booked = select(Revenue.token, Revenue.purpose_id, Revenue.amount)
    general = select(UnattributedBooking.token, UnattributedBooking.amount)
    funded = select(
        PurposeFunding.token, PurposeFunding.purpose_id, PurposeFunding.amount, PurposeFunding.reserve_released
    )
    released = select(EarmarkRelease.token, EarmarkRelease.purpose_id, EarmarkRelease.amount)
    if token is not None:
        booked = booked.where(Revenue.token == token)
        general = general.where(UnattributedBooking.token == token)
        funded = funded.where(PurposeFunding.token == token)
        released = released.where(EarmarkRelease.token == token)
    for row_token, purpose, amount in session.execute(booked):
        held[(row_token, purpose.lower())] += int(amount)
    for row_token, amount in session.execute(general):
        held[(row_token, GENERAL_PURPOSE_ID)] += int(amount)
    for row_token, purpose, amount, reserve in session.execute(funded):
        held[(row_token, purpose.lower())] -= int(amount) + int(reserve)
    for row_token, purpose, amount in session.execute(released):
        held[(row_token, purpose.lower())] -= int(amount)
    return dict(held)
