"""``union serve`` as stewards run it: one process (role all) serves the API and relay and runs the scheduler, and
SIGTERM stops it cleanly (exit 0) after the work in hand."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.serve_process import union_process, write_config
from tests.helpers.serving import free_port
from union.localnet import LocalAccounts, LocalUnion

pytestmark = pytest.mark.anvil


def test_union_serve_all_answers_and_stops_cleanly_on_sigterm(fresh_union: LocalUnion, tmp_path: Path) -> None:
    port = free_port()
    config = write_config(fresh_union, tmp_path, port)
    with union_process(["serve", "--config", str(config)], tmp_path, port) as serving:
        ready = serving.wait_until_answering("/ready")
        assert ready.json()["cursor"] == fresh_union.w3.eth.block_number
        status = httpx.get(f"{serving.base_url}/v1/relay/status", timeout=5)
        assert status.status_code == 200
        assert status.json()["relayer"] == LocalAccounts.default().relayer.address
        code = serving.stop()
    assert code == 0, serving.output()[-3000:]
    assert "stopped cleanly" in serving.output()
