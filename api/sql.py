"""Prepared reads for the hot paths: a SELECT compiled once per SQL dialect and run on the raw DB-API cursor.

On SQLite, building a SQLAlchemy statement, computing its cache key and wrapping the result costs about ten times
the query itself (~75 µs against ~8 µs for an indexed lookup); a member's statement runs a handful of lookups, so
the endpoints a crowd hits (statements, claim proofs, the store version) read through :class:`Prepared`. Everything
else uses SQLAlchemy as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ClauseElement

__all__ = ["Prepared"]


class Prepared:
    """One SELECT with named bind parameters (``bindparam("account")``), compiled lazily per dialect."""

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _sql(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        """The SQL text, the parameter order (positional drivers) and the values of the statement's own literals."""
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)
            positional = getattr(compiled, "positional", False)
            names = tuple(getattr(compiled, "positiontup", None) or ()) if positional else None
            found = (str(compiled), names, dict(compiled.params))
            with self._lock:
                self._compiled[dialect.name] = found
        return found

    def rows(self, reader: Session | Connection, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """The result rows as plain tuples (booleans as the driver returns them: 0/1 on SQLite)."""
        connection = reader.connection() if isinstance(reader, Session) else reader
        return self.rows_on(connection.connection, connection.dialect, params)

    def rows_on(
        self, dbapi_connection: Any, dialect: Dialect, params: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """The same on a DB-API connection the caller holds (and whose transaction the caller ends)."""
        sql, names, literals = self._sql(dialect)
        values = literals | dict(params or {})
        arguments: Any = tuple(values[name] for name in names) if names is not None else dict(values)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(sql, arguments)
            return list(cursor.fetchall())
        finally:
            cursor.close()
