// The member's browser wallet (EIP-1193, window.ethereum): connect, and sign EIP-712 typed data. No ETH is needed:
// the relay submits what the member signs.

export class WalletError extends Error {}

function describe(error) {
  if (!error) return "the wallet failed without saying why";
  if (error.code === 4001) return "you declined the request in your wallet";
  if (error.code === 4100) return "the wallet has not authorised this page; connect first";
  if (error.code === -32002) return "the wallet is already showing a request; answer it there";
  return error.message || String(error);
}

export class Wallet {
  constructor() {
    this.account = null;
    this.chainId = null;
    this.listeners = new Set();
  }

  get provider() {
    return window.ethereum || null;
  }

  get available() {
    return Boolean(this.provider && typeof this.provider.request === "function");
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  notify() {
    for (const listener of this.listeners) listener(this);
  }

  async call(method, params) {
    if (!this.available) {
      throw new WalletError("no browser wallet found: install one (an EIP-1193 wallet such as a browser extension)");
    }
    try {
      return await this.provider.request(params === undefined ? { method } : { method, params });
    } catch (error) {
      throw new WalletError(describe(error));
    }
  }

  async connect() {
    const accounts = await this.call("eth_requestAccounts");
    if (!Array.isArray(accounts) || accounts.length === 0) {
      throw new WalletError("the wallet shared no account with this page");
    }
    this.account = accounts[0];
    const chainId = await this.call("eth_chainId");
    this.chainId = Number.parseInt(chainId, 16);
    if (this.provider.on && !this.subscribed) {
      this.subscribed = true;
      this.provider.on("accountsChanged", (changed) => {
        this.account = changed && changed.length ? changed[0] : null;
        this.notify();
      });
      this.provider.on("chainChanged", (changed) => {
        this.chainId = Number.parseInt(changed, 16);
        this.notify();
      });
    }
    this.notify();
    return this.account;
  }

  /** eth_signTypedData_v4 with the typed data exactly as the relay served it (a JSON text). */
  async signTypedData(payloadText) {
    if (!this.account) throw new WalletError("connect your wallet first");
    const signature = await this.call("eth_signTypedData_v4", [this.account, payloadText]);
    if (typeof signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(signature)) {
      throw new WalletError("the wallet returned something that is not a signature");
    }
    return signature;
  }

  isAccount(address) {
    return Boolean(this.account && address && this.account.toLowerCase() === address.toLowerCase());
  }
}
