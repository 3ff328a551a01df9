"""Interpreter-wide state the union's processes depend on, set right when the kernel is imported.

py_ecc (which eth-account imports through eth-keyfile, for BLS keystores the union never uses) calls
``sys.setrecursionlimit(100_000)`` as a side effect of being imported. On Python 3.11 C code — the JSON parser,
``repr``, pickling — counts its recursion against that limit too, so 100,000 levels are allowed where a thread's
stack (8 MiB by default on Linux, far less elsewhere) holds a few tens of thousands: one deeply nested request body
parsed in an API thread ran off its stack and killed the whole process with SIGSEGV. The undoing has to happen at
import time, right after py_ecc's own import, or any later first import would raise the limit again.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Final

__all__ = ["RECURSION_LIMIT", "bound_recursion_limit"]

RECURSION_LIMIT: Final = 1_000
"""CPython's own default: what the default stack of every thread (uvicorn's, the scheduler's, the API's request
threads) honours on every platform. Nothing in the union recurses deeper (request bodies are bounded to a far
smaller nesting before they are parsed: ``api.bodies``)."""


def bound_recursion_limit() -> None:
    """Import py_ecc now (so its first import is behind us) and bring the limit back down to :data:`RECURSION_LIMIT`."""
    with contextlib.suppress(ModuleNotFoundError):  # a later eth-keyfile without py_ecc needs no undoing
        import py_ecc  # noqa: F401, PLC0415 - imported for its side effect, which is undone just below

    if sys.getrecursionlimit() > RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
