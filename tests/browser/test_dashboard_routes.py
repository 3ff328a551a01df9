"""The dashboard's routes without a browser: the page, its assets from memory, revalidation, and unknown names."""

from __future__ import annotations

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


def test_every_module_the_page_imports_is_served_with_a_javascript_type() -> None:
    client = _client()
    scripts = [name for name in api.dashboard.ASSETS if name.endswith(".js")]
    imported = set()
    for name in scripts:
        imported |= set(re.findall(r'from "\./([\w.-]+)"', api.dashboard.ASSETS[name].body.decode()))
    assert imported <= set(scripts)

    for name in scripts:
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


def test_an_unknown_asset_is_a_json_404_and_never_reads_the_file_system() -> None:
    client = _client()

    response = client.get("/dashboard/..%2F__init__.py")
    missing = client.get("/dashboard/nothing.js")

    assert response.status_code == 404
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert "nothing.js" in missing.json()["error"]["message"]
