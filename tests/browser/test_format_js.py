"""The page's number and CSV formatting (lib/format.js), run by Node: money is shown exactly as the chain holds it."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from api.dashboard import STATIC_DIR

_NODE = shutil.which("node")

_SCRIPT = """
import * as f from %s;
const cases = JSON.parse(process.argv[1]);
console.log(JSON.stringify(cases.map(([name, args]) => f[name](...args))));
"""


def _run(*calls: tuple[str, list[Any]]) -> list[Any]:
    if _NODE is None:
        pytest.skip("node is not installed (make install brings it with the npm toolchain)")
    script = _SCRIPT % json.dumps((STATIC_DIR / "lib" / "format.js").as_uri())
    done = subprocess.run(
        [_NODE, "--input-type=module", "-e", script, json.dumps(calls)], capture_output=True, text=True, check=True
    )
    result: list[Any] = json.loads(done.stdout)
    return result


ETH = "0x0000000000000000000000000000000000000000"
TOKEN = "0x68B1D87F95878fE05B998F19b66F4baba5De1aed"


def test_eth_amounts_are_exact_wei_rounded_down_to_six_decimals() -> None:
    assert _run(
        ("formatAmount", ["0", ETH]),
        ("formatAmount", ["10000000000000000000", ETH]),
        ("formatAmount", ["3966666666666666666", ETH]),
        ("formatAmount", ["1", ETH]),
        ("formatAmount", ["-2500000000000000000", ETH]),
        ("formatAmount", ["1234567000000000000000000", ETH]),
    ) == ["0 ETH", "10 ETH", "3.966666 ETH", "< 0.000001 ETH", "−2.5 ETH", "1,234,567 ETH"]


def test_amounts_beyond_javascript_numbers_keep_every_digit() -> None:
    huge = str(2**200 + 1)
    (shown,) = _run(("formatAmount", [huge, TOKEN]))
    assert shown.replace(",", "") == f"{huge} units"


def test_csv_fields_are_quoted_only_when_they_must_be() -> None:
    assert _run(("toCsv", [[["section", "detail"], ["vote", 'said "no", then left'], ["x", "a\nb"]]])) == [
        'section,detail\r\nvote,"said ""no"", then left"\r\nx,"a\nb"\r\n'
    ]
