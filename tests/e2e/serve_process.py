"""``union serve`` as a steward runs it, in a process of its own over a deployed union: its configuration file, its
start (until it answers), its output, the processes it started, and its stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.helpers.serving import free_port
from union.localnet import LocalAccounts, LocalUnion

REPO = Path(__file__).resolve().parents[2]
UNION = str(Path(sys.executable).parent / "union")
START_TIMEOUT = 120.0
"""How long a process may take to start answering (a bound on waiting, not a timed assertion)."""


def write_config(union: LocalUnion, directory: Path, port: int, **settings: object) -> Path:
    """A ``union.toml`` for the deployed ``union``: SQLite in ``directory``, the API on ``port``, the relay on."""
    values: dict[str, object] = {
        "rpc_url": union.anvil.rpc_url,
        "chain_id": 31337,
        "manifest": str(union.manifest_path),
        "database_url": f"sqlite:///{directory / 'union.db'}",
        "api_port": port,
        "relay_private_key": LocalAccounts.default().relayer.key.hex(),
        "follow_interval": 0.5,
    } | settings
    lines = [f"{name} = {_toml(value)}" for name, value in values.items() if value is not None]
    path = directory / "union.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def environment() -> dict[str, str]:
    """This environment without ``UNION_*`` (the file is the configuration), able to import the tests' helpers."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("UNION_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def children_of(pid: int) -> set[int]:
    """The processes ``pid`` started that are still its children (Linux: /proc/PID/task/*/children)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue  # the task ended meanwhile
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its parent to reap it does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until_gone(pids: set[int], timeout: float = 15.0) -> set[int]:
    """The ``pids`` still running after waiting up to ``timeout`` seconds for them to end."""
    deadline = time.monotonic() + timeout
    while (running := {pid for pid in pids if alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return running


@dataclass
class ServeProcess:
    """A running ``union serve`` (or another ``union`` command), its base URL and its combined output."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_answering(self, path: str = "/health", timeout: float = START_TIMEOUT) -> httpx.Response:
        """Poll ``path`` until it answers 200, failing with the process's output if the process ends first."""
        deadline = time.monotonic() + timeout
        last: httpx.Response | None = None
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (
                f"the process ended ({self.process.returncode}):\n{self.output()[-4000:]}"
            )
            try:
                last = httpx.get(self.base_url + path, timeout=5)
                if last.status_code == 200:
                    return last
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(
            f"{path} did not answer 200 within {timeout:.0f} s (last: {last}):\n{self.output()[-4000:]}"
        )

    def wait_watching_children(self, timeout: float = START_TIMEOUT) -> tuple[int, set[int]]:
        """Wait for the process to end; its exit status, and every child process it had meanwhile."""
        children: set[int] = set()
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            assert time.monotonic() < deadline, f"still running after {timeout:.0f} s:\n{self.output()[-4000:]}"
            children |= children_of(self.process.pid)
            time.sleep(0.05)
        return self.process.returncode, children

    def stop(self, timeout: float = 90.0) -> int:
        """SIGTERM (what systemd and Ctrl-C send) and the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@contextmanager
def union_process(
    arguments: Sequence[str], directory: Path, port: int | None = None, *, prefix: Sequence[str] = (UNION,)
) -> Iterator[ServeProcess]:
    """``union ARGUMENTS`` in ``directory`` (``prefix`` replaces the ``union`` executable, e.g. to inject a fault);
    stopped with SIGTERM afterwards if it still runs, and killed if it will not stop."""
    log = directory / "process.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*prefix, *arguments], cwd=directory, env=environment(), stdout=output, stderr=subprocess.STDOUT
        )
    running = ServeProcess(process, f"http://127.0.0.1:{port or free_port()}", log)
    try:
        yield running
    finally:
        try:
            running.stop()
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
