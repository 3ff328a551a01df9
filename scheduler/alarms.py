"""Alarms: what the scheduler found wrong (or worth reporting), kept in the store so ``/ready`` and metrics see them.

An alarm is identified by its kind and key (what it is about, e.g. ``token:0x…``). Raising an alarm that is
already open changes nothing; clearing one stamps ``cleared_at``, so the history stays. Every alarm is also
logged at ERROR (a failure) or WARNING (a report, such as unattributed inflow), loudly, with its fields.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Engine, insert, select, update

from indexer.models import Alarm as AlarmRow
from indexer.models import Base
from indexer.store import upgrade_schema

__all__ = ["ALARMS", "REPORT_KINDS", "Alarm", "AlarmBoard", "AlarmKind"]

logger = logging.getLogger(__name__)

ALARMS: Final = Base.metadata.tables[AlarmRow.__tablename__]
"""The store's ``alarms`` table (``indexer.models.Alarm``, created by the store's migrations)."""


class AlarmKind:
    """The kinds of alarm the scheduler raises."""

    PLAN_NOT_REPRODUCED: Final = "plan_not_reproduced"
    BALANCE_BELOW_BOOKS: Final = "balance_below_books"
    DISTRIBUTOR_UNDERFUNDED: Final = "distributor_underfunded"
    UNATTRIBUTED_INFLOW: Final = "unattributed_inflow"
    EXECUTION_FAILED: Final = "execution_failed"
    FUNDING_WOULD_REVERT: Final = "funding_would_revert"
    JOB_FAILED: Final = "job_failed"


REPORT_KINDS: Final = frozenset({AlarmKind.UNATTRIBUTED_INFLOW})
"""Kinds that report a fact rather than a failure: logged as warnings, never making the service unready."""


@dataclass(frozen=True, slots=True)
class Alarm:
    """One open (or cleared) alarm."""

    kind: str
    key: str
    message: str
    raised_at: float
    cleared_at: float | None


class AlarmBoard:
    """Raises and clears alarms in the store's ``alarms`` table."""

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock
        upgrade_schema(engine)  # the table comes with the store's migrations (a no-op on a current store)

    def raise_alarm(self, kind: str, key: str, message: str) -> bool:
        """Open an alarm (logged loudly); returns False when the same alarm was already open (nothing changes).

        An open alarm whose message changed (e.g. a larger shortfall) gets the new message.
        """
        level = logging.WARNING if kind in REPORT_KINDS else logging.ERROR
        with self._engine.begin() as connection:
            row = connection.execute(
                select(ALARMS.c.id, ALARMS.c.message).where(
                    ALARMS.c.kind == kind, ALARMS.c.key == key, ALARMS.c.cleared_at.is_(None)
                )
            ).first()
            if row is not None:
                if row.message != message:
                    connection.execute(update(ALARMS).where(ALARMS.c.id == row.id).values(message=message))
                    logger.log(level, "ALARM %s (%s): %s", kind, key, message, extra={"alarm": kind, "key": key})
                return False
            connection.execute(
                insert(ALARMS).values(kind=kind, key=key, message=message, raised_at=self._clock(), cleared_at=None)
            )
        logger.log(level, "ALARM %s (%s): %s", kind, key, message, extra={"alarm": kind, "key": key})
        return True

    def clear(self, kind: str, key: str) -> bool:
        """Close the open alarm of ``kind`` about ``key``, if any; returns whether one was open."""
        with self._engine.begin() as connection:
            result = connection.execute(
                update(ALARMS)
                .where(ALARMS.c.kind == kind, ALARMS.c.key == key, ALARMS.c.cleared_at.is_(None))
                .values(cleared_at=self._clock())
            )
        if result.rowcount:
            logger.info("alarm cleared: %s (%s)", kind, key, extra={"alarm": kind, "key": key})
        return bool(result.rowcount)

    def open_alarms(self) -> list[Alarm]:
        """Every alarm not cleared yet, oldest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(ALARMS).where(ALARMS.c.cleared_at.is_(None)).order_by(ALARMS.c.raised_at, ALARMS.c.id)
            ).mappings()
            return [Alarm(row["kind"], row["key"], row["message"], row["raised_at"], row["cleared_at"]) for row in rows]
