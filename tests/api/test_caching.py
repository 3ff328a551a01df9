"""The answer cache on its own: answers that forbid caching, and the relay's paths, always reach the app."""

from __future__ import annotations

from fastapi import FastAPI, Response
from fastapi.testclient import TestClient

from api.caching import CachingMiddleware, ResponseCache


def _app(calls: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/chain-read")
    def chain_read() -> Response:
        calls.append("chain-read")
        return Response(str(len(calls)), headers={"cache-control": "no-store"})

    @app.get("/v1/relay/typed-data/ballot")
    def ballot() -> Response:
        calls.append("ballot")
        return Response(str(len(calls)))

    @app.get("/v1/store-read")
    def store_read() -> Response:
        calls.append("store-read")
        return Response(str(len(calls)))

    cache = ResponseCache(lambda: "v1", max_age=5, poll_interval=0, max_entries=100)
    app.add_middleware(CachingMiddleware, cache=cache)
    return app


def test_an_answer_that_says_no_store_is_never_cached_nor_tagged() -> None:
    calls: list[str] = []
    with TestClient(_app(calls)) as client:
        first, second = client.get("/v1/chain-read"), client.get("/v1/chain-read")
    assert (first.text, second.text) == ("1", "2")
    assert second.headers["cache-control"] == "no-store"
    assert "etag" not in second.headers


def test_relay_paths_pass_through_untouched() -> None:
    calls: list[str] = []
    with TestClient(_app(calls)) as client:
        answers = [client.get("/v1/relay/typed-data/ballot") for _ in range(2)]
    assert [answer.text for answer in answers] == ["1", "2"]
    assert "etag" not in answers[1].headers


def test_a_store_read_is_computed_once_per_store_version() -> None:
    calls: list[str] = []
    with TestClient(_app(calls)) as client:
        answers = [client.get("/v1/store-read") for _ in range(3)]
    assert [answer.text for answer in answers] == ["1", "1", "1"]
    assert calls == ["store-read"]
    assert answers[0].headers["etag"] == answers[2].headers["etag"]
