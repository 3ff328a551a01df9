"""Contract bindings: the union's contracts as web3 objects, and their custom errors decoded into Python.

The ABIs come from the one compiler (``union.compiler``); a deployment manifest says where each contract lives.
Every custom error of every union contract (and of the OpenZeppelin code it inherits) is indexed by selector, so a
revert surfaces as ``ContractRevertError("DistributorStalePlan", {"token": …, "fromEpoch": 3, …})``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Literal

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from hexbytes import HexBytes

from union.compiler import compile_contracts
from union.errors import ContractRevertError

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract

    from union.manifest import DeploymentManifest

__all__ = [
    "UNION_CONTRACT_NAMES",
    "ContractName",
    "UnionContracts",
    "abi_type",
    "decode_revert",
    "load_abi",
]

ContractName = Literal[
    "UnionMembership",
    "ContributionLedger",
    "TimelockController",
    "UnionGovernor",
    "DividendDistributor",
    "UnionTreasury",
]

UNION_CONTRACT_NAMES: Final[tuple[ContractName, ...]] = (
    "UnionMembership",
    "ContributionLedger",
    "TimelockController",
    "UnionGovernor",
    "DividendDistributor",
    "UnionTreasury",
)

_BUILTIN_ERRORS: Final = {
    function_signature_to_4byte_selector("Error(string)"): ("Error", ["string"], ["message"]),
    function_signature_to_4byte_selector("Panic(uint256)"): ("Panic", ["uint256"], ["code"]),
}


def load_abi(name: str) -> list[dict[str, Any]]:
    """The ABI of a compiled contract (union contracts, OZ's TimelockController, the testing contracts)."""
    return compile_contracts().get(name).abi


def abi_type(param: dict[str, Any]) -> str:
    """The canonical ABI type of an ABI parameter, tuples expanded (``(address,uint256)[]``)."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(abi_type(component) for component in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


@cache
def _error_index() -> dict[bytes, tuple[str, list[str], list[str]]]:
    index = dict(_BUILTIN_ERRORS)
    for compiled in compile_contracts().contracts.values():
        for item in compiled.abi:
            if item.get("type") != "error":
                continue
            types = [abi_type(param) for param in item["inputs"]]
            selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
            index[selector] = (item["name"], types, [param["name"] for param in item["inputs"]])
    return index


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and len(value) == 42 and value.startswith("0x"):
        return to_checksum_address(value)
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def decode_revert(data: bytes | str | None) -> ContractRevertError:
    """Turn revert data into a named error; unknown selectors keep the raw data so nothing is hidden."""
    raw = HexBytes(data or b"")
    if len(raw) < 4:
        return ContractRevertError("EmptyRevert", raw="0x" + raw.hex())
    known = _error_index().get(bytes(raw[:4]))
    if known is None:
        return ContractRevertError("UnknownError", raw="0x" + raw.hex())
    name, types, names = known
    try:
        values = abi_decode(types, bytes(raw[4:]))
    except Exception:  # malformed payload for a known selector: report it raw rather than guess
        return ContractRevertError(name, raw="0x" + raw.hex())
    return ContractRevertError(
        name, {arg or f"arg{i}": _plain(v) for i, (arg, v) in enumerate(zip(names, values, strict=True))}
    )


@dataclass(frozen=True, slots=True)
class UnionContracts:
    """The deployed union, one web3 contract object per role."""

    membership: Contract
    ledger: Contract
    timelock: Contract
    governor: Contract
    distributor: Contract
    treasury: Contract

    @classmethod
    def from_manifest(cls, w3: Web3, manifest: DeploymentManifest) -> UnionContracts:
        def bind(name: ContractName) -> Contract:
            return w3.eth.contract(address=manifest.address_of(name), abi=load_abi(name))

        return cls(
            membership=bind("UnionMembership"),
            ledger=bind("ContributionLedger"),
            timelock=bind("TimelockController"),
            governor=bind("UnionGovernor"),
            distributor=bind("DividendDistributor"),
            treasury=bind("UnionTreasury"),
        )
