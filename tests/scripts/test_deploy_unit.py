"""The systemd unit of ``deploy/`` is one systemd accepts as it is (no unknown or misspelt directive), and it restarts
``union serve`` when it fails — which ``union serve`` signals by exiting non-zero when any of its services dies
(``tests/e2e/test_supervision.py``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "union@.service"
INSTALLED_UNION = "/opt/union/.venv/bin/union"


def test_the_unit_restarts_union_serve_on_failure_for_its_role() -> None:
    directives = [line.strip() for line in UNIT.read_text().splitlines() if "=" in line and not line.startswith("#")]
    assert "Restart=on-failure" in directives
    assert f"ExecStart={INSTALLED_UNION} serve --role %i --config /etc/union/union.toml" in directives


def test_systemd_verifies_the_unit_without_a_warning(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    # The unit as installed, pointing at this checkout's `union` (systemd checks that ExecStart is executable).
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace(INSTALLED_UNION, str(Path(sys.executable).parent / "union")))
    done = subprocess.run(
        [analyze, "verify", str(tmp_path / "union@all.service")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr
