"""The scheduler's alarms, as ``/ready`` and ``/metrics`` show them.

The scheduler keeps its alarms in the store's ``alarms`` table (``indexer.models.Alarm``; see ``scheduler.alarms``).
The API only reads them: an API never imports the scheduler, and a store no scheduler ever ran against has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.models import Alarm, Base

__all__ = ["ALARMS", "REPORT_KINDS", "OpenAlarm", "open_alarms"]

ALARMS: Final = Base.metadata.tables[Alarm.__tablename__]

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
    rows = session.connection().execute(
        select(ALARMS.c.kind, ALARMS.c.key, ALARMS.c.message, ALARMS.c.raised_at)
        .where(ALARMS.c.cleared_at.is_(None))
        .order_by(ALARMS.c.raised_at, ALARMS.c.id)
    )
    return [OpenAlarm(kind, key, message, raised_at) for kind, key, message, raised_at in rows]
