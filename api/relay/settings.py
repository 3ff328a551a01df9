"""Settings and wiring of the relay process (environment prefix ``UNION_``; relay options ``UNION_RELAY_*``).

The relayer key comes from an encrypted keystore (``UNION_RELAY_KEYSTORE`` + ``UNION_RELAY_PASSWORD_FILE``); a raw
key (``UNION_RELAY_PRIVATE_KEY``) is accepted on a local chain only. :func:`open_relay` is the entry point's one call:
it connects, takes the one-relay lock on the database, and returns the service to put in ``app.state.relay``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from eth_account.signers.local import LocalAccount
from pydantic import Field, SecretStr, model_validator
from sqlalchemy import create_engine

from api.relay.limits import RateLimit
from api.relay.plans import PlanSource, StorePlanSource
from api.relay.service import RelayConfig, RelayService
from api.relay.store import RelayLock, SubmissionLog
from union.chain import TransactionSender, connect
from union.contracts import UnionContracts
from union.errors import ConfigurationError
from union.manifest import DeploymentManifest
from union.settings import DEFAULT_STATE_DIR, ChainSettings
from union.signers import LOCAL_CHAIN_IDS, load_keystore, read_password, signer_from_private_key

__all__ = ["RelaySettings", "get_relay_settings", "open_relay", "relayer_account"]


class RelaySettings(ChainSettings):
    """The relayer's key, its database, its balance floor and its abuse limits."""

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_STATE_DIR / 'union.db'}",
        description="the store (idempotency log, stored plans, and the one-relay lock)",
    )
    relay_keystore: Path | None = Field(default=None, description="encrypted JSON keystore of the relayer")
    relay_password_file: Path | None = Field(default=None, description="file with the relayer keystore's password")
    relay_private_key: SecretStr | None = Field(default=None, description="raw relayer key: local chains only")
    relay_balance_floor_wei: int = Field(default=10**16, ge=0, description="below this balance the relay refuses")
    relay_client_per_minute: float = Field(default=60, gt=0, description="requests per minute per client address")
    relay_client_burst: float = Field(default=20, ge=1, description="burst per client address")
    relay_account_per_minute: float = Field(default=6, gt=0, description="submissions per minute per voter/account")
    relay_account_burst: float = Field(default=6, ge=1, description="burst per voter/account")
    relay_consent_validity: int = Field(default=3_600, gt=0, description="seconds a consent signature stays valid")

    @model_validator(mode="after")
    def _one_relayer_key(self) -> RelaySettings:
        if self.relay_keystore is not None and self.relay_private_key is not None:
            raise ConfigurationError("set either UNION_RELAY_KEYSTORE or UNION_RELAY_PRIVATE_KEY, not both")
        if self.relay_private_key is not None and self.chain_id is not None and self.chain_id not in LOCAL_CHAIN_IDS:
            raise ConfigurationError(
                f"UNION_RELAY_PRIVATE_KEY is set for chain {self.chain_id}: a raw key is allowed on a local chain only"
            )
        return self

    def relay_config(self) -> RelayConfig:
        return RelayConfig(
            balance_floor=self.relay_balance_floor_wei,
            client_limit=RateLimit.per_minute(self.relay_client_per_minute, burst=self.relay_client_burst),
            subject_limit=RateLimit.per_minute(self.relay_account_per_minute, burst=self.relay_account_burst),
            consent_validity=self.relay_consent_validity,
        )


@cache
def get_relay_settings() -> RelaySettings:
    """The relay process's settings, read once from the environment and ``.env``."""
    return RelaySettings()


def relayer_account(settings: RelaySettings, chain_id: int) -> LocalAccount:
    """The relayer's signer: its keystore (password from the file or a prompt), or a raw key on a local chain."""
    if settings.relay_keystore is not None:
        return load_keystore(settings.relay_keystore, read_password(settings.relay_password_file))
    if settings.relay_private_key is not None:
        return signer_from_private_key(settings.relay_private_key.get_secret_value(), chain_id)
    raise ConfigurationError("the relay needs a relayer key: UNION_RELAY_KEYSTORE and UNION_RELAY_PASSWORD_FILE")


@contextmanager
def open_relay(settings: RelaySettings, *, plans: PlanSource | None = None) -> Iterator[RelayService]:
    """Connect, hold the one-relay lock for the block's duration, and yield the relay service."""
    w3 = connect(settings.rpc_url, expected_chain_id=settings.chain_id, timeout=settings.rpc_timeout)
    manifest = DeploymentManifest.load(settings.manifest)
    if manifest.chain_id != w3.eth.chain_id:
        raise ConfigurationError(f"the manifest is for chain {manifest.chain_id}, the node serves {w3.eth.chain_id}")
    contracts = UnionContracts.from_manifest(w3, manifest)
    account = relayer_account(settings, w3.eth.chain_id)
    engine = create_engine(settings.database_url)
    try:
        with RelayLock(engine):
            yield RelayService(
                w3,
                contracts,
                TransactionSender(w3, account),
                submissions=SubmissionLog(engine),
                plans=plans or StorePlanSource(engine, contracts.distributor),
                config=settings.relay_config(),
            )
    finally:
        engine.dispose()
