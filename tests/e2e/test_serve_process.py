"""``union serve`` as stewards run it: one process (role all) serves the API and relay and runs the scheduler, and
SIGTERM stops it cleanly (exit 0) after the work in hand."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import free_port
from union.localnet import LocalAccounts, LocalUnion

pytestmark = pytest.mark.anvil


def test_union_serve_all_answers_and_stops_cleanly_on_sigterm(fresh_union: LocalUnion, tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "union.toml"
    config.write_text(
        "\n".join(
            [
                "[chain]",
                f'rpc_url = "{fresh_union.anvil.rpc_url}"',
                "chain_id = 31337",
                f'manifest = "{fresh_union.manifest_path}"',
                "[database]",
                f'database_url = "sqlite:///{tmp_path / "union.db"}"',
                "[api]",
                f"api_port = {port}",
                "[relay]",
                f'relay_private_key = "{LocalAccounts.default().relayer.key.hex()}"',
                "[scheduler]",
                "follow_interval = 0.5",
            ]
        )
        + "\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNION_")}
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "union"), "serve", "--config", str(config)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        ready = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"{base}/ready", timeout=5)
                if ready.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)
        assert ready is not None
        assert ready.status_code == 200, ready.text
        assert ready.json()["cursor"] == fresh_union.w3.eth.block_number
        status = httpx.get(f"{base}/v1/relay/status", timeout=5)
        assert status.status_code == 200
        assert status.json()["relayer"] == LocalAccounts.default().relayer.address
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=90)
    assert code == 0, log.read_text()[-3000:]
    assert "stopped cleanly" in log.read_text()
