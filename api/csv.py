"""Streamed CSV: rows are written as they are read, so an export has no row cap and constant memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from fastapi.responses import StreamingResponse

__all__ = ["csv_lines", "csv_response"]

_ROWS_PER_CHUNK = 500


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """The header, then the rows, as UTF-8 chunks of a few hundred rows (RFC 4180 quoting; ``None`` is empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    pending = 0
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        pending += 1
        if pending >= _ROWS_PER_CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode()


def csv_response(header: Sequence[str], rows: Iterable[Sequence[object]], *, filename: str) -> StreamingResponse:
    """A streamed ``text/csv`` download."""
    return StreamingResponse(
        csv_lines(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
