"""Settings of the scheduler (environment prefix ``UNION_``), on top of the indexer's: how often each job runs, where
the API is published (plan URLs in proposal descriptions), and the proposing key (``UNION_KEYSTORE`` +
``UNION_PASSWORD_FILE``, or ``UNION_PRIVATE_KEY`` on a local chain only — refused elsewhere by ``ChainSettings``).
"""

from __future__ import annotations

from functools import cache

from eth_account.signers.local import LocalAccount
from pydantic import Field

from indexer.settings import IndexerSettings
from union.signers import load_keystore, read_password, signer_from_private_key

__all__ = ["SchedulerSettings", "get_scheduler_settings", "proposer_account"]


class SchedulerSettings(IndexerSettings):
    """The indexer's settings plus the scheduler's intervals, public URL and job store table."""

    public_url: str = Field(
        default="",
        description="public base URL of the API (e.g. https://union.example.org); written into proposals' plan links",
    )
    follow_interval: float = Field(default=5.0, gt=0, description="seconds between indexing runs")
    propose_interval: float = Field(default=30.0, gt=0, description="seconds between checks for closed epochs")
    verify_interval: float = Field(default=30.0, gt=0, description="seconds between verifications of open proposals")
    advance_interval: float = Field(default=30.0, gt=0, description="seconds between queue/execute checks")
    reconcile_interval: float = Field(default=60.0, gt=0, description="seconds between reconciliations of the books")
    lock_poll_interval: float = Field(default=2.0, gt=0, description="seconds an idle second scheduler waits per try")
    job_table: str = Field(default="scheduler_jobs", description="APScheduler's job table in the store's database")

    def intervals(self) -> dict[str, float]:
        """Job name → seconds between runs."""
        return {
            "follow": self.follow_interval,
            "propose_distributions": self.propose_interval,
            "advance_proposals": self.advance_interval,
            "verify_proposals": self.verify_interval,
            "reconcile": self.reconcile_interval,
        }


@cache
def get_scheduler_settings() -> SchedulerSettings:
    """The scheduler process's settings, read once from the environment and ``.env``."""
    return SchedulerSettings()


def proposer_account(settings: SchedulerSettings, chain_id: int) -> LocalAccount | None:
    """The proposing key: a keystore (password from its file), a raw key on a local chain, or none (no proposals)."""
    if settings.keystore is not None:
        return load_keystore(settings.keystore, read_password(settings.password_file))
    if settings.private_key is not None:
        return signer_from_private_key(settings.private_key.get_secret_value(), chain_id)
    return None
