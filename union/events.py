"""Pure decoders: raw JSON-RPC logs and calldata in, plain Python values out.

Every event of every followed contract gets an :class:`EventSpec` built once from the ABI (its topic0 precomputed),
and a log is decoded by slicing 32-byte words when all its data fields are static — the common, hot case (a
``ContributionRecorded`` log decodes without calling ``eth_abi`` at all) — and by ``eth_abi`` otherwise. Decoded
values are JSON-friendly: addresses checksummed, ``bytes``/``bytesN`` as ``0x`` hex, integers as ``int``.
Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _encode_string
from typing import Any, Final

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from union.errors import UnionValueError

__all__ = [
    "ContractEvents",
    "DecodedCall",
    "DecodedEvent",
    "EventSpec",
    "FunctionSpec",
    "RawLog",
    "args_to_json",
    "build_contract_events",
    "decode_call",
    "decode_log",
    "function_specs",
]

RawLog = Mapping[str, Any]
"""A log exactly as ``eth_getLogs`` returns it (hex strings for numbers, hashes and data)."""

_JSON_SAFE_INT: Final = 2**53 - 1
_checksums: dict[str, str] = {}


def _checksum(lower_hex: str) -> str:
    """Checksum an address, memoised: the same few thousand members appear in millions of logs."""
    cached = _checksums.get(lower_hex)
    if cached is None:
        cached = to_checksum_address(lower_hex)
        if len(_checksums) < 1_000_000:
            _checksums[lower_hex] = cached
    return cached


def _canonical_type(param: Mapping[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(component) for component in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def _is_static_word(kind: str) -> bool:
    """True for the types that occupy exactly one 32-byte word and can be sliced without ``eth_abi``."""
    if kind in ("address", "bool"):
        return True
    if kind.startswith(("uint", "int")) and "[" not in kind:
        return True
    return kind.startswith("bytes") and kind != "bytes" and "[" not in kind


def _word_decoder(kind: str) -> Callable[[str], Any]:
    """A decoder of one 64-hex-digit word of a static type (chosen once per parameter, not per log)."""
    if kind == "address":
        return lambda word: _checksum("0x" + word[24:])
    if kind == "bool":
        return lambda word: int(word, 16) != 0
    if kind.startswith("uint"):
        return lambda word: int(word, 16)
    if kind.startswith("int"):

        def signed(word: str) -> int:
            value = int(word, 16)
            return value - (1 << 256) if value >= 1 << 255 else value

        return signed
    size = 2 * int(kind[len("bytes") :])
    return lambda word: "0x" + word[:size]


def _plain(kind: str, value: Any) -> Any:
    """Turn what ``eth_abi`` returns into the same plain values the word slicer produces."""
    if kind.endswith("]"):
        inner = kind[: kind.rindex("[")]
        return [_plain(inner, item) for item in value]
    if kind.startswith("("):
        inner_types = _split_tuple(kind[1 : kind.rindex(")")])
        return [_plain(inner, item) for inner, item in zip(inner_types, value, strict=True)]
    if kind == "address":
        return _checksum(value.lower())
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def _split_tuple(inner: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    for char in inner:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    if current:
        parts.append(current)
    return parts


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One event of one contract, prepared for decoding: names and types split by where they live in a log."""

    contract: str
    name: str
    signature: str
    topic0: str
    indexed: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, str], ...]
    data_is_static: bool
    _indexed_decoders: tuple[tuple[str, Callable[[str], Any] | None], ...] = field(repr=False, compare=False)
    _data_decoders: tuple[tuple[str, Callable[[str], Any]], ...] = field(repr=False, compare=False)

    @classmethod
    def from_abi(cls, contract: str, item: Mapping[str, Any]) -> EventSpec:
        inputs = item["inputs"]
        types = [_canonical_type(param) for param in inputs]
        signature = f"{item['name']}({','.join(types)})"
        indexed = tuple(
            (param["name"] or f"arg{i}", kind)
            for i, (param, kind) in enumerate(zip(inputs, types, strict=True))
            if param.get("indexed")
        )
        data = tuple(
            (param["name"] or f"arg{i}", kind)
            for i, (param, kind) in enumerate(zip(inputs, types, strict=True))
            if not param.get("indexed")
        )
        return cls(
            contract=contract,
            name=str(item["name"]),
            signature=signature,
            topic0="0x" + keccak(text=signature).hex(),
            indexed=indexed,
            data=data,
            data_is_static=all(_is_static_word(kind) for _, kind in data),
            _indexed_decoders=tuple(
                (name, _word_decoder(kind) if _is_static_word(kind) else None) for name, kind in indexed
            ),
            _data_decoders=tuple((name, _word_decoder(kind)) for name, kind in data if _is_static_word(kind)),
        )

    def decode_args(self, topics: Sequence[str], data: str) -> dict[str, Any]:
        """Decode a log's topics (after topic0) and data into named values.

        An indexed dynamic value (``string``, ``bytes``, arrays) is only present as its keccak hash, which is kept.
        """
        if len(topics) != len(self.indexed) + 1:
            raise UnionValueError(
                f"{self.contract}.{self.name} expects {len(self.indexed)} indexed topics, got {len(topics) - 1}"
            )
        args: dict[str, Any] = {}
        for (name, decoder), topic in zip(self._indexed_decoders, topics[1:], strict=True):
            args[name] = decoder(topic[2:]) if decoder is not None else topic
        if self.data_is_static:
            if len(data) < 2 + 64 * len(self._data_decoders):
                raise UnionValueError(f"{self.contract}.{self.name}: data is {len(data) // 2 - 1} bytes, too short")
            offset = 2
            for name, decoder in self._data_decoders:
                args[name] = decoder(data[offset : offset + 64])
                offset += 64
        else:
            values = abi_decode([kind for _, kind in self.data], bytes.fromhex(data[2:]))
            for (name, kind), value in zip(self.data, values, strict=True):
                args[name] = _plain(kind, value)
        return args


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One function of one contract, for decoding governance proposals' calldata."""

    contract: str
    name: str
    signature: str
    selector: str
    inputs: tuple[tuple[str, str], ...]
    params: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class ContractEvents:
    """A followed contract: its name, address and events by topic0."""

    name: str
    address: str
    events: Mapping[str, EventSpec]
    functions: Mapping[str, FunctionSpec] = field(default_factory=dict)


