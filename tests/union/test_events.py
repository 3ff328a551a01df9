"""The pure decoders: every union event decodes exactly as eth_abi reads it, and calldata shows what a vote does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from union.contracts import UNION_CONTRACT_NAMES, load_abi
from union.events import args_to_json, build_contract_events, decode_call, decode_log

ADDRESS = "0x" + "ab" * 20
SAMPLE_VALUES: dict[str, Any] = {
    "address": to_checksum_address(ADDRESS),
    "bool": True,
    "string": "licence-ü-42",
    "bytes": "0x0102",
    "bytes32": "0x" + "11" * 32,
    "bytes4": "0xdeadbeef",
    "uint8": 2,
    "uint16": 10_000,
    "uint48": 2**40,
    "uint64": 2**63 + 5,
    "uint208": 2**200,
    "uint256": 2**255 + 7,
    "int256": -5,
    "address[]": [to_checksum_address(ADDRESS)],
    "uint256[]": [1, 2**200],
    "string[]": ["", "f(uint256)"],
    "bytes[]": ["0x", "0x0badf00d"],
}


def _encode_value(kind: str, value: Any) -> Any:
    if kind.startswith("bytes") and kind.endswith("]"):
        return [bytes.fromhex(item[2:]) for item in value]
    if kind.startswith("bytes"):
        return bytes.fromhex(value[2:])
    return value


def _raw_log(spec_address: str, item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A log as eth_getLogs would return it for ``item`` (an ABI event) with sample values, and those values."""
    types = [param["type"] for param in item["inputs"]]
    signature = f"{item['name']}({','.join(types)})"
    topics = ["0x" + keccak(text=signature).hex()]
    data_types, data_values, expected = [], [], {}
    for param in item["inputs"]:
        value = SAMPLE_VALUES[param["type"]]
        encoded = _encode_value(param["type"], value)
        if param["indexed"]:
            topics.append("0x" + encode([param["type"]], [encoded]).hex())
        else:
            data_types.append(param["type"])
            data_values.append(encoded)
        expected[param["name"]] = value
    log = {
        "address": spec_address,
        "topics": topics,
        "data": "0x" + encode(data_types, data_values).hex(),
        "blockNumber": "0x10",
        "blockHash": "0x" + "cd" * 32,
        "transactionHash": "0x" + "ef" * 32,
        "transactionIndex": "0x1",
        "logIndex": "0x3",
    }
    return log, expected


@pytest.mark.parametrize("contract", UNION_CONTRACT_NAMES)
def test_every_union_event_decodes_to_its_abi_values(contract: str) -> None:
    abi = load_abi(contract)
    events = build_contract_events(contract, ADDRESS, abi)
    for item in (entry for entry in abi if entry["type"] == "event"):
        log, expected = _raw_log(ADDRESS, item)
        decoded = decode_log({ADDRESS: events}, log, block_timestamp=1_700_000_000)
        assert (decoded.contract, decoded.event, decoded.args) == (contract, item["name"], expected)
        assert (decoded.block_number, decoded.log_index, decoded.block_timestamp) == (16, 3, 1_700_000_000)


def test_unknown_event_is_kept_with_its_raw_topics_and_data() -> None:
    events = build_contract_events("UnionTreasury", ADDRESS, load_abi("UnionTreasury"))
    log, _ = _raw_log(ADDRESS, {"name": "Mystery", "inputs": [{"name": "x", "type": "uint256", "indexed": False}]})
    decoded = decode_log({ADDRESS: events}, log, 0)
    assert (decoded.event, decoded.args) == ("", {"topics": log["topics"], "data": log["data"]})


def test_fund_dividends_action_decodes_to_named_plan_fields() -> None:
    treasury = build_contract_events("UnionTreasury", ADDRESS, load_abi("UnionTreasury"))
    selector = keccak(text="fundDividends(address,uint64,uint64,(bytes32,uint256,uint256)[],bytes32,bytes32)")[:4]
    purposes = [(b"\x00" * 32, 10**18, 10**17), (b"\x11" * 32, 0, 5)]
    args = [ADDRESS, 3, 5, purposes, b"\x01" * 32, b"\x02" * 32]
    types = ["address", "uint64", "uint64", "(bytes32,uint256,uint256)[]", "bytes32", "bytes32"]
    calldata = "0x" + (selector + encode(types, args)).hex()
    call = decode_call(treasury, calldata)
    assert (call.contract, call.function) == ("UnionTreasury", "fundDividends")
    assert call.args == {
        "token": to_checksum_address(ADDRESS),
        "fromEpoch": 3,
        "throughEpoch": 5,
        "purposes": [
            {"purposeId": "0x" + "00" * 32, "amount": 10**18, "reserveReleased": 10**17},
            {"purposeId": "0x" + "11" * 32, "amount": 0, "reserveReleased": 5},
        ],
        "newRoot": "0x" + "01" * 32,
        "planHash": "0x" + "02" * 32,
    }


def test_calldata_for_an_unknown_target_is_shown_undecoded() -> None:
    assert decode_call(None, "0xdeadbeef").function == ""


def test_args_json_keeps_big_integers_exact_as_strings() -> None:
    assert json.loads(args_to_json({"small": 7, "big": 2**64, "flag": True})) == {
        "big": str(2**64),
        "flag": True,
        "small": 7,
    }


def test_struct_arguments_of_an_action_are_shown_by_field_name() -> None:
    treasury = build_contract_events("UnionTreasury", ADDRESS, load_abi("UnionTreasury"))
    selector = keccak(text="setDividendPolicy((uint16,uint16,uint16,uint16,address))")[:4]
    policy = (1_000, 500, 2_000, 0, ADDRESS)
    call = decode_call(treasury, "0x" + (selector + encode(["(uint16,uint16,uint16,uint16,address)"], [policy])).hex())
    assert call.function == "setDividendPolicy"
    assert call.args == {
        "policy": {
            "reserveBps": 1_000,
            "operationsBps": 500,
            "floorBps": 2_000,
            "capBps": 0,
            "operationsAccount": to_checksum_address(ADDRESS),
        }
    }
