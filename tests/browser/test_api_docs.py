"""``/docs`` (Swagger UI) renders with the network cut off from everything but 127.0.0.1: its assets are served by
the API itself, so the docs work offline and no visitor's address goes to a third party. There is no ``/redoc``:
Redoc's bundle fetches its vendor's logo from the vendor's server."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route

from tests.browser.conftest import SCREENSHOTS, WAIT_MS, Server


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page whose every request to a host other than 127.0.0.1 is blocked and recorded."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    yield context.new_page(), blocked
    context.close()


def test_swagger_ui_renders_every_operation_from_assets_the_api_serves(
    server: Server, offline_page: tuple[Page, list[str]]
) -> None:
    page, blocked = offline_page
    page.goto(f"{server.url}/docs")
    title = page.wait_for_selector(".swagger-ui .info .title", timeout=WAIT_MS)
    assert title is not None
    assert "Data Union transparency API" in title.inner_text()
    page.wait_for_selector(".swagger-ui .opblock", timeout=WAIT_MS)
    operations = page.locator(".swagger-ui .opblock").count()
    paths = len(server.get("/openapi.json")["paths"])
    assert operations >= paths
    assert blocked == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))


def test_there_is_no_redoc_page_to_call_a_third_party(server: Server) -> None:
    response = httpx.get(f"{server.url}/redoc")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
