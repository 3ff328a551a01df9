"""`union index --once`: indexes a deployed union to the head, reports what it did, and resumes where it stopped."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from scripts.cli import app
from tests.helpers.driver import UnionDriver
from union.localnet import LocalAccounts


def _count(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_index_once_fills_the_store_and_a_rerun_resumes(union: UnionDriver, tmp_path: Path) -> None:
    members = [LocalAccounts.member(i).address for i in range(3)]
    union.admit(members)
    url = f"sqlite:///{tmp_path / 'union.db'}"
    args = ["index", "--once", "--rpc-url", union.anvil.rpc_url, "--manifest", str(union.union.manifest_path)]
    args += ["--database-url", url]
    runner = CliRunner()

    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "indexed to block" in first.output
    assert _count(url, "members") == 3

    union.record(1, [(members[0], 5, b"\x01" * 32)])
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert _count(url, "members") == 3
    assert _count(url, "contributions") == 1


def test_index_reports_an_unreachable_node_in_one_line(union: UnionDriver, tmp_path: Path) -> None:
    args = ["index", "--once", "--rpc-url", "http://127.0.0.1:9", "--manifest", str(union.union.manifest_path)]
    args += ["--database-url", f"sqlite:///{tmp_path / 'union.db'}"]
    result = CliRunner().invoke(app, [*args], env={"UNION_RPC_MAX_ATTEMPTS": "1"})
    assert result.exit_code == 1
    assert "error:" in result.output
