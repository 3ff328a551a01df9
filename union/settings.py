"""Settings shared by the entry points (pydantic-settings, environment prefix ``UNION_``).

Each entry point owns one settings class built by a cached ``get_settings()``; they derive from
:class:`ChainSettings`, which holds what every entry point that touches the chain needs. Validators refuse unsafe
values instead of running with them: a raw private key is accepted only for a local chain.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from union.errors import ConfigurationError
from union.signers import LOCAL_CHAIN_IDS

__all__ = ["DEFAULT_STATE_DIR", "ChainSettings", "get_chain_settings"]

DEFAULT_STATE_DIR = Path(".union")
"""Where local state lives by default: the SQLite store, the demo's manifest and keystores."""


class ChainSettings(BaseSettings):
    """The RPC node, the deployment manifest and how signing keys are found."""

    model_config = SettingsConfigDict(env_prefix="UNION_", env_file=".env", extra="ignore")

    rpc_url: str = Field(default="http://127.0.0.1:8545", description="JSON-RPC endpoint of the chain")
    chain_id: int | None = Field(default=None, description="expected chain id; checked against the node")
    manifest: Path = Field(default=DEFAULT_STATE_DIR / "manifest.json", description="deployment manifest path")
    keystore: Path | None = Field(default=None, description="encrypted JSON keystore of the signing account")
    password_file: Path | None = Field(default=None, description="file holding the keystore password")
    private_key: SecretStr | None = Field(default=None, description="raw key: accepted for a local chain only")
    rpc_timeout: float = Field(default=30.0, gt=0, description="seconds before an RPC request times out")

    @model_validator(mode="after")
    def _refuse_raw_key_off_local_chains(self) -> ChainSettings:
        if self.private_key is not None and self.chain_id is not None and self.chain_id not in LOCAL_CHAIN_IDS:
            raise ConfigurationError(
                f"UNION_PRIVATE_KEY is set for chain {self.chain_id}: a raw key is allowed on a local chain only; "
                "use UNION_KEYSTORE and UNION_PASSWORD_FILE"
            )
        if self.private_key is not None and self.keystore is not None:
            raise ConfigurationError("set either UNION_PRIVATE_KEY or UNION_KEYSTORE, not both")
        return self


@cache
def get_chain_settings() -> ChainSettings:
    """The process's chain settings, read once from the environment and ``.env``."""
    return ChainSettings()
