"""``union plan`` and ``union verify`` against anvil, with nothing but the RPC URL and the deployment manifest."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from eth_utils import keccak
from typer.testing import CliRunner, Result

from scripts.cli import app
from tests.treasury.anvil_round import Round, base_round, fund_plan, funding_spec, round_, tampered
from treasury.inputs import PlanInputs
from treasury.plan import Plan
from union.types import ZERO_ADDRESS

__all__ = ["base_round", "round_"]  # fixtures used by name

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal, so rich prints every hash and message on one line."""
    monkeypatch.setenv("COLUMNS", "1000")


def union_cli(round_: Round, *args: str) -> Result:
    union = round_.union
    return runner.invoke(app, [*args, "--rpc-url", union.anvil.rpc_url, "--manifest", str(union.union.manifest_path)])


@pytest.fixture
def published() -> Iterator[tuple[dict[str, bytes], str]]:
    """A tiny web server publishing plan documents by path (what a steward's plan URL points at)."""
    documents: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = documents.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield documents, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_plan_writes_the_hashed_document_and_the_funded_root_verifies(round_: Round, tmp_path: Path) -> None:
    union = round_.union
    union.warp_to(union.grace_end(2))
    out = tmp_path / "plan-eth-2.json"
    result = union_cli(round_, "plan", "2", "--token", "ETH", "--out", str(out))
    assert result.exit_code == 0, result.output
    plan_hash = "0x" + keccak(out.read_bytes()).hex()
    plan = Plan.from_json(out.read_bytes())
    assert plan.plan_hash == plan_hash
    for expected in (plan_hash, plan.root, str(plan.totals.amount), str(plan.totals.reserve_released), "ai-training"):
        assert expected in result.output
    fund_plan(round_, plan)

    verified = union_cli(round_, "verify")
    assert verified.exit_code == 0, verified.output
    assert "verified: every distribution reproduces from chain data" in verified.output
    assert "funded #1" in verified.output


def test_next_plan_builds_on_the_funded_round_and_both_verify(round_: Round, tmp_path: Path) -> None:
    union, m = round_.union, [member.address for member in round_.members]
    union.warp_to(union.grace_end(2))
    token = round_.token_address
    first = tmp_path / "first.json"
    assert union_cli(round_, "plan", "2", "--token", token, "--out", str(first)).exit_code == 0
    fund_plan(round_, Plan.from_json(first.read_bytes()))
    union.pay_token(round_.token, union.accounts.buyer, 90_000, "general", "epoch-3")
    union.record(3, [(m[0], 1, b"\x31" * 32), (m[5], 1, b"\x32" * 32)])
    union.warp_to(union.grace_end(3))
    second = tmp_path / "second.json"
    result = union_cli(round_, "plan", "3", "--token", token.lower(), "--out", str(second))
    assert result.exit_code == 0, result.output
    plan = Plan.from_json(second.read_bytes())
    assert (plan.from_epoch, plan.through_epoch) == (2, 3)
    assert plan.previous_cumulative == Plan.from_json(first.read_bytes()).new_cumulative
    fund_plan(round_, plan)

    verified = union_cli(round_, "verify", "--token", token)
    assert verified.exit_code == 0, verified.output
    assert "funded #2" in verified.output
    only_epoch_3 = union_cli(round_, "verify", "--token", token, "--epoch", "3")
    assert only_epoch_3.exit_code == 0, only_epoch_3.output
    assert "funded #1" not in only_epoch_3.output


def test_verify_fails_on_a_tampered_root_and_names_the_accounts_from_the_published_plan(
    round_: Round, tmp_path: Path, published: tuple[dict[str, bytes], str]
) -> None:
    union, m = round_.union, [member.address for member in round_.members]
    union.warp_to(union.grace_end(2))
    out = tmp_path / "honest.json"
    assert union_cli(round_, "plan", "2", "--out", str(out)).exit_code == 0
    honest = Plan.from_json(out.read_bytes())
    forged = tampered(honest, take_from=m[3], give_to=m[1])
    documents, base_url = published
    documents["/plans/eth-2.json"] = forged.canonical_bytes()
    fund_plan(round_, forged, plan_url=f"{base_url}/plans/eth-2.json")

    result = union_cli(round_, "verify", "--epoch", "2")
    assert result.exit_code == 1, result.output
    assert "verification FAILED" in result.output
    assert f"account {m[3]} is missing (expected cumulative {honest.new_cumulative[m[3]]})" in result.output
    assert f"account {m[1]}: expected cumulative {honest.new_cumulative[m[1]]}" in result.output
    assert f"published plan read from {base_url}/plans/eth-2.json" in result.output

    forged_file = tmp_path / "forged.json"
    forged_file.write_bytes(forged.canonical_bytes())
    offline = union_cli(round_, "verify", "--no-fetch", "--plan", str(forged_file))
    assert offline.exit_code == 1, offline.output
    assert f"account {m[3]} is missing" in offline.output
    blind = union_cli(round_, "verify", "--no-fetch")
    assert blind.exit_code == 1
    assert "no published plan document with this planHash" in blind.output


