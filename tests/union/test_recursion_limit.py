"""The interpreter the union runs in keeps a recursion limit its threads' stacks honour, whatever its libraries do.

py_ecc (imported by eth-account through eth-keyfile) raises ``sys.setrecursionlimit`` to 100,000 when imported;
on Python 3.11 C code such as the JSON parser counts its recursion against that limit, so a deeply nested request
body parsed in one of uvicorn's threads ran off the thread's stack and killed the whole process (SIGSEGV). Each
check runs in a fresh interpreter: a crash there is a failed test, not a dead test session.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

_PROBE = textwrap.dedent(
    """
    import json, sys, threading

    import scripts.cli  # registers every command, so it imports what `union serve` and `union demo` import
    import api.app, scripts.serving, scripts.demo, scheduler, indexer.service, treasury.verify, voting.typed_data

    limit = sys.getrecursionlimit()
    depth = 2 * limit  # deeper than the limit: the parser must refuse it with RecursionError, not crash
    documents = {
        "arrays": "[" * depth + "]" * depth,
        "objects": '{"a":' * depth + "1" + "}" * depth,
        "mixed": '[{"a":' * (depth // 2) + "1" + "}]" * (depth // 2),
    }
    outcomes = {}

    def parse_everything():
        for name, text in documents.items():
            try:
                json.loads(text)
                outcomes[name] = "parsed"
            except RecursionError:
                outcomes[name] = "RecursionError"
        nested = []
        for _ in range(depth):
            nested = [nested]
        try:
            repr(nested)
            outcomes["repr"] = "printed"
        except RecursionError:
            outcomes["repr"] = "RecursionError"

    worker = threading.Thread(target=parse_everything)  # the default stack, as uvicorn's and anyio's threads have
    worker.start()
    worker.join()
    print(json.dumps({"limit": limit, "outcomes": outcomes}))
    """
)


def test_a_thread_refuses_nesting_beyond_the_recursion_limit_instead_of_crashing_the_process() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"the interpreter died ({done.returncode}): {done.stderr[-2000:]}"
    report = json.loads(done.stdout)
    assert report["outcomes"] == {name: "RecursionError" for name in ("arrays", "objects", "mixed", "repr")}


def test_the_kernel_restores_the_limit_py_ecc_raises_on_import() -> None:
    probe = "import sys, py_ecc; raised = sys.getrecursionlimit(); import union; print(raised, sys.getrecursionlimit())"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    raised, after = (int(part) for part in done.stdout.split())
    assert raised >= 100_000  # what py_ecc does on import (the reason for this test)
    from union import RECURSION_LIMIT  # noqa: PLC0415 - the constant under test, imported after the probe ran

    assert after == RECURSION_LIMIT
