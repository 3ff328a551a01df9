"""The one exception hierarchy of the project.

Every error the union's code raises on purpose derives from :class:`UnionError`. Where callers expect a builtin
(``ValueError``, ``TimeoutError`` …) the error is also a subclass of that builtin, as ``web3.exceptions`` does,
so ``except ValueError`` keeps working around our code.
"""

from __future__ import annotations

__all__ = [
    "ChainIdMismatchError",
    "CompilerError",
    "ConfigurationError",
    "ContractRevertError",
    "DeploymentError",
    "EpochWindowError",
    "InputFileError",
    "InsufficientFundsError",
    "InvalidSignatureError",
    "KeystoreError",
    "LogRangeRefusedError",
    "ManifestError",
    "PendingTransactionsError",
    "PermissionDeniedError",
    "PlanNotReadyError",
    "RateLimitExceededError",
    "RecordNotFoundError",
    "RelayLockError",
    "RelayRefusedError",
    "RelayerUnderfundedError",
    "ReorgTooDeepError",
    "RpcUnavailableError",
    "SchedulerLockError",
    "ServiceFailedError",
    "StoreStateError",
    "UnionError",
    "UnionValueError",
    "WrongPasswordError",
]


class UnionError(Exception):
    """Root of every error raised on purpose by the union's code."""


class UnionValueError(UnionError, ValueError):
    """Raised when an argument or an input document is malformed (an address, an amount, a plan …)."""


class ConfigurationError(UnionError, ValueError):
    """Raised when settings are missing, contradictory or unsafe (e.g. a raw private key outside a local chain)."""


class CompilerError(UnionError):
    """Raised when the Solidity sources do not compile, or the solc wrapper cannot be run."""


class ManifestError(UnionError, ValueError):
    """Raised when a deployment manifest is missing, unreadable or inconsistent with the chain."""


class ChainIdMismatchError(ManifestError):
    """Raised when the RPC node serves another chain than the one the manifest (or the caller) expects."""


class RpcUnavailableError(UnionError, ConnectionError):
    """Raised when the RPC node cannot be reached or keeps failing after retries."""


class KeystoreError(UnionError, ValueError):
    """Raised when a keystore file is missing, malformed, or cannot be used for signing."""


class WrongPasswordError(KeystoreError):
    """Raised when a keystore's password is wrong (the MAC check failed)."""


class DeploymentError(UnionError):
    """Raised when a deployment fails, or the wiring read back from the chain differs from what was intended."""


class InsufficientFundsError(UnionError):
    """Raised when the sending account cannot pay for a transaction (value plus gas)."""


class ContractRevertError(UnionError):
    """Raised when a contract call or transaction reverts; carries the decoded custom error when known.

    ``name`` is the Solidity error's name (``DistributorStalePlan``) and ``args`` its decoded arguments, so callers
    and users see *why* the chain refused, not a hex blob.
    """

    def __init__(self, name: str, args: dict[str, object] | None = None, raw: str | None = None) -> None:
        self.name = name
        self.args_by_name: dict[str, object] = dict(args or {})
        self.raw = raw
        details = ", ".join(f"{key}={value}" for key, value in self.args_by_name.items())
        super().__init__(f"{name}({details})" if details or args is not None else name)


class ReorgTooDeepError(UnionError):
    """Raised when the chain replaced blocks deeper than the indexer's ``reorg_window``.

    The indexer keeps hashes of only the last ``reorg_window`` blocks, so it cannot find the common ancestor; it
    stops with no row changed rather than guess. ``cursor`` is the last indexed block, ``window`` the setting.
    """

    def __init__(self, cursor: int, window: int) -> None:
        self.cursor = cursor
        self.window = window
        super().__init__(
            f"the chain no longer contains any of the last {window + 1} indexed blocks (cursor {cursor}): "
            f"a reorg deeper than reorg_window={window}; re-index from scratch or raise reorg_window"
        )


class LogRangeRefusedError(UnionError):
    """Raised when the RPC node refuses an ``eth_getLogs`` block range (too many blocks or too many results).

    The indexer splits the range and asks again; it only surfaces when even a single block is refused.
    """


