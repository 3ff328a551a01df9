// @ts-check
// The member's browser wallet (EIP-1193, window.ethereum): connect, and sign EIP-712 typed data. No ETH is needed:
// the relay submits what the member signs.

/** @import { Eip1193Error, Eip1193Provider } from "../../types/globals" */

export class WalletError extends Error {}

/** @param {unknown} error */
function describe(error) {
  if (!error) return "the wallet failed without saying why";
  const { code, message } = /** @type {Eip1193Error} */ (error);
  if (code === 4001) return "you declined the request in your wallet";
  if (code === 4100) return "the wallet has not authorised this page; connect first";
  if (code === -32002) return "the wallet is already showing a request; answer it there";
  return message || String(error);
}

/** @typedef {(wallet: Wallet) => void} WalletListener */

export class Wallet {
  constructor() {
    /** @type {string | null} */
    this.account = null;
    /** @type {number | null} */
    this.chainId = null;
    /** @type {Set<WalletListener>} */
    this.listeners = new Set();
    this.subscribed = false;
  }

  /** @returns {Eip1193Provider | null} */
  get provider() {
    return window.ethereum || null;
  }

  get available() {
    return Boolean(this.provider && typeof this.provider.request === "function");
  }

  /** @param {WalletListener} listener */
  onChange(listener) {
    this.listeners.add(listener);
  }

  notify() {
    for (const listener of this.listeners) listener(this);
  }

  /**
   * @param {string} method
   * @param {unknown[]} [params]
   */
  async call(method, params) {
    const provider = this.provider;
    if (!this.available || provider === null) {
      throw new WalletError("no browser wallet found: install one (an EIP-1193 wallet such as a browser extension)");
    }
    try {
      return await provider.request(params === undefined ? { method } : { method, params });
    } catch (error) {
      throw new WalletError(describe(error));
    }
  }

  async connect() {
    const accounts = await this.call("eth_requestAccounts");
    if (!Array.isArray(accounts) || accounts.length === 0) {
      throw new WalletError("the wallet shared no account with this page");
    }
    this.account = /** @type {string} */ (accounts[0]);
    const chainId = await this.call("eth_chainId");
    this.chainId = Number.parseInt(/** @type {string} */ (chainId), 16);
    const provider = this.provider;
    if (provider && provider.on && !this.subscribed) {
      this.subscribed = true;
      provider.on("accountsChanged", (changed) => {
        const accountsNow = /** @type {string[] | null | undefined} */ (changed);
        this.account = accountsNow && accountsNow.length ? accountsNow[0] : null;
        this.notify();
      });
      provider.on("chainChanged", (changed) => {
        this.chainId = Number.parseInt(/** @type {string} */ (changed), 16);
        this.notify();
      });
    }
    this.notify();
    return this.account;
  }

  /**
   * eth_signTypedData_v4 with the typed data exactly as the relay served it (a JSON text).
   * @param {string} payloadText
   * @returns {Promise<string>}
   */
  async signTypedData(payloadText) {
    if (!this.account) throw new WalletError("connect your wallet first");
    const signature = await this.call("eth_signTypedData_v4", [this.account, payloadText]);
    if (typeof signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(signature)) {
      throw new WalletError("the wallet returned something that is not a signature");
    }
    return signature;
  }

  /** @param {string | null | undefined} address */
  isAccount(address) {
    return Boolean(this.account && address && this.account.toLowerCase() === address.toLowerCase());
  }
}

/** The page's one wallet: the header's button connects it, the views and actions read it. */
export const wallet = new Wallet();
