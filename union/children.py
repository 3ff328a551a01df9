"""Child processes that die with their parent, so a union process never leaves an orphan behind — not even when it
is killed outright (SIGKILL, the OOM killer, a crash in C code) and has no chance to stop them itself.

Linux's ``prctl(PR_SET_PDEATHSIG)`` has the kernel signal the child when the thread that started it exits; start
children from the thread that lives as long as they should (the main thread). Elsewhere (macOS) nothing is set, and
children are stopped only by their parent's own shutdown path.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable
from functools import partial
from typing import Final

__all__ = ["die_with_parent", "dies_with_this_process"]

_PR_SET_PDEATHSIG: Final = 1
# Resolved once here, in the parent: a child between fork and exec must not load libraries (another thread of the
# parent may have held the loader's lock when it forked).
_PRCTL: Final[Callable[..., int] | None] = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def die_with_parent(parent_pid: int, signum: int = signal.SIGTERM) -> None:
    """Ask for ``signum`` when the parent exits; if ``parent_pid`` already exited, send it now (Linux only)."""
    if _PRCTL is None:
        return
    if _PRCTL(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG): {os.strerror(error)}")
    if os.getppid() != parent_pid:  # the parent died before prctl took effect: nobody would signal us
        os.kill(os.getpid(), signum)


def dies_with_this_process() -> Callable[[], None]:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child is signalled (SIGTERM) when this process exits."""
    return partial(die_with_parent, os.getpid())
