"""The dashboard's routes without a browser: the page, its assets from memory, revalidation, and unknown names."""

from __future__ import annotations

import posixpath
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

import api.dashboard
from api.app import error_answer
from union.errors import UnionError


def _client() -> TestClient:
    app = FastAPI()
    app.include_router(api.dashboard.router)
    app.add_exception_handler(UnionError, error_answer)
    return TestClient(app)


def test_root_serves_the_page_which_loads_only_same_origin_modules() -> None:
    response = _client().get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    sources = re.findall(r'(?:src|href)="([^"#]+)"', response.text)
    assert '<script type="module" src="/dashboard/main.js">' in response.text
    # Nothing is fetched from another origin: every script, stylesheet and link is a path of this API.
    assert all(source.startswith("/") or source == "data:," for source in sources), sources


# An import statement at the start of a line (JSDoc `@import` type imports sit in comments and are never fetched).
_IMPORT = re.compile(r'^import\s[^;]*?\bfrom\s+"([^"]+)";', re.MULTILINE)


def _imports_of(name: str) -> set[str]:
    """The assets the module ``name`` imports, as paths below the static directory."""
    source = api.dashboard.ASSETS[name].body.decode()
    return {posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) for target in _IMPORT.findall(source)}


def test_every_module_the_page_imports_is_served_with_a_javascript_type() -> None:
    client = _client()
    scripts = {name for name in api.dashboard.ASSETS if name.endswith(".js")}
    reachable, pending = set(), ["main.js"]
    while pending:
        name = pending.pop()
        if name in reachable:
            continue
        reachable.add(name)
        imported = _imports_of(name)
        assert imported <= scripts, f"{name} imports {sorted(imported - scripts)}, which the dashboard does not serve"
        pending.extend(imported)
    # Every module shipped is one the page loads: no dead file costs a member on a phone a request.
    assert reachable == scripts, sorted(scripts - reachable)
    # ... and the page asks for all of them at once, not one level of imports after another.
    page = client.get("/").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/dashboard/([^"]+)">', page))
    assert preloaded == reachable - {"main.js"}

    for name in sorted(scripts):
        response = client.get(f"/dashboard/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        assert response.headers["x-content-type-options"] == "nosniff"


def test_an_unchanged_asset_is_revalidated_with_its_etag() -> None:
    client = _client()
    first = client.get("/dashboard/styles.css")

    again = client.get("/dashboard/styles.css", headers={"If-None-Match": first.headers["etag"]})

    assert first.headers["cache-control"] == "no-cache"
    assert again.status_code == 304
    assert again.content == b""


def test_a_browser_that_accepts_gzip_gets_the_same_bytes_gzipped_under_their_own_etag() -> None:
    client = _client()
    source = api.dashboard.ASSETS["views/proposals.js"].body

    plain = client.get("/dashboard/views/proposals.js", headers={"Accept-Encoding": "identity"})
    packed = client.get("/dashboard/views/proposals.js", headers={"Accept-Encoding": "br;q=1.0, gzip;q=0.8"})
    refused = client.get("/dashboard/views/proposals.js", headers={"Accept-Encoding": "gzip;q=0"})
    again = client.get(
        "/dashboard/views/proposals.js",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]},
    )
    stale = client.get(
        "/dashboard/views/proposals.js",
        headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]},
    )

    assert "content-encoding" not in plain.headers
    assert plain.content == source
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(source) / 2
    assert packed.content == source  # decoded by the client
    assert packed.headers["etag"] != plain.headers["etag"]
    assert plain.headers["vary"] == packed.headers["vary"] == "accept-encoding"
    assert "content-encoding" not in refused.headers
    assert again.status_code == 304
    assert stale.status_code == 200


def test_an_unknown_asset_is_a_json_404_and_never_reads_the_file_system() -> None:
    client = _client()

    response = client.get("/dashboard/..%2F__init__.py")
    climbing = client.get("/dashboard/views%2F..%2F..%2Frouter.py")
    missing = client.get("/dashboard/nothing.js")

    assert response.status_code == 404
    assert climbing.status_code == 404
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert "nothing.js" in missing.json()["error"]["message"]
