"""Keys: encrypted keystores round-trip, a wrong password is named, nothing is overwritten, and a raw key is refused
anywhere but a local chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from union.errors import ConfigurationError, KeystoreError, WrongPasswordError
from union.settings import ChainSettings
from union.signers import create_keystore, load_keystore, read_password, signer_from_private_key

ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def test_keystore_round_trip(tmp_path: Path) -> None:
    created = create_keystore(tmp_path / "k.json", "s3cret")
    assert load_keystore(tmp_path / "k.json", "s3cret").address == created.address
    assert (tmp_path / "k.json").stat().st_mode & 0o777 == 0o600


def test_wrong_password_raises_wrong_password_error(tmp_path: Path) -> None:
    create_keystore(tmp_path / "k.json", "s3cret")
    with pytest.raises(WrongPasswordError):
        load_keystore(tmp_path / "k.json", "guess")


def test_existing_keystore_is_never_overwritten(tmp_path: Path) -> None:
    create_keystore(tmp_path / "k.json", "one")
    with pytest.raises(KeystoreError, match="already exists"):
        create_keystore(tmp_path / "k.json", "two")
    assert load_keystore(tmp_path / "k.json", "one")


def test_a_file_that_is_not_a_keystore_is_named(tmp_path: Path) -> None:
    (tmp_path / "k.json").write_text('{"hello": 1}')
    with pytest.raises(KeystoreError, match="not an encrypted JSON keystore"):
        load_keystore(tmp_path / "k.json", "x")
    with pytest.raises(KeystoreError, match="no keystore"):
        load_keystore(tmp_path / "missing.json", "x")


def test_password_file_strips_only_the_trailing_newline(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(" spaced pass \n")
    assert read_password(tmp_path / "pw") == " spaced pass "


def test_raw_private_key_only_on_a_local_chain() -> None:
    assert signer_from_private_key(ANVIL_KEY, 31337).address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    with pytest.raises(ConfigurationError, match="local chain"):
        signer_from_private_key(ANVIL_KEY, 100)  # Gnosis Chain


def test_settings_refuse_a_raw_key_for_a_public_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNION_PRIVATE_KEY", ANVIL_KEY)
    monkeypatch.setenv("UNION_CHAIN_ID", "8453")
    # pydantic reports the validator's ConfigurationError as a ValidationError naming the setting.
    with pytest.raises(ValidationError, match="a raw key is allowed on a local chain only"):
        ChainSettings()
