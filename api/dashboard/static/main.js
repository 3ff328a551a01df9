// @ts-check
// The dashboard's entry: hash-routed views over the /v1 API (router.js says how the modules are laid out), and the
// header's wallet box, through which a member acts with the relay.

import { connectWallet } from "./actions/connect.js";
import { byId, h } from "./lib/dom.js";
import { shortAddress } from "./lib/format.js";
import { wallet } from "./lib/wallet.js";
import { start, walletChanged } from "./router.js";

const connectButton = /** @type {HTMLButtonElement} */ (byId("connect"));
const accountBox = byId("account");

function showAccount() {
  if (wallet.account) {
    accountBox.hidden = false;
    accountBox.replaceChildren("Connected: ", h("a", { href: `#/members/${wallet.account}`, title: wallet.account }, shortAddress(wallet.account)));
    connectButton.textContent = "Connected";
    connectButton.disabled = true;
  } else {
    accountBox.hidden = true;
    connectButton.textContent = "Connect wallet";
    connectButton.disabled = false;
  }
}

connectButton.addEventListener("click", () => connectWallet());

wallet.onChange(() => {
  showAccount();
  walletChanged();
});

start();
