"""The API's one error answer, ``{"error": {status, code, message, details}}``, built in one place for the exception
handler, the relay's refusals and the body limits (which answer before any route runs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from api.schemas.common import ErrorBodyPublic, ErrorPublic

__all__ = ["error_json"]


def error_json(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error answer; never cached (an error says nothing lasting about the resource)."""
    body = ErrorPublic(error=ErrorBodyPublic(status=status, code=code, message=message, details=details or []))
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, headers={**(headers or {}), "cache-control": "no-store"}
    )
