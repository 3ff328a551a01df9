"""Request bodies are bounded before anything parses them: at most ``max_body_bytes`` bytes (413) and at most
``max_body_depth`` levels of nested arrays and objects (422), each refusal in the API's error shape naming the limit.

A pure ASGI layer in front of every route, so no endpoint that reads a body — today the relay's POSTs — can be reached
by one that breaks a limit, and a new one is covered without opting in. Starlette's own body limit answers in plain
text when a route does not read the body and knows nothing of nesting, hence this layer.

The nesting is measured without parsing, in linear time: the body is decoded as ``json.loads`` would decode it (UTF-8,
-16 or -32), the JSON strings are cut out (brackets inside them are text), and the depth is the highest running sum of
what remains (``[`` and ``{`` open, ``]`` and ``}`` close). For any prefix the parser accepts, this depth is at least
the parser's, so no body the parser would recurse into deeply gets through.

A body refused for its size is still read (and dropped) up to :data:`_DRAIN_BYTES` before the answer goes out: a
client still sending would otherwise meet a reset connection instead of the 413. Beyond that the answer goes out at
once and the connection closes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Final

import numpy as np
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_json

__all__ = ["BodyLimits", "BoundedBodyMiddleware", "nesting_depth"]

_DRAIN_BYTES: Final = 1 << 20
"""How much of a refused body is read and dropped, so that an ordinary client sending it reads the 413."""

_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
"""A JSON string, escapes included; an unterminated one runs to the end (possessive: linear time, no backtracking)."""
_NOT_A_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_OPENING: Final = (ord("["), ord("{"))


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body``, read as JSON text (0 for a scalar, 1 for ``{"a": 1}``)."""
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")  # exactly as json.loads decodes bytes
    except UnicodeDecodeError:
        return 0  # not text: the parser refuses it before reading any structure
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where(np.isin(codes, _OPENING), 1, -1)
    return max(0, int(np.cumsum(steps).max()))


@dataclass(frozen=True)
class BodyLimits:
    """The most a request body may hold: bytes, and levels of nested arrays and objects."""

    max_bytes: int
    max_depth: int


class BoundedBodyMiddleware:
    """Refuse a request body over :class:`BodyLimits` before the app sees it; pass every other request through."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = _declared_length(headers)
        if declared is None and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body at all (GET, HEAD …)
            return
        if declared is not None and declared > self.limits.max_bytes:
            if declared <= _DRAIN_BYTES:
                await _drain(receive)
            await self._too_large(scope, receive, send)
            return
        body, ending = await _read(receive, self.limits.max_bytes)
        if ending is _Ending.CLIENT_LEFT:
            return  # nobody to answer
        if ending is _Ending.TOO_LARGE:
            await self._too_large(scope, receive, send)
            return
        if nesting_depth(body) > self.limits.max_depth:
            await self._too_deep(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.max_bytes
        message = f"the request body is larger than {limit:,} bytes, the most this API accepts (max_body_bytes)"
        details = [{"loc": ["body"], "msg": message, "type": "body_too_large", "limit": limit}]
        await error_json(413, "body_too_large", message, details)(scope, receive, send)

    async def _too_deep(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.max_depth
        message = (
            f"the request body nests arrays and objects more than {limit} levels deep, "
            f"the most this API accepts (max_body_depth)"
        )
        details = [{"loc": ["body"], "msg": message, "type": "body_too_deep", "limit": limit}]
        await error_json(422, "body_too_deep", message, details)(scope, receive, send)


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None  # the server (h11 / httptools) refuses such a request before the app sees it


class _Ending(Enum):
    COMPLETE = "the whole body was read"
    TOO_LARGE = "the body passed the limit (what followed was drained)"
    CLIENT_LEFT = "the client disconnected before the end"


async def _read(receive: Receive, limit: int) -> tuple[bytes, _Ending]:
    """The body and how reading it ended; past ``limit`` nothing more is kept (the rest is drained)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), _Ending.CLIENT_LEFT
        chunk: bytes = message.get("body", b"")
        more = bool(message.get("more_body", False))
        size += len(chunk)
        if size > limit:
            if more:
                await _drain(receive, already=size)
            return b"", _Ending.TOO_LARGE
        chunks.append(chunk)
        if not more:
            return b"".join(chunks), _Ending.COMPLETE


async def _drain(receive: Receive, already: int = 0) -> None:
    """Read and drop what the client still sends of a refused body, up to :data:`_DRAIN_BYTES` in all."""
    drained = already
    while drained <= _DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        drained += len(message.get("body", b""))


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then whatever the connection says next."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
