"""The compiler's artifact cache: the same inputs never start the compiler again; any changed input does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from union import compiler
from union.compiler import compile_contracts
from union.contracts import decode_revert, load_abi
from union.errors import CompilerError
from union.paths import project_root


def test_second_build_with_nothing_changed_does_not_run_the_compiler(monkeypatch: pytest.MonkeyPatch) -> None:
    first = compile_contracts()

    def refuse(*_: object) -> None:
        raise AssertionError("the compiler ran although nothing changed")

    monkeypatch.setattr(compiler, "_run_solc", refuse)
    second = compile_contracts()
    assert second == first
    assert {"UnionMembership", "UnionTreasury", "TimelockController"} <= set(second.contracts)


def test_a_changed_source_changes_the_cache_key(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "contracts" / "src").mkdir(parents=True)
    for linked in ("node_modules", "tools"):
        (root / linked).symlink_to(project_root() / linked)
    source = root / "contracts" / "src" / "A.sol"
    source.write_text("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\ncontract A { uint256 public x; }\n")
    first = compile_contracts(root)
    source.write_text(source.read_text().replace("uint256 public x;", "uint256 public y;"))
    second = compile_contracts(root)
    assert first.cache_key != second.cache_key
    assert [item["name"] for item in second.get("A").abi] == ["y"]


def test_a_syntax_error_is_reported_with_the_compiler_message(tmp_path: Path) -> None:
    root = tmp_path / "broken"
    (root / "contracts" / "src").mkdir(parents=True)
    for linked in ("node_modules", "tools"):
        (root / linked).symlink_to(project_root() / linked)
    (root / "contracts" / "src" / "B.sol").write_text("pragma solidity ^0.8.24; contract B { function }")
    with pytest.raises(CompilerError, match="ParserError"):
        compile_contracts(root)
    assert not any((root / "build").rglob("*.json")) if (root / "build").exists() else True
    shutil.rmtree(root)


def test_custom_errors_are_decoded_by_name_with_their_arguments() -> None:
    abi = load_abi("UnionMembership")
    assert any(item.get("name") == "MembershipNotMember" for item in abi)
    member = "0x00000000000000000000000000000000000000aa"
    from eth_abi import encode  # noqa: PLC0415
    from eth_utils import function_signature_to_4byte_selector  # noqa: PLC0415

    data = function_signature_to_4byte_selector("MembershipNotMember(address)") + encode(["address"], [member])
    error = decode_revert(data)
    assert error.name == "MembershipNotMember"
    assert error.args_by_name == {"account": "0x00000000000000000000000000000000000000AA"}
    assert decode_revert(b"\xde\xad\xbe\xef").name == "UnknownError"
