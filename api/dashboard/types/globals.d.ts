// What the browser gives the page beyond the DOM's own types, for `tsc --noEmit` only (never served).

/** An EIP-1193 provider: the member's browser wallet, injected by its extension as `window.ethereum`. */
export interface Eip1193Provider {
  request(arguments_: { method: string; params?: unknown[] }): Promise<unknown>;
  on?(event: string, listener: (value: unknown) => void): void;
}

/** What a wallet throws (EIP-1193 §provider errors): a numeric code and a message. */
export interface Eip1193Error {
  code?: number;
  message?: string;
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}
