// @ts-check
// The steps that the member's actions share: connect the wallet when needed, sign exactly the typed data the relay
// served (on the union's chain), and, once the relay has sent the transaction, wait for the indexer and redraw.

import { redraw } from "../lib/navigation.js";
import { say } from "../lib/status.js";
import { WalletError, wallet } from "../lib/wallet.js";

/** @import { TypedData } from "../../types/api" */

const POLL_INTERVAL_MS = 2000;
const POLL_ATTEMPTS = 60;

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => {
  setTimeout(resolve, ms);
});

/**
 * The member's account, asking the wallet to connect first if it is not.
 * @returns {Promise<string>}
 */
export async function ensureConnected() {
  if (!wallet.account) {
    say("Asking your wallet to connect…");
    await wallet.connect();
  }
  return /** @type {string} */ (wallet.account);
}

/**
 * Refuse to sign for another chain than the union's (the wallet would sign, the relay would refuse).
 * @param {TypedData<unknown>} payload
 */
async function checkChain(payload) {
  const expected = Number(payload.domain.chainId);
  if (wallet.chainId !== null && wallet.chainId !== expected) {
    throw new WalletError(`your wallet is on chain ${wallet.chainId} but the union is on chain ${expected}: switch networks in your wallet`);
  }
}

/**
 * The member's signature of the typed data the relay served, signed from the served text itself.
 * @template Message
 * @param {string} payloadText
 * @returns {Promise<{ payload: TypedData<Message>, signature: string }>}
 */
export async function signServed(payloadText) {
  /** @type {TypedData<Message>} */
  const payload = JSON.parse(payloadText);
  await checkChain(payload);
  say("Waiting for your signature in the wallet…");
  const signature = await wallet.signTypedData(payloadText);
  return { payload, signature };
}

/**
 * Re-read until ``check`` is true (the indexer has caught up with a transaction), then re-render.
 * @param {() => Promise<boolean | undefined>} check
 * @param {string} doneMessage
 */
export async function refreshWhen(check, doneMessage) {
  for (let attempt = 0; attempt < POLL_ATTEMPTS; attempt += 1) {
    await sleep(POLL_INTERVAL_MS);
    try {
      if (await check()) {
        say(doneMessage);
        await redraw({ keepStatus: true });
        return;
      }
    } catch {
      // The API may be briefly unreachable; keep waiting.
    }
  }
  say("The transaction is on chain; the indexer has not reached it yet. Reload the page later to see it here.");
}
