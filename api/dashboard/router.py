"""Routes of the dashboard: the page at ``/`` and its assets under ``/dashboard/``."""

from __future__ import annotations

import gzip
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

# Where index.html lists the page's modules for the browser to fetch at once (see _with_module_preloads).
_PRELOAD_MARKER: Final = "<!-- modulepreload -->"


@dataclass(frozen=True)
class DashboardAsset:
    """One file of the page, held in memory with its content type and a strong ETag, and gzipped once when that makes
    it smaller (a member on a phone downloads a quarter of the page's JavaScript)."""

    name: str
    """The path below :data:`STATIC_DIR` with forward slashes (``views/epochs.js``): the URL's after ``/dashboard/``."""
    body: bytes
    content_type: str
    etag: str
    gzipped: bytes | None = None

    @classmethod
    def of(cls, name: str, body: bytes) -> DashboardAsset:
        suffix = Path(name).suffix
        content_type = _CONTENT_TYPES.get(suffix, mimetypes.guess_type(name)[0] or "application/octet-stream")
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        return cls(
            name=name,
            body=body,
            content_type=content_type,
            etag=etag,
            gzipped=packed if len(packed) < len(body) else None,
        )

    @classmethod
    def load(cls, path: Path) -> DashboardAsset:
        return cls.of(path.relative_to(STATIC_DIR).as_posix(), path.read_bytes())

    def answer(self, request: Request) -> Response:
        """The file (gzipped when the browser accepts it), or ``304 Not Modified`` when the browser already holds this
        exact version. Each encoding has its own strong ETag, as HTTP requires of two different byte sequences."""
        packed = self.gzipped is not None and _accepts_gzip(request.headers.get("accept-encoding", ""))
        etag = self.etag[:-1] + '-gzip"' if packed else self.etag
        headers = {
            "etag": etag,
            "cache-control": _CACHE_CONTROL,
            "x-content-type-options": "nosniff",
            "vary": "accept-encoding",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        if packed:
            headers["content-encoding"] = "gzip"
        body = self.gzipped if packed and self.gzipped is not None else self.body
        return Response(body, media_type=self.content_type, headers=headers)


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header accepts gzip (named, or ``*``, with a quality above zero)."""
    for entry in accept_encoding.split(","):
        coding, _, parameters = entry.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "*"):
            continue
        quality = parameters.strip().removeprefix("q=").strip() if parameters.strip().startswith("q=") else "1"
        try:
            return float(quality) > 0
        except ValueError:
            return False
    return False


def _with_module_preloads(assets: dict[str, DashboardAsset]) -> dict[str, DashboardAsset]:
    """index.html with a ``modulepreload`` link per module in place of its marker: the browser then fetches every
    module at once instead of discovering them import by import (seven round trips deep), which a phone far from the
    server would wait for on every first load."""
    page = assets["index.html"]
    modules = sorted(name for name in assets if name.endswith(".js") and name != "main.js")
    links = "\n  ".join(f'<link rel="modulepreload" href="/dashboard/{name}">' for name in modules)
    text = page.body.decode()
    if _PRELOAD_MARKER not in text:
        raise RuntimeError(f"index.html lacks the {_PRELOAD_MARKER} marker where the module preloads go")
    return assets | {"index.html": DashboardAsset.of(page.name, text.replace(_PRELOAD_MARKER, links).encode())}


ASSETS: Final = _with_module_preloads(
    {
        asset.name: asset
        for asset in (DashboardAsset.load(path) for path in sorted(STATIC_DIR.rglob("*")) if path.is_file())
    }
)
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
