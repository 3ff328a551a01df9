"""A union process never leaves an orphan: its anvil goes when it goes, even when it is killed outright (SIGKILL
gives it no chance to stop anvil itself — as a crash in C code, or the OOM killer, would not)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.e2e.serve_process import alive, environment, wait_until_gone

pytestmark = pytest.mark.anvil

_PARENT = textwrap.dedent(
    """
    import time
    from union.chain import AnvilProcess

    anvil = AnvilProcess().start()
    print(anvil.pid, flush=True)
    time.sleep(600)
    """
)


def test_anvil_dies_with_a_parent_that_is_killed_outright() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True, env=environment())
    anvil: int | None = None
    try:
        assert parent.stdout is not None
        anvil = int(parent.stdout.readline())
        assert alive(anvil)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        assert wait_until_gone({anvil}) == set(), f"anvil {anvil} outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if anvil is not None and alive(anvil):
            os.kill(anvil, signal.SIGKILL)  # the orphan this test found: not left to the machine
