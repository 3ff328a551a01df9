"""The deployment manifest: where the union lives on which chain, and how it was built and wired.

A manifest is the one file a member, an auditor or ``union verify`` needs besides an RPC URL. It is written
atomically after every deployment step, so an interrupted deployment leaves a consistent manifest that a re-run
resumes from (``complete`` tells whether the wiring was read back and verified).
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Final

from eth_typing import ChecksumAddress
from eth_utils import is_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from union.errors import ManifestError

__all__ = [
    "MANIFEST_SCHEMA_VERSION",
    "Address",
    "DeployedContract",
    "DeploymentManifest",
    "DeploymentParameters",
]

MANIFEST_SCHEMA_VERSION: Final = 1


def _checksum(value: str) -> ChecksumAddress:
    if not is_address(value):
        raise ValueError(f"{value!r} is not an Ethereum address (20 bytes, hex, 0x-prefixed)")
    return to_checksum_address(value)


Address = Annotated[str, AfterValidator(_checksum)]
"""A pydantic field type: any valid address spelling in, the checksummed form out."""


class DeploymentParameters(BaseModel):
    """What the union was deployed with; the planner and the indexer read the epoch schedule from here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    union_name: str
    membership_symbol: str
    local_test_union: bool = Field(
        default=False, description="deployed for tests on a local chain, exempt from the quorum rules of a real union"
    )
    epoch_genesis: int = Field(description="Unix timestamp at which epoch 1 starts")
    epoch_length: int = Field(gt=0, description="seconds per epoch")
    grace_period: int = Field(ge=0, description="seconds after an epoch's end during which entries may change")
    voting_delay: int = Field(ge=1, description="seconds between proposing and the vote snapshot")
    voting_period: int = Field(gt=0, description="seconds a vote stays open")
    quorum_percent: int = Field(ge=0, le=100, description="of the members at the snapshot, rounded up")
    min_quorum: int = Field(ge=1, description="the fewest votes that pass a proposal (all members if fewer)")
    late_quorum_extension: int = Field(ge=0, description="seconds a vote is extended when quorum is reached late")
    timelock_delay: int = Field(ge=0, description="seconds between queueing and execution")
    guardian: Address
    admissions: list[Address]
    recorders: list[Address]
    purposes: list[str]
    reserve_bps: int = Field(ge=0, le=10_000)
    operations_bps: int = Field(ge=0, le=10_000)
    floor_bps: int = Field(ge=0, le=10_000)
    cap_bps: int = Field(ge=0, le=10_000)
    operations_account: Address


class DeployedContract(BaseModel):
    """One contract of the deployment: where it is and the transaction that created it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: Address
    transaction_hash: str
    block_number: int
    artifact_hash: str


class DeploymentManifest(BaseModel):
    """Chain id, addresses, deployment block, transactions, compiler and artifact hashes, parameters."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = MANIFEST_SCHEMA_VERSION
    chain_id: int
    deployer: Address
    compiler_version: str
    parameters: DeploymentParameters
    contracts: dict[str, DeployedContract] = Field(default_factory=dict)
    completed_steps: list[str] = Field(default_factory=list)
    step_transactions: dict[str, str] = Field(default_factory=dict)
    complete: bool = False
    updated_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def deployment_block(self) -> int:
        """The first block holding any union contract: where an indexer starts."""
        if not self.contracts:
            raise ManifestError("the manifest lists no deployed contracts yet")
        return min(contract.block_number for contract in self.contracts.values())

    def address_of(self, name: str) -> ChecksumAddress:
        try:
            return to_checksum_address(self.contracts[name].address)
        except KeyError:
            raise ManifestError(f"the manifest has no {name} (deployment incomplete?)") from None

    @classmethod
    def load(cls, path: Path) -> DeploymentManifest:
        try:
            return cls.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            raise ManifestError(f"no deployment manifest at {path}; deploy first (`union deploy`)") from None
        except ValidationError as exc:
            raise ManifestError(f"{path} is not a valid deployment manifest: {exc}") from exc

    def save(self, path: Path) -> None:
        """Write atomically (temporary file + rename), so a crash never leaves half a manifest."""
        self.updated_at = datetime.now(UTC).isoformat(timespec="seconds")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            handle.write(self.model_dump_json(indent=2))
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