def function_specs(contract: str, abi: Iterable[Mapping[str, Any]]) -> dict[str, FunctionSpec]:
    """Every function of an ABI by its 4-byte selector (``0x`` hex)."""
    specs: dict[str, FunctionSpec] = {}
    for item in abi:
        if item.get("type") != "function":
            continue
        types = [_canonical_type(param) for param in item["inputs"]]
        signature = f"{item['name']}({','.join(types)})"
        selector = "0x" + function_signature_to_4byte_selector(signature).hex()
        names = tuple(param["name"] or f"arg{i}" for i, param in enumerate(item["inputs"]))
        specs[selector] = FunctionSpec(
            contract,
            str(item["name"]),
            signature,
            selector,
            tuple(zip(names, types, strict=True)),
            tuple(item["inputs"]),
        )
    return specs


def build_contract_events(name: str, address: str, abi: Iterable[Mapping[str, Any]]) -> ContractEvents:
    """Prepare a contract's events and functions for decoding (done once, at start)."""
    items = list(abi)
    for item in items:
        if item.get("type") == "event" and item.get("anonymous"):
            raise UnionValueError(f"{name}.{item['name']} is anonymous; the indexer cannot route it by topic0")
    events = {
        spec.topic0: spec for spec in (EventSpec.from_abi(name, item) for item in items if item.get("type") == "event")
    }
    return ContractEvents(
        name=name, address=_checksum(address.lower()), events=events, functions=function_specs(name, items)
    )


@dataclass(slots=True)
class DecodedEvent:
    """One log of a followed contract, decoded, with where and when it happened.

    ``event`` is empty (and ``args`` holds the raw topics and data) for a log whose topic0 the ABI does not know,
    so nothing the chain said is dropped.
    """

    block_number: int
    log_index: int
    block_hash: str
    block_timestamp: int
    tx_hash: str
    tx_index: int
    address: str
    contract: str
    event: str
    args: dict[str, Any]
    tx_from: str | None = None


