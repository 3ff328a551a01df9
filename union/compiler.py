"""Compile the union's Solidity sources with the project's one compiler, and cache the artifacts.

There is no native ``solc`` on our machines (DESIGN.md §7): ``tools/solc`` wraps solc-js and speaks the native
command line, so forge, slither and this module all use the same compiler. Artifacts are cached under
``build/artifacts/`` keyed by the hash of every source file, the compiler version, the OpenZeppelin version and the
compiler settings; a build with nothing changed reads one JSON file and never starts the compiler.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from union.errors import CompilerError
from union.paths import project_root

__all__ = [
    "COMPILER_SETTINGS",
    "CompiledContract",
    "CompilerOutput",
    "compile_contracts",
    "solc_version",
]

logger = logging.getLogger(__name__)

SOURCES_DIR: Final = Path("contracts/src")
# OpenZeppelin contracts we deploy unmodified (DESIGN.md §1: the timelock is OZ's own).
EXTRA_SOURCES: Final = ("node_modules/@openzeppelin/contracts/governance/TimelockController.sol",)
REMAPPINGS: Final = ("@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",)

# Kept equal to foundry.toml so forge's tests and the Python deployment run the same bytecode.
COMPILER_SETTINGS: Final[dict[str, Any]] = {
    "optimizer": {"enabled": True, "runs": 10_000},
    "evmVersion": "cancun",
    "remappings": list(REMAPPINGS),
    "outputSelection": {
        "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"]}
    },
}


class CompiledContract(BaseModel):
    """One contract's ABI and bytecode, as solc produced them."""

    model_config = ConfigDict(frozen=True)

    name: str
    source: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str

    @property
    def artifact_hash(self) -> str:
        """SHA-256 of the creation bytecode: what a manifest records to pin what was deployed."""
        return "0x" + hashlib.sha256(bytes.fromhex(self.bytecode)).hexdigest()


class CompilerOutput(BaseModel):
    """Every contract of one build, by contract name, with what the build was keyed on."""

    model_config = ConfigDict(frozen=True)

    cache_key: str
    solc_version: str
    contracts: dict[str, CompiledContract]

    def get(self, name: str) -> CompiledContract:
        try:
            return self.contracts[name]
        except KeyError:
            known = ", ".join(sorted(self.contracts))
            raise CompilerError(f"no compiled contract named {name!r}; the build has: {known}") from None


def _solc_command(root: Path) -> Path:
    wrapper = root / "tools" / "solc"
    if not wrapper.exists():
        raise CompilerError(f"the solc wrapper is missing at {wrapper}")
    return wrapper


@cache
def solc_version(root: Path | None = None) -> str:
    """The solc-js version, read from its package (no process start: this is on the cached-build path)."""
    base = root or project_root()
    package = base / "node_modules" / "solc" / "package.json"
    try:
        return str(json.loads(package.read_text())["version"])
    except FileNotFoundError:
        raise CompilerError(f"solc-js is not installed ({package} missing); run `npm ci`") from None


def _package_version(root: Path, package: str) -> str:
    manifest = root / "node_modules" / package / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except FileNotFoundError:
        raise CompilerError(f"{package} is not installed; run `npm ci`") from None


def _source_files(root: Path) -> list[Path]:
    sources = sorted((root / SOURCES_DIR).rglob("*.sol"))
    if not sources:
        raise CompilerError(f"no Solidity sources under {root / SOURCES_DIR}")
    return sources


def _cache_key(root: Path, sources: list[Path]) -> str:
    digest = hashlib.sha256()
    digest.update(solc_version(root).encode())
    digest.update(_package_version(root, "@openzeppelin/contracts").encode())
    digest.update(json.dumps(COMPILER_SETTINGS, sort_keys=True).encode())
    for path in sources:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for extra in EXTRA_SOURCES:
        digest.update(extra.encode())
    return digest.hexdigest()


def _standard_json_input(root: Path, sources: list[Path]) -> dict[str, Any]:
    files = {str(path.relative_to(root)): {"content": path.read_text()} for path in sources}
    for extra in EXTRA_SOURCES:
        files[extra] = {"content": (root / extra).read_text()}
    return {"language": "Solidity", "sources": files, "settings": COMPILER_SETTINGS}


def _run_solc(root: Path, standard_input: dict[str, Any]) -> dict[str, Any]:
    command = [str(_solc_command(root)), "--standard-json", "--base-path", ".", "--include-path", "node_modules"]
    try:
        completed = subprocess.run(
            command, input=json.dumps(standard_input), capture_output=True, text=True, cwd=root, check=False
        )
    except OSError as exc:
        raise CompilerError(f"could not run the solc wrapper ({exc}); is Node.js installed?") from exc
    if completed.returncode != 0:
        raise CompilerError(f"solc failed: {completed.stderr.strip() or completed.stdout.strip()}")
    output: dict[str, Any] = json.loads(completed.stdout)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompilerError("compilation failed:\n" + "\n".join(e["formattedMessage"] for e in errors))
    return output


def _collect(output: dict[str, Any], cache_key: str, version: str) -> CompilerOutput:
    contracts: dict[str, CompiledContract] = {}
    for source, by_name in output.get("contracts", {}).items():
        for name, artifact in by_name.items():
            bytecode = artifact["evm"]["bytecode"]["object"]
            # Interfaces and abstract contracts have no bytecode but their ABIs still matter (decoders, errors);
            # a deployable contract always wins over an interface of the same name.
            if name in contracts and contracts[name].bytecode and not bytecode:
                continue
            contracts[name] = CompiledContract(
                name=name,
                source=source,
                abi=artifact["abi"],
                bytecode=bytecode,
                deployed_bytecode=artifact["evm"]["deployedBytecode"]["object"],
            )
    return CompilerOutput(cache_key=cache_key, solc_version=version, contracts=contracts)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)


def compile_contracts(root: Path | None = None, *, force: bool = False) -> CompilerOutput:
    """Compile ``contracts/src`` (plus OZ's TimelockController), or return the cached build for the same inputs."""
    base = root or project_root()
    sources = _source_files(base)
    key = _cache_key(base, sources)
    cached = base / "build" / "artifacts" / f"{key}.json"
    if cached.exists() and not force:
        return CompilerOutput.model_validate_json(cached.read_bytes())
    logger.info("compiling contracts", extra={"sources": len(sources), "solc": solc_version(base)})
    result = _collect(_run_solc(base, _standard_json_input(base, sources)), key, solc_version(base))
    _write_atomically(cached, result.model_dump_json())
    return result
