"""The chain client: connecting to an RPC node, sending transactions with clear failures, and a local anvil.

Entry points create these objects and pass them in (STYLE.md: effects at the edge). Every failure a user can meet
has a named error: an unreachable node (:class:`RpcUnavailableError`), the wrong chain
(:class:`ChainIdMismatchError`), an account that cannot pay (:class:`InsufficientFundsError`), a revert
(:class:`ContractRevertError`, decoded to the contract's custom error before any gas is spent).
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import requests
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress, HexStr
from hexbytes import HexBytes
from web3 import HTTPProvider, Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted, Web3RPCError
from web3.types import BlockIdentifier, Nonce, TxParams, TxReceipt, Wei

from union.children import dies_with_this_process
from union.contracts import decode_revert
from union.errors import (
    ChainIdMismatchError,
    ConfigurationError,
    ContractRevertError,
    InsufficientFundsError,
    RpcUnavailableError,
    UnionError,
)
from union.paths import project_root

__all__ = [
    "CHECKPOINT_HEADROOM",
    "DEFAULT_ANVIL_MNEMONIC",
    "AnvilProcess",
    "TransactionSender",
    "connect",
    "simulate_call",
    "simulate_gas",
    "tx_hash_hex",
]

logger = logging.getLogger(__name__)

DEFAULT_ANVIL_MNEMONIC: Final = "test test test test test test test test test test test junk"
_GAS_MARGIN_NUMERATOR: Final = 6
_GAS_MARGIN_DENOMINATOR: Final = 5
CHECKPOINT_HEADROOM: Final = 25_000
"""Gas added to every estimate: the union's contracts write timestamp-keyed checkpoints (admissions, consent, votes,
delegations), and a call estimated in one block may be mined in a later second, where the checkpoint needs a fresh
storage slot (22,100 gas) instead of an update. Unused gas is never charged, so the headroom costs nothing."""


def connect(rpc_url: str, *, expected_chain_id: int | None = None, timeout: float = 30.0) -> Web3:
    """A connected ``Web3``; fails fast and clearly when the node is unreachable or serves another chain."""
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    try:
        chain_id = w3.eth.chain_id
    except (requests.exceptions.RequestException, OSError, Web3RPCError) as exc:
        raise RpcUnavailableError(f"cannot reach the RPC node at {rpc_url}: {exc}") from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ChainIdMismatchError(
            f"the RPC node at {rpc_url} serves chain {chain_id}, but chain {expected_chain_id} was expected"
        )
    return w3


def simulate_gas(call: ContractFunction | ContractConstructor, sender: str, *, value: int = 0) -> int:
    """Simulate ``call`` from ``sender`` (``eth_estimateGas``) and return a safe gas limit for it.

    A refusal surfaces here, decoded, before anything is signed: :class:`ContractRevertError` with the contract's
    custom error, or :class:`InsufficientFundsError`.
    """
    params: TxParams = {"from": Web3.to_checksum_address(sender), "value": Wei(value)}
    try:
        estimated = int(call.estimate_gas(params))
    except (ContractCustomError, ContractLogicError) as exc:
        raise _revert_from(exc) from exc
    except Web3RPCError as exc:
        if "insufficient funds" in str(exc).lower():
            raise InsufficientFundsError(f"{sender} cannot pay for this transaction: {exc}") from exc
        raise _revert_from(exc) from exc
    return estimated * _GAS_MARGIN_NUMERATOR // _GAS_MARGIN_DENOMINATOR + CHECKPOINT_HEADROOM


def simulate_call(
    w3: Web3, sender: str, to: str, data: bytes, *, value: int = 0, block: BlockIdentifier = "latest"
) -> None:
    """Run the call ``sender`` → ``to`` with ``data`` without sending it (``eth_call``); :class:`ContractRevertError`,
    decoded, if the chain would refuse it. Any address may be the sender — e.g. the timelock, to see whether an
    action it would execute for a proposal still goes through."""
    params: TxParams = {
        "from": Web3.to_checksum_address(sender),
        "to": Web3.to_checksum_address(to),
        "data": HexBytes(data),
        "value": Wei(value),
    }
    try:
        w3.eth.call(params, block_identifier=block)
    except (ContractCustomError, ContractLogicError, Web3RPCError) as exc:
        raise _revert_from(exc) from exc


def _revert_from(exc: Exception) -> ContractRevertError:
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return decode_revert(data)
    if isinstance(data, dict) and isinstance(data.get("data"), str):
        return decode_revert(data["data"])
    return ContractRevertError("Reverted", {"reason": str(exc)})


@dataclass
class TransactionSender:
    """Signs and sends transactions for one account, simulating each first so a refusal costs nothing.

    Nonces are tracked locally after the first read, so a burst of transactions from one process never collides.
    """

    w3: Web3
    account: LocalAccount
    receipt_timeout: float = 120.0
    _next_nonce: int | None = field(default=None, init=False)

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def _nonce(self) -> int:
        if self._next_nonce is None:
            self._next_nonce = self.w3.eth.get_transaction_count(self.account.address, "pending")
        return self._next_nonce

    def _fees(self) -> TxParams:
        block = self.w3.eth.get_block("latest")
        base_fee = block.get("baseFeePerGas")
        if base_fee is None:  # a pre-London chain
            return {"gasPrice": self.w3.eth.gas_price}
        tip = Wei(min(self.w3.eth.max_priority_fee, 2 * base_fee + 1_000_000_000))
        return {"maxFeePerGas": Wei(2 * base_fee + tip), "maxPriorityFeePerGas": tip}

    def transact(
        self,
        call: ContractFunction | ContractConstructor,
        *,
        value: int = 0,
        gas: int | None = None,
        on_sent: Callable[[HexStr], None] | None = None,
    ) -> TxReceipt:
        """Simulate ``call``, then sign, send and wait; raises a decoded revert before spending gas.

        ``on_sent`` receives the transaction hash before the wait, so a caller can record it durably and, after a
        crash, find the transaction instead of sending it again.
        """
        params: TxParams = {"from": self.account.address, "value": Wei(value), "chainId": self.w3.eth.chain_id}
        params["gas"] = simulate_gas(call, self.account.address, value=value) if gas is None else gas
        params |= self._fees()
        params["nonce"] = Nonce(self._nonce())
        self._check_funds(params)
        transaction = call.build_transaction(params)
        return self._send(transaction, on_sent)

    def send_value(self, to: ChecksumAddress, value: int) -> TxReceipt:
        """A plain value transfer (funding accounts on a local chain, plain-ETH revenue)."""
        params: TxParams = {
            "from": self.account.address,
            "to": to,
            "value": Wei(value),
            "chainId": self.w3.eth.chain_id,
        }
        try:
            params["gas"] = self.w3.eth.estimate_gas(params) * _GAS_MARGIN_NUMERATOR // _GAS_MARGIN_DENOMINATOR
        except (ContractCustomError, ContractLogicError, Web3RPCError) as exc:
            if isinstance(exc, Web3RPCError):
                self._raise_for_funds(exc)
            raise _revert_from(exc) from exc
        params |= self._fees()
        params["nonce"] = Nonce(self._nonce())
        self._check_funds(params)
        return self._send(params)

    def _check_funds(self, params: TxParams) -> None:
        price = int(params.get("maxFeePerGas", params.get("gasPrice", 0)))
        needed = int(params.get("value", 0)) + int(params["gas"]) * price
        balance = self.w3.eth.get_balance(self.account.address)
        if balance < needed:
            raise InsufficientFundsError(
                f"{self.account.address} holds {balance} wei but this transaction may cost up to {needed} wei"
            )

    @staticmethod
    def _raise_for_funds(exc: Web3RPCError) -> None:
        if "insufficient funds" in str(exc).lower():
            raise InsufficientFundsError(str(exc)) from exc

    def _send(self, transaction: TxParams, on_sent: Callable[[HexStr], None] | None = None) -> TxReceipt:
        signed = self.account.sign_transaction(transaction)  # type: ignore[arg-type]
        try:
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Web3RPCError as exc:
            self._next_nonce = None  # re-read: the node refused, our local view may be stale
            self._raise_for_funds(exc)
            raise UnionError(f"the node refused the transaction: {exc}") from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            self._next_nonce = None
            raise RpcUnavailableError(f"lost the RPC node while sending a transaction: {exc}") from exc
        self._next_nonce = int(transaction["nonce"]) + 1
        if on_sent is not None:
            on_sent(HexStr(HexBytes(tx_hash).to_0x_hex()))
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.receipt_timeout)
        except TimeExhausted as exc:
            raise RpcUnavailableError(
                f"transaction {HexBytes(tx_hash).to_0x_hex()} was not mined within {self.receipt_timeout:.0f} s"
            ) from exc
        if receipt["status"] != 1:
            raise self._replay_failure(transaction, receipt)
        return receipt

    def _replay_failure(self, transaction: TxParams, receipt: TxReceipt) -> ContractRevertError:
        """The revert reason of a mined failed transaction, by replaying it at its block."""
        call: TxParams = {
            "from": transaction["from"],
            "to": transaction["to"],
            "value": transaction.get("value", Wei(0)),
            "data": transaction.get("data", b""),
        }
        try:
            self.w3.eth.call(call, receipt["blockNumber"] - 1)
        except (ContractCustomError, ContractLogicError, Web3RPCError) as exc:
            return _revert_from(exc)
        return ContractRevertError("Reverted", {"transactionHash": receipt["transactionHash"].to_0x_hex()})


def _anvil_binary() -> Path:
    """The anvil binary shipped in the npm package for this platform (started directly, stopped by PID)."""
    machine = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower()
    )
    system = platform.system().lower()
    candidate = project_root() / "node_modules" / "@foundry-rs" / f"anvil-{system}-{machine}" / "bin" / "anvil"
    if candidate.exists():
        return candidate
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise ConfigurationError(f"anvil is not installed (looked for {candidate}); run `npm ci`")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class AnvilProcess:
    """A local anvil chain on loopback, started from its binary and stopped by PID; never left behind, even when this
    process is killed (:mod:`union.children`: start it from the thread that outlives it, e.g. the main thread)."""

    port: int = 0
    chain_id: int = 31337
    accounts: int = 10
    balance_ether: int = 1_000_000
    timestamp: int | None = None
    extra_args: tuple[str, ...] = ()
    log_path: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, *, ready_timeout: float = 30.0) -> Self:
        if self.port == 0:
            self.port = _free_port()
        command = [
            str(_anvil_binary()),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--accounts",
            str(self.accounts),
            "--balance",
            str(self.balance_ether),
            "--mnemonic",
            DEFAULT_ANVIL_MNEMONIC,
            "--hardfork",
            "cancun",
            *(["--timestamp", str(self.timestamp)] if self.timestamp is not None else []),
            *self.extra_args,
        ]
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
        self._process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches this process, which stops anvil in order
            # … and if this process is killed outright, anvil goes with it. Safe among threads: the hook only makes
            # system calls through a function resolved before the fork (no import, lock or library load).
            preexec_fn=dies_with_this_process(),  # noqa: PLW1509
        )
        if self.log_path and not isinstance(log, int):
            log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RpcUnavailableError(f"anvil exited at start with status {self._process.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return self
            time.sleep(0.05)
        self.stop()
        raise RpcUnavailableError(f"anvil did not listen on port {self.port} within {ready_timeout:.0f} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def web3(self) -> Web3:
        return connect(self.rpc_url, expected_chain_id=self.chain_id)

    def rpc(self, method: str, *params: Any) -> Any:
        """A raw JSON-RPC call (``evm_increaseTime``, ``evm_snapshot``, ``anvil_mine`` …)."""
        response = self.web3().provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in response:
            raise RpcUnavailableError(f"{method} failed: {response['error']}")
        return response.get("result")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def tx_hash_hex(receipt: TxReceipt) -> HexStr:
    """The receipt's transaction hash as 0x-hex."""
    return HexStr(receipt["transactionHash"].to_0x_hex())
