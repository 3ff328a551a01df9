"""Keys: eth-account encrypted JSON keystores, and a raw private key only on a local chain.

Stewards and members sign with keys kept in encrypted keystores; the password comes from a file or a prompt and is
never echoed or logged. A raw private key is a convenience for a local anvil chain (the demo, the tests) and is
refused anywhere else, so a production setup cannot quietly run on a plaintext key.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Final

from eth_account import Account
from eth_account.signers.local import LocalAccount

from union.errors import ConfigurationError, KeystoreError, WrongPasswordError

__all__ = [
    "LOCAL_CHAIN_IDS",
    "create_keystore",
    "load_keystore",
    "read_password",
    "signer_from_private_key",
]

LOCAL_CHAIN_IDS: Final = frozenset({31337, 1337})
"""Chain ids of local development chains (anvil, hardhat, ganache): the only ones a raw private key may sign for."""


def read_password(password_file: Path | None, *, prompt: str = "Keystore password: ", confirm: bool = False) -> str:
    """The keystore password from ``password_file`` (trailing newline stripped) or from a prompt that never echoes."""
    if password_file is not None:
        try:
            return password_file.read_text().rstrip("\r\n")
        except OSError as exc:
            raise KeystoreError(f"cannot read the password file {password_file}: {exc.strerror}") from exc
    password = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat the password: ") != password:
        raise KeystoreError("the two passwords differ")
    return password


def load_keystore(path: Path, password: str) -> LocalAccount:
    """Decrypt an encrypted JSON keystore; a wrong password raises :class:`WrongPasswordError`."""
    try:
        keystore = json.loads(path.read_text())
    except FileNotFoundError:
        raise KeystoreError(f"no keystore at {path}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise KeystoreError(f"{path} is not a readable JSON keystore: {exc}") from exc
    if not isinstance(keystore, dict) or "crypto" not in {key.lower() for key in keystore}:
        raise KeystoreError(f"{path} is not an encrypted JSON keystore (no 'crypto' section)")
    try:
        private_key = Account.decrypt(keystore, password)
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise WrongPasswordError(f"wrong password for the keystore {path}") from None
        raise KeystoreError(f"cannot decrypt {path}: {exc}") from exc
    account: LocalAccount = Account.from_key(private_key)
    return account


def create_keystore(path: Path, password: str, private_key: str | bytes | None = None) -> LocalAccount:
    """Write a new encrypted keystore (a fresh key unless one is imported); refuses to overwrite a file."""
    if not password:
        raise KeystoreError("refusing to encrypt a keystore with an empty password")
    account: LocalAccount = Account.from_key(private_key) if private_key is not None else Account.create()
    encrypted = Account.encrypt(account.key, password)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeystoreError(f"{path} already exists; not overwriting a keystore") from None
    with os.fdopen(fd, "w") as handle:
        json.dump(encrypted, handle)
    return account


def signer_from_private_key(private_key: str, chain_id: int) -> LocalAccount:
    """A signer from a raw key, allowed only on a local development chain (see :data:`LOCAL_CHAIN_IDS`)."""
    if chain_id not in LOCAL_CHAIN_IDS:
        raise ConfigurationError(
            f"a raw private key may only sign on a local chain (ids {sorted(LOCAL_CHAIN_IDS)}), not chain {chain_id}; "
            "use an encrypted keystore (`union keystore import`)"
        )
    try:
        account: LocalAccount = Account.from_key(private_key)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError("the private key is malformed (expected 32 bytes of hex)") from exc
    return account
