// @ts-check
// Formatting: pure functions of values, no DOM (Node runs them in tests/browser/test_format_js.py). Amounts arrive as
// decimal strings of wei and stay BigInt: they are exact beyond 2**53.

export const ETH = "0x0000000000000000000000000000000000000000";

/** @param {string} token */
export function tokenName(token) {
  return token.toLowerCase() === ETH ? "ETH" : `token ${shortAddress(token)}`;
}

/** @param {string | null | undefined} address */
export function shortAddress(address) {
  return address ? `${address.slice(0, 6)}…${address.slice(-4)}` : "";
}

/** @param {string | null | undefined} hash */
export function shortHash(hash) {
  return hash ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : "";
}

/**
 * Group the digits of a non-negative integer string in threes.
 * @param {string} digits
 */
function groupDigits(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * An exact amount in words a person reads: ETH with up to 6 decimals (rounded down), other tokens in raw units.
 * @param {string | bigint} wei
 * @param {string} [token]
 */
export function formatAmount(wei, token = ETH) {
  const value = BigInt(wei);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  let text;
  if (token.toLowerCase() === ETH) {
    const whole = magnitude / 10n ** 18n;
    const fraction = (magnitude % 10n ** 18n).toString().padStart(18, "0").slice(0, 6).replace(/0+$/, "");
    text = `${groupDigits(whole.toString())}${fraction ? "." + fraction : ""} ETH`;
    if (magnitude > 0n && whole === 0n && !fraction) text = "< 0.000001 ETH";
  } else {
    text = `${groupDigits(magnitude.toString())} units`;
  }
  return negative ? `−${text}` : text;
}

/**
 * A BigInt as a float, for drawing only (a chart's pixels do not need 78 digits).
 * @param {string | bigint} wei
 */
export function toNumber(wei) {
  return Number(BigInt(wei));
}

/** @param {number | string | null | undefined} seconds */
export function formatTime(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const date = new Date(Number(seconds) * 1000);
  return date.toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
}

/** @type {[string, number][]} */
const TIME_UNITS = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];

/**
 * "in 5 minutes" / "3 hours ago", relative to ``now`` (seconds).
 * @param {number | string} seconds
 * @param {number} [now]
 */
export function relativeTime(seconds, now = Date.now() / 1000) {
  const delta = Number(seconds) - now;
  const span = Math.abs(delta);
  const [unit, size] = TIME_UNITS.find(([, length]) => span >= length) || TIME_UNITS[TIME_UNITS.length - 1];
  const count = Math.max(1, Math.floor(span / size));
  const words = `${count} ${unit}${count === 1 ? "" : "s"}`;
  return delta >= 0 ? `in ${words}` : `${words} ago`;
}

/** @param {string} text */
export function isAddress(text) {
  return /^0x[0-9a-fA-F]{40}$/.test(text);
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
 * @param {unknown} value
 */
export function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** @param {unknown[][]} rows */
export function toCsv(rows) {
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}
