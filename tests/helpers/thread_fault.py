"""Run a ``union`` command and kill one of its threads once it serves: what a crash of that one component does.

    python -m tests.helpers.thread_fault THREAD PORT -- ARGUMENTS…

runs ``union ARGUMENTS`` and, once 127.0.0.1:PORT accepts connections, raises :class:`ThreadKilledError` in the
thread named THREAD through ``PyThreadState_SetAsyncExc``, the one way CPython has to kill a thread from outside.
"""

from __future__ import annotations

import ctypes
import socket
import sys
import threading
import time


class ThreadKilledError(SystemExit):
    """Raised in the victim thread. A SystemExit, so asyncio's loops let it through as they do a real exit."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or ("killed by tests.helpers.thread_fault",)))


def _kill_when_serving(name: str, port: int) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    victim = next((thread for thread in threading.enumerate() if thread.name == name), None)
    if victim is None or victim.ident is None:
        print(f"thread_fault: no thread named {name}", file=sys.stderr, flush=True)
        return
    # The exception lands wherever the thread runs Python next; an event loop's protocol callback logs and swallows
    # it ("Fatal error on transport"), so it is raised again until the thread is gone.
    for attempt in range(1, 41):
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(victim.ident), ctypes.py_object(ThreadKilledError))
        victim.join(timeout=0.5)
        if not victim.is_alive():
            print(f"thread_fault: killed {name} (attempt {attempt})", file=sys.stderr, flush=True)
            return
    print(f"thread_fault: {name} survived 40 attempts", file=sys.stderr, flush=True)


def main(argv: list[str]) -> None:
    name, port, separator, *arguments = argv
    assert separator == "--", "usage: python -m tests.helpers.thread_fault THREAD PORT -- ARGUMENTS…"
    threading.Thread(target=_kill_when_serving, args=(name, int(port)), name="thread-fault", daemon=True).start()
    from scripts.cli import app  # noqa: PLC0415 - the command under test, imported as `union` imports it

    app(arguments, prog_name="union")


if __name__ == "__main__":
    main(sys.argv[1:])
