"""Where Debian's Chromium cannot be installed, the browser tests skip and say why (CI fails on that skip)."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.browser.conftest as setup


def test_a_present_chromium_needs_no_installation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.touch()
    monkeypatch.setattr(setup, "CHROMIUM", browser)

    assert setup._install_chromium() is None


def test_without_apt_the_reason_names_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(setup, "CHROMIUM", tmp_path / "absent")
    monkeypatch.setattr("shutil.which", lambda name: None)

    reason = setup._install_chromium()

    assert reason is not None
    assert "apt-get is not available" in reason
    assert str(tmp_path / "absent") in reason


def test_without_root_the_reason_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(setup, "CHROMIUM", tmp_path / "absent")
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/apt-get")
    monkeypatch.setattr("os.geteuid", lambda: 1000)

    reason = setup._install_chromium()

    assert reason is not None
    assert "needs root" in reason
    assert "apt-get install -y chromium" in reason