class StoreStateError(UnionError):
    """Raised when the indexer's database belongs to another chain or deployment than the one being followed."""


class InvalidSignatureError(UnionValueError):
    """Raised when a signed ballot or consent change is malformed or was not signed by the account it names.

    The check mirrors OpenZeppelin's ``SignatureChecker``: an EOA's signature is recovered locally, a contract
    wallet is asked by EIP-1271 ``isValidSignature``; a signature for another chain, contract or nonce fails it.
    """


class RelayRefusedError(UnionError):
    """Raised when the relay will not submit a request that the chain would refuse or that is not allowed.

    ``reason`` is a stable short code (``ProposalNotActive``, ``AlreadyVoted``, ``NoVotingWeight``, ``StaleNonce``,
    ``NotMember``, ``NothingToClaim`` …) that clients may branch on; the message explains it to a person.
    Nothing was sent and no gas was spent.
    """

    def __init__(self, reason: str, message: str, details: dict[str, object] | None = None) -> None:
        self.reason = reason
        self.details: dict[str, object] = dict(details or {})
        super().__init__(message)


class RateLimitExceededError(UnionError):
    """Raised when a client or an account has used up its share of the relay; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class RelayerUnderfundedError(UnionError):
    """Raised when the relayer's balance is below its configured floor: the relay refuses until it is topped up."""


class RelayLockError(UnionError):
    """Raised when another process already runs the relay on the same store (one relayer key, one nonce sequence)."""


class RecordNotFoundError(UnionError, LookupError):
    """Raised when a reader asks the store for a record it does not hold (a member, a proposal, a plan, an epoch).

    The transparency API answers it with 404 and the message, which names what was looked for.
    """


class InputFileError(UnionValueError):
    """Raised when a steward's input file (admissions, contributions) has rows that cannot be sent as they are.

    Every problem is found before anything is sent, and reported with its line number: ``problems`` holds
    ``(line, message)`` pairs in file order, ``source`` names the file.
    """

    _SHOWN = 20

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        shown = [f"  line {line}: {message}" for line, message in self.problems[: self._SHOWN]]
        if count > self._SHOWN:
            shown.append(f"  … and {count - self._SHOWN} more")
        noun = "problem" if count == 1 else "problems"
        super().__init__("\n".join([f"{source}: {count} {noun}, nothing was sent", *shown]))


class EpochWindowError(UnionError):
    """Raised when an epoch's entries cannot change now: it has not started yet, or it and its grace window are over.

    The ledger would refuse the transaction (``LedgerEpochNotStarted`` / ``LedgerEpochClosed``); the check is made
    first so the steward learns when the window opens or since when it is closed, and nothing is sent.
    """


class PermissionDeniedError(UnionError, PermissionError):
    """Raised when the signing account lacks what an operation needs: a role, membership, or being the guardian.

    Checked on chain before anything is sent, so a wrong keystore costs nothing and says which account it holds.
    """


class PendingTransactionsError(UnionError):
    """Raised when the signing account has sent transactions that are not mined yet.

    An operation that skips what is already on chain (``union record``) cannot see a pending transaction, and could
    send its entries a second time; it waits until the account's pending and mined nonces agree.
    """


class PlanNotReadyError(UnionError):
    """Raised when a dividend plan is asked for an epoch whose entries may still change.

    An epoch can be planned once a final block has a timestamp at or after ``end(e) + grace`` (DESIGN §2); before
    that, ``fundDividends`` would refuse the plan (``TreasuryPlanNotReady``) and the allocations could still move.
    """


class SchedulerLockError(UnionError):
    """Raised when a scheduler cannot hold the one-scheduler lock of its store (another one runs there).

    ``union serve`` waits idle for the lock instead; ``union config check`` and tests use the immediate form.
    """


class ServiceFailedError(UnionError):
    """Raised when a service of ``union serve`` or ``union demo`` (the API, the scheduler) stopped without being asked
    to: the process has stopped the others, and exits non-zero so that a supervisor restarts the whole union."""
