// @ts-check
// Connecting the member's wallet (the header's button): the views that depend on it redraw when it connects.

import { act, say } from "../lib/status.js";
import { wallet } from "../lib/wallet.js";

export function connectWallet() {
  return act("Connecting the wallet", async () => {
    say("Asking your wallet to connect…");
    const account = await wallet.connect();
    say(`Connected as ${account}.`);
  });
}
