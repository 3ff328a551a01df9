"""Browser fixtures: Debian's Chromium (installed with apt when missing), the API with the relay and the dashboard
serving a real indexed round on anvil from a uvicorn thread, and pages with an injected EIP-1193 test wallet.

The round is the API suite's (``tests.api.conftest``), played on a snapshot of the session's chain; then a policy
proposal is opened for votes and the chain is kept as it is until this package's tests end (votes and claims made
in the page must land on the chain the store describes), and reverted afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from api.app import create_app
from api.relay import RelayConfig, RelayService, StorePlanSource, SubmissionLog
from indexer import run as run_indexer
from indexer.settings import IndexerSettings
from indexer.store import Store, create_store_engine
from tests.api.conftest import IndexedRound, _play_round, api_settings
from tests.helpers.driver import UnionDriver
from union.chain import TransactionSender
from union.localnet import LocalUnion
from voting.proposals import DividendPolicy, dividend_policy_proposal

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
README_SCREENSHOT = REPO / "docs" / "screenshots" / "dashboard.png"
WAIT_MS = 30_000
"""How long Playwright waits for the page to reach an expected state (a bound on waiting, not a timed assertion)."""


def _install_chromium() -> str | None:
    """Install Debian's chromium with apt when it is missing; the reason it cannot be had, or None when it is there."""
    if CHROMIUM.exists():
        return None
    apt = shutil.which("apt-get")
    if apt is None:
        return f"{CHROMIUM} is missing and apt-get is not available to install Debian's chromium"
    if os.geteuid() != 0:
        return f"{CHROMIUM} is missing and installing it with apt-get needs root (run: apt-get install -y chromium)"
    environment = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update"], [apt, "install", "-y", "--no-install-recommends", "chromium"]):
        done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=1_200, check=False)
        if done.returncode != 0:
            return f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-500:]}"
    return None if CHROMIUM.exists() else f"apt-get installed chromium but {CHROMIUM} is still missing"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; the browser tests skip, saying why, where it cannot be installed (CI fails on skips)."""
    reason = _install_chromium()
    if reason is not None:
        pytest.skip(f"headless Chromium unavailable: {reason}")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def playwright_driver(chromium_path: str) -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright, chromium_path: str) -> Iterator[Browser]:
    """Chromium from its Debian path (Playwright never downloads a browser here)."""
    instance = playwright_driver.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@dataclass(frozen=True)
class LiveRound:
    """The indexed round, plus a proposal open for votes, on a chain left as the store describes it."""

    round: IndexedRound
    driver: UnionDriver
    open_proposal: int

    def index(self) -> None:
        """Let the real indexer read the blocks mined since (a vote, a claim): the page reads only the store."""
        settings = IndexerSettings(
            database_url=self.round.store_url, rpc_url=self.driver.union.anvil.rpc_url, confirmations=0
        )
        run_indexer(settings, self.driver.union.manifest, once=True)


@pytest.fixture(scope="package")
def live_round(deployed_union: LocalUnion, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveRound]:
    path = tmp_path_factory.mktemp("browser-store") / "union.db"
    snapshot = deployed_union.anvil.rpc("evm_snapshot")
    try:
        driver = UnionDriver(deployed_union)
        indexed = _play_round(driver, f"sqlite:///{path}")
        policy = DividendPolicy(1_200, 500, 2_000, 0, driver.accounts.operations.address)
        spec = dividend_policy_proposal(driver.contracts.treasury, policy, "Policy: 12% reserve\nA larger reserve.")
        proposal_id = driver.propose(indexed.members[0], spec)
        driver.start_voting(proposal_id)
        live = LiveRound(round=indexed, driver=driver, open_proposal=proposal_id)
        live.index()
        yield live
    finally:
        deployed_union.anvil.rpc("evm_revert", snapshot)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def dashboard_app(live: LiveRound, store: Store) -> FastAPI:
    """The API as the relaying process runs it (relay on, relayer = the local relayer account); it serves the page."""
    driver = live.driver
    relay = RelayService(
        driver.w3,
        driver.contracts,
        TransactionSender(driver.w3, driver.accounts.relayer),
        submissions=SubmissionLog(),
        plans=StorePlanSource(store.engine, driver.contracts.distributor),
        config=RelayConfig(),
    )
    return create_app(api_settings(live.round.store_url), store, live.round.schedule, relay=relay)


@dataclass
class Server:
    url: str
    store: Store

    def get(self, path: str, **params: Any) -> Any:
        response = httpx.get(self.url + path, params=params)
        response.raise_for_status()
        return response.json()

    def get_all(self, path: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        cursor: str | None = None
        while True:
            page = self.get(path, limit=500, **params, **({"cursor": cursor} if cursor else {}))
            items.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return items


@pytest.fixture(scope="package")
def server(live_round: LiveRound) -> Iterator[Server]:
    """uvicorn serving the app on a free port, in a thread of this process."""
    store = Store(create_store_engine(live_round.round.store_url))
    port = _free_port()
    config = uvicorn.Config(dashboard_app(live_round, store), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, name="dashboard-uvicorn", daemon=True)
    thread.start()
    while not instance.started:
        if not thread.is_alive():
            raise RuntimeError("the dashboard's uvicorn server stopped while starting")
        time.sleep(0.05)
    yield Server(url=f"http://127.0.0.1:{port}", store=store)
    instance.should_exit = True
    thread.join()
    store.close()


WALLET_SCRIPT = """
(() => {
  const listeners = {};
  window.ethereum = {
    isUnionTestWallet: true,
    async request({ method, params }) {
      const text = await window.__unionTestWallet(method, JSON.stringify(params === undefined ? [] : params));
      const answer = JSON.parse(text);
      if (answer.error) {
        const error = new Error(answer.error.message);
        error.code = answer.error.code;
        throw error;
      }
      return answer.result;
    },
    on(event, listener) { (listeners[event] = listeners[event] || []).push(listener); },
    removeListener(event, listener) {
      listeners[event] = (listeners[event] || []).filter((known) => known !== listener);
    },
  };
})();
"""


@dataclass
class TestWallet:
    """The Python side of the injected EIP-1193 wallet: it answers as a browser wallet would, signing with a key."""

    account: LocalAccount
    chain_id: int
    refuse_signing: bool = False
    signed: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, method: str, params_json: str) -> str:
        params = json.loads(params_json)
        try:
            result = self._result(method, params)
        except _WalletRefusalError as refusal:
            return json.dumps({"error": {"code": refusal.code, "message": str(refusal)}})
        return json.dumps({"result": result})

    def _result(self, method: str, params: list[Any]) -> Any:
        if method in ("eth_requestAccounts", "eth_accounts"):
            return [self.account.address]
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "eth_signTypedData_v4":
            signer, payload_text = params
            if signer.lower() != self.account.address.lower():
                raise _WalletRefusalError(4100, f"this wallet does not hold {signer}")
            if self.refuse_signing:
                raise _WalletRefusalError(4001, "User rejected the request.")
            payload = json.loads(payload_text)  # a browser wallet receives JSON text: sign exactly what it says
            self.signed.append(payload)
            signed = self.account.sign_message(encode_typed_data(full_message=payload))
            return "0x" + bytes(signed.signature).hex()
        raise _WalletRefusalError(4200, f"the test wallet does not support {method}")


class _WalletRefusalError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class DashboardPage:
    """A page of the dashboard, with what its console said and the wallet it was given (if any)."""

    page: Page
    base_url: str
    console_errors: list[str]
    wallet: TestWallet | None

    def open(self, route: str, view: str) -> None:
        """Load ``#<route>`` and wait until the view named ``view`` has rendered its data."""
        self.page.goto(f"{self.base_url}/#{route}")
        self.page.wait_for_selector(f'main[data-ready="{view}"]', timeout=WAIT_MS)

    def navigate(self, route: str, view: str) -> None:
        self.page.evaluate("route => { location.hash = route; }", route)
        self.page.wait_for_selector(f'main[data-ready="{view}"]', timeout=WAIT_MS)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


PageFactory = Callable[..., DashboardPage]


@pytest.fixture
def open_page(browser: Browser, server: Server, live_round: LiveRound) -> Iterator[PageFactory]:
    """Make pages: ``open_page()`` for the public, ``open_page(member)`` with that member's test wallet injected."""
    contexts = []

    def make(
        account: LocalAccount | None = None, *, refuse_signing: bool = False, viewport: tuple[int, int] = (1280, 900)
    ) -> DashboardPage:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        wallet = None
        if account is not None:
            wallet = TestWallet(account, live_round.driver.w3.eth.chain_id, refuse_signing=refuse_signing)
            page.expose_function("__unionTestWallet", wallet.answer)
            page.add_init_script(WALLET_SCRIPT)
        return DashboardPage(page=page, base_url=server.url, console_errors=errors, wallet=wallet)

    yield make
    for context in contexts:
        context.close()
