"""Routes of the dashboard: the page at ``/`` and its assets under ``/dashboard/``."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from union.errors import RecordNotFoundError

__all__ = ["ASSETS", "STATIC_DIR", "DashboardAsset", "router"]

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
"""Where the page, its stylesheet and its JavaScript modules live (shipped inside the package): the entry and the
router at the top, shared modules in ``lib/``, one file per view in ``views/`` and per member action in ``actions/``."""

_CONTENT_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

# Revalidate on every load (a new release must show at once), but let the browser keep its copy when it is unchanged.
_CACHE_CONTROL: Final = "no-cache"


@dataclass(frozen=True)
class DashboardAsset:
    """One file of the page, held in memory with its content type and a strong ETag."""

    name: str
    """The path below :data:`STATIC_DIR` with forward slashes (``views/epochs.js``): the URL's after ``/dashboard/``."""
    body: bytes
    content_type: str
    etag: str

    @classmethod
    def load(cls, path: Path) -> DashboardAsset:
        name = path.relative_to(STATIC_DIR).as_posix()
        body = path.read_bytes()
        guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        content_type = _CONTENT_TYPES.get(path.suffix, guessed)
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        return cls(name=name, body=body, content_type=content_type, etag=etag)

    def answer(self, request: Request) -> Response:
        """The file, or ``304 Not Modified`` when the browser already holds this exact version."""
        headers = {"etag": self.etag, "cache-control": _CACHE_CONTROL, "x-content-type-options": "nosniff"}
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.content_type, headers=headers)


ASSETS: Final = {
    asset.name: asset
    for asset in (DashboardAsset.load(path) for path in sorted(STATIC_DIR.rglob("*")) if path.is_file())
}
"""Every file the page may load, by its path below the static directory; read once, at import. A request names one of
these keys or gets a 404: the file system is never read per request, so no path can reach outside the directory."""

router = APIRouter(tags=["dashboard"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse, summary="The dashboard")
def dashboard(request: Request) -> Response:
    """The page itself; everything it shows comes from the ``/v1`` API, routed by the URL's fragment (``#/…``)."""
    return ASSETS["index.html"].answer(request)


@router.get("/dashboard/{name:path}", summary="A file of the dashboard (stylesheet, JavaScript module)")
def dashboard_asset(name: str, request: Request) -> Response:
    asset = ASSETS.get(name)
    if asset is None:
        raise RecordNotFoundError(f"the dashboard has no file named {name!r}")
    return asset.answer(request)
