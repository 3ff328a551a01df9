"""``python -m bench``: run every benchmark module in this package (each ``bench/<name>.py`` with a ``main()``).

Each module writes its own ``bench/results/<name>.json`` and ``.md``; this runner only finds and starts them, so a
new benchmark needs no registration here.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path


def discover() -> list[tuple[str, Callable[[list[str]], int]]]:
    """The ``(name, main)`` of every module of this package that defines ``main``, in name order."""
    found: list[tuple[str, Callable[[list[str]], int]]] = []
    for module_info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda info: info.name):
        if module_info.name.startswith("_") or module_info.ispkg:
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        entry = getattr(module, "main", None)
        if callable(entry):
            found.append((module_info.name, entry))
    return found


def main() -> int:
    failures = []
    for name, entry in discover():
        print(f"== bench.{name}", flush=True)
        status = entry([])
        if status:
            failures.append(name)
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