def decode_log(contracts_by_address: Mapping[str, ContractEvents], log: RawLog, block_timestamp: int) -> DecodedEvent:
    """Decode one raw log of a followed contract (``contracts_by_address`` is keyed by lowercase address)."""
    address = str(log["address"]).lower()
    contract = contracts_by_address.get(address)
    if contract is None:
        raise UnionValueError(f"log from {address}, which is not a followed contract")
    topics: list[str] = log["topics"]
    if topics and not topics[0].islower():  # nodes answer lowercase hex; normalise anything else once
        topics = [str(topic).lower() for topic in topics]
    spec = contract.events.get(topics[0]) if topics else None
    if spec is not None:
        event = spec.name
        args = spec.decode_args(topics, str(log["data"]))
    else:
        event = ""
        args = {"topics": topics, "data": str(log["data"])}
    return DecodedEvent(
        block_number=int(log["blockNumber"], 16),
        log_index=int(log["logIndex"], 16),
        block_hash=str(log["blockHash"]).lower(),
        block_timestamp=block_timestamp,
        tx_hash=str(log["transactionHash"]).lower(),
        tx_index=int(log["transactionIndex"], 16),
        address=contract.address,
        contract=contract.name,
        event=event,
        args=args,
    )


@dataclass(frozen=True, slots=True)
class DecodedCall:
    """Calldata decoded against the ABI of the contract it targets (``function`` empty when unknown)."""

    contract: str
    function: str
    signature: str
    args: dict[str, Any]


def decode_call(contract: ContractEvents | None, calldata: str) -> DecodedCall:
    """Decode a governance action's calldata; an unknown target or selector decodes to an empty function name."""
    if contract is None or len(calldata) < 10:
        return DecodedCall(contract.name if contract else "", "", "", {})
    spec = contract.functions.get(calldata[:10].lower())
    if spec is None:
        return DecodedCall(contract.name, "", "", {})
    try:
        values = abi_decode([kind for _, kind in spec.inputs], bytes.fromhex(calldata[10:]))
    except Exception:  # calldata that does not match its own selector: show it undecoded rather than guess
        return DecodedCall(contract.name, spec.name, spec.signature, {})
    args = {
        name: _named(param, _plain(kind, value))
        for (name, kind), param, value in zip(spec.inputs, spec.params, values, strict=True)
    }
    return DecodedCall(contract.name, spec.name, spec.signature, args)


def _named(param: Mapping[str, Any], value: Any) -> Any:
    """A decoded struct as an object keyed by its field names (``policy.reserveBps``), arrays of structs alike."""
    kind = str(param["type"])
    if not kind.startswith("tuple"):
        return value
    if kind != "tuple":  # an array of structs
        element = {**param, "type": kind[: kind.rindex("[")]}
        return [_named(element, item) for item in value]
    components = param["components"]
    return {
        component["name"] or f"arg{index}": _named(component, item)
        for index, (component, item) in enumerate(zip(components, value, strict=True))
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -_JSON_SAFE_INT <= value <= _JSON_SAFE_INT else str(value)
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    return value


def args_to_json(args: Mapping[str, Any]) -> str:
    """Canonical JSON of decoded args; integers beyond 2**53 become decimal strings so JavaScript reads them exactly.

    Equivalent to ``json.dumps(..., sort_keys=True, separators=(",", ":"))`` of the JSON-safe values, written out
    directly for the flat values nearly every event has (it runs once per event in the hot path).
    """
    parts = []
    for key in sorted(args):
        value = args[key]
        kind = type(value)
        if kind is str:
            text = _encode_string(value)
        elif kind is int:
            text = str(value) if -_JSON_SAFE_INT <= value <= _JSON_SAFE_INT else f'"{value}"'
        elif kind is bool:
            text = "true" if value else "false"
        else:
            text = json.dumps(_json_safe(value), separators=(",", ":"), sort_keys=True)
        parts.append(f"{_encode_string(key)}:{text}")
    return "{" + ",".join(parts) + "}"