def test_verify_checks_a_pending_distribution_proposal(round_: Round, tmp_path: Path) -> None:
    union = round_.union
    union.warp_to(union.grace_end(2))
    out = tmp_path / "plan.json"
    assert union_cli(round_, "plan", "2", "--out", str(out)).exit_code == 0
    proposal_id = union.propose(round_.members[0], funding_spec(round_, Plan.from_json(out.read_bytes())))
    result = union_cli(round_, "verify", "--proposal", str(proposal_id))
    assert result.exit_code == 0, result.output
    assert "(pending)" in result.output
    as_json = union_cli(round_, "verify", "--proposal", hex(proposal_id), "--json")
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.output)
    assert (report["ok"], report["rounds"][0]["proposal_id"]) == (True, str(proposal_id))
    missing = union_cli(round_, "verify", "--proposal", "12345")
    assert missing.exit_code == 1
    assert "proposal 12345 has no fundDividends action" in missing.output


def test_plan_and_verify_say_when_a_plan_asks_a_purpose_for_more_than_it_holds(round_: Round, tmp_path: Path) -> None:
    union = round_.union
    union.warp_to(union.grace_end(2))
    # Executed after epoch 2 ended: the plan through epoch 2 does not take it in (the next plan's window does).
    ai = keccak(text="ai-training")
    union.as_timelock(union.contracts.treasury.functions.releaseEarmark(ZERO_ADDRESS, ai, 10**18, "late refund"))
    out = tmp_path / "plan.json"
    result = union_cli(round_, "plan", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    plan = Plan.from_json(out.read_bytes())
    funding = plan.totals.purposes["0x" + ai.hex()]
    asked, held = funding.amount + funding.reserve_released, 9 * 10**18
    assert f"exceeds the earmark: ai-training asks {asked}" in result.output
    assert f"but only {held} is earmarked for it: executing it would revert (TreasuryExceedsEarmark)" in result.output

    proposal_id = union.propose(round_.members[0], funding_spec(round_, plan))
    verified = union_cli(round_, "verify", "--proposal", str(proposal_id))
    assert verified.exit_code == 1, verified.output
    assert "within earmark" in verified.output
    assert f"asks {asked}" in verified.output
    assert "verification FAILED" in verified.output


def test_plan_refuses_while_the_epoch_can_still_change(round_: Round, tmp_path: Path) -> None:
    result = union_cli(round_, "plan", "2", "--out", str(tmp_path / "early.json"))
    assert result.exit_code == 1
    assert "epoch 2 cannot be planned yet" in result.output
    assert not (tmp_path / "early.json").exists()


def test_plan_and_verify_give_the_same_results_with_and_without_the_hashing_worker(
    round_: Round, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executors: list[object] = []
    from_inputs = Plan.from_inputs

    def recording(inputs: PlanInputs, *, executor: Executor | None = None) -> Plan:
        executors.append(executor)
        return from_inputs(inputs, executor=executor)

    monkeypatch.setattr(Plan, "from_inputs", staticmethod(recording))
    round_.union.warp_to(round_.union.grace_end(2))
    shared, alone = tmp_path / "pooled.json", tmp_path / "single.json"  # same length: same table widths
    with_worker = union_cli(round_, "plan", "2", "--out", str(shared))
    without = union_cli(round_, "plan", "2", "--out", str(alone), "--no-parallel")
    assert (with_worker.exit_code, without.exit_code) == (0, 0), with_worker.output + without.output
    assert shared.read_bytes() == alone.read_bytes()
    assert with_worker.output.replace(str(shared), "OUT") == without.output.replace(str(alone), "OUT")
    assert isinstance(executors[0], ProcessPoolExecutor)
    assert executors[1] is None

    fund_plan(round_, Plan.from_json(shared.read_bytes()))
    executors.clear()
    reports = [union_cli(round_, "verify", "--json", *flag) for flag in ([], ["--no-parallel"])]
    assert [report.exit_code for report in reports] == [0, 0], reports[0].output
    pooled, single = (json.loads(report.output) for report in reports)
    assert pooled.pop("checked_at") <= single.pop("checked_at")
    assert pooled == single
    assert isinstance(executors[0], ProcessPoolExecutor)
    assert executors[-1] is None
