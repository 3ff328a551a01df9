"""The scheduler's alarms, as ``/ready`` and ``/metrics`` show them.

The scheduler keeps its alarms in the store's database (table ``alarms``, created by the scheduler the first time it
raises one; see ``scheduler.alarms``). The API only reads them, through this table definition: an API never imports
the scheduler, and a store no scheduler ever ran against simply has no alarms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, inspect, select
from sqlalchemy.orm import Session

__all__ = ["ALARMS", "REPORT_KINDS", "OpenAlarm", "open_alarms"]

ALARMS: Final = Table(
    "alarms",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("kind", String(32)),
    Column("key", String(200)),
    Column("message", Text),
    Column("raised_at", Float),
    Column("cleared_at", Float, nullable=True),
)

REPORT_KINDS: Final = frozenset({"unattributed_inflow"})
"""Alarms that report a fact (tokens that arrived without payRevenue) rather than a failure: shown, never unready."""


@dataclass(frozen=True, slots=True)
class OpenAlarm:
    kind: str
    key: str
    message: str
    raised_at: float

    @property
    def failure(self) -> bool:
        return self.kind not in REPORT_KINDS


def open_alarms(session: Session) -> list[OpenAlarm]:
    """Alarms raised and not cleared, oldest first (none when the scheduler never created its table)."""
    connection = session.connection()
    if not inspect(connection).has_table("alarms"):
        return []
    rows = connection.execute(
        select(ALARMS.c.kind, ALARMS.c.key, ALARMS.c.message, ALARMS.c.raised_at)
        .where(ALARMS.c.cleared_at.is_(None))
        .order_by(ALARMS.c.raised_at, ALARMS.c.id)
    )
    return [OpenAlarm(kind, key, message, raised_at) for kind, key, message, raised_at in rows]
