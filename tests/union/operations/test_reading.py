"""Log reading over a node that refuses wide ranges: every log arrives once, in order, whatever the node's limit."""

from __future__ import annotations

import json

import httpx
import pytest

from union.errors import LogRangeRefusedError
from union.operations.reading import fetch_logs
from union.rpc import JsonRpcClient

ADDRESS = "0x" + "11" * 20


def _node(max_blocks: int, refuse_single: bool = False) -> JsonRpcClient:
    """A node with one log per block that refuses ``eth_getLogs`` over more than ``max_blocks`` blocks."""

    def handle(request: httpx.Request) -> httpx.Response:
        call = json.loads(request.content)[0]
        query = call["params"][0]
        start, end = int(query["fromBlock"], 16), int(query["toBlock"], 16)
        if end - start + 1 > max_blocks or refuse_single:
            error = {"code": -32005, "message": f"query exceeds max block range {max_blocks}"}
            return httpx.Response(200, json=[{"jsonrpc": "2.0", "id": call["id"], "error": error}])
        logs = [{"blockNumber": hex(block), "address": ADDRESS} for block in range(start, end + 1)]
        return httpx.Response(200, json=[{"jsonrpc": "2.0", "id": call["id"], "result": logs}])

    return JsonRpcClient("http://node", transport=httpx.MockTransport(handle), sleep=lambda _: None)


def test_fetchLogs_shrinksRefusedRangesAndMissesNoBlock() -> None:
    logs = fetch_logs(_node(max_blocks=7), ADDRESS, 10, 2_500)
    assert [int(log["blockNumber"], 16) for log in logs] == list(range(10, 2_501))


def test_fetchLogs_raisesWhenEvenOneBlockIsRefused() -> None:
    with pytest.raises(LogRangeRefusedError):
        fetch_logs(_node(max_blocks=1, refuse_single=True), ADDRESS, 0, 3)
