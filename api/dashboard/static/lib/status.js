// @ts-check
// What the page tells the member: the status line (aria-live: each step of an action, read out by screen readers)
// and the alert (role=alert: what failed, in words).

import { ApiError } from "./api.js";
import { byId } from "./dom.js";
import { WalletError } from "./wallet.js";

const statusBox = byId("status");
const alertBox = byId("alert");

/** @param {string} message */
export function say(message) {
  statusBox.textContent = message;
}

/** @param {string} message */
export function fail(message) {
  alertBox.textContent = message;
  alertBox.hidden = false;
}

export function clearAlert() {
  alertBox.textContent = "";
  alertBox.hidden = true;
}

/**
 * A failure in words: the API's and the wallet's own sentences, anything else marked unexpected.
 * @param {unknown} error
 */
export function explain(error) {
  if (error instanceof ApiError || error instanceof WalletError) return error.message;
  const message = error && /** @type {{ message?: unknown }} */ (error).message;
  return `unexpected error: ${message ? message : error}`;
}

/**
 * Run a member's action: every step says what is happening; a failure says what failed, in words.
 * @param {string} what
 * @param {() => Promise<void>} steps
 */
export async function act(what, steps) {
  clearAlert();
  try {
    await steps();
  } catch (error) {
    say("");
    fail(`${what} failed: ${explain(error)}`);
  }
}
