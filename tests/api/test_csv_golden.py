"""The CSV exports against golden files: every treasury movement with the running balance per token, and every
vote. Amounts are fixed by the round; block numbers, timestamps and hashes vary between runs, so the golden files
leave out positions and write addresses, tokens and plan hashes by name.

Regenerate after an intended change with ``UNION_UPDATE_GOLDEN=1 pytest tests/api/test_csv_golden.py``.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import IndexedRound

GOLDEN = Path(__file__).parent / "golden"
_POSITIONS = {"block_number", "log_index", "tx_hash", "timestamp"}


def _normalized(text: str, indexed_round: IndexedRound, named: set[str]) -> str:
    """The CSV without its position columns, with the ``named`` columns written by name."""
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "the export is empty"
    columns = [column for column in rows[0] if column not in _POSITIONS]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([indexed_round.label(row[column]) if column in named else row[column] for column in columns])
    return out.getvalue()


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UNION_UPDATE_GOLDEN") == "1":
        path.write_text(actual)
    assert actual == path.read_text(), f"{name} differs from its golden file"


def test_ledger_csv_matches_golden_file_with_running_balances(client: TestClient, indexed_round: IndexedRound) -> None:
    response = client.get("/v1/treasury/ledger.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="treasury-ledger.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    json_rows = client.get("/v1/treasury/ledger", params={"limit": 500}).json()["items"]
    assert [(row["tx_hash"], row["balance_after"]) for row in rows] == [
        (item["tx_hash"], item["balance_after"]) for item in json_rows
    ]
    _check("treasury_ledger.csv", _normalized(response.text, indexed_round, {"token", "counterparty", "memo"}))


def test_ledger_csv_filtered_by_token_keeps_that_tokens_running_balance(
    client: TestClient, indexed_round: IndexedRound
) -> None:
    text = client.get("/v1/treasury/ledger.csv", params={"token": indexed_round.token}).text
    _check("treasury_ledger_token.csv", _normalized(text, indexed_round, {"token", "counterparty", "memo"}))


def test_votes_csv_matches_golden_file(client: TestClient, indexed_round: IndexedRound) -> None:
    text = client.get(f"/v1/proposals/{indexed_round.eth_proposal}/votes.csv").text
    labels = {"proposal_id", "voter", "sender"}
    _check("votes_eth_funding.csv", _normalized(text, indexed_round, labels))
