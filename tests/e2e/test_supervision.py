"""Never a half-alive union, never an orphan: when a component of ``union serve`` or ``union demo`` dies, the process
says which one and why, stops the others and every process it started, and exits non-zero (so a supervisor such as
systemd's ``Restart=on-failure`` brings the whole union back). The component is killed the way a crash would: an
exception raised inside its thread (``tests.helpers.thread_fault``)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from indexer.store import Store
from tests.e2e.serve_process import children_of, union_process, wait_until_gone, write_config
from tests.helpers.serving import free_port
from union.localnet import LocalUnion

pytestmark = pytest.mark.anvil

_KILLED = "the api service died: ThreadKilledError: killed by tests.helpers.thread_fault"


def _killing_the_api(port: int) -> list[str]:
    return [sys.executable, "-m", "tests.helpers.thread_fault", "union-api", str(port), "--"]


def test_a_dead_api_thread_stops_union_serve_with_a_non_zero_exit_that_names_it(
    fresh_union: LocalUnion, tmp_path: Path
) -> None:
    port = free_port()
    config = write_config(fresh_union, tmp_path, port)
    with union_process(["serve", "--config", str(config)], tmp_path, port, prefix=_killing_the_api(port)) as serving:
        code, children = serving.wait_watching_children()
    output = serving.output()
    assert code != 0, output[-3000:]
    assert _KILLED in output
    assert "the union's other services were stopped" in output
    assert wait_until_gone(children) == set()


def test_a_dead_api_thread_stops_union_demo_and_its_anvil(tmp_path: Path) -> None:
    port = free_port()
    arguments = ["demo", "--no-serve", "--members", "3", "--port", str(port)]
    with union_process(arguments, tmp_path, port, prefix=_killing_the_api(port)) as demo:
        code, children = demo.wait_watching_children(timeout=300)
    output = demo.output()
    assert code != 0, output[-3000:]
    assert _KILLED in output
    assert children, "the demo started anvil"
    assert wait_until_gone(children) == set(), "the demo left a process behind"


def test_killing_union_serve_outright_takes_its_api_workers_with_it(deployed_union: LocalUnion, tmp_path: Path) -> None:
    port = free_port()
    config = write_config(deployed_union, tmp_path, port, relay_private_key=None, api_workers=2)
    Store.open(f"sqlite:///{tmp_path / 'union.db'}").close()  # the schema the indexer would have created
    with union_process(["serve", "--role", "api", "--config", str(config)], tmp_path, port) as serving:
        serving.wait_until_answering("/health")
        workers = children_of(serving.process.pid)
        assert len(workers) >= 2, workers  # uvicorn's workers (and its process-manager helpers)
        serving.process.send_signal(signal.SIGKILL)
        serving.process.wait(timeout=30)
        assert wait_until_gone(workers) == set(), "an API worker outlived its union serve"
