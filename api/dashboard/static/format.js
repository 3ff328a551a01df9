// Formatting and DOM helpers. Amounts arrive as decimal strings of wei and stay BigInt: they are exact beyond 2**53.

export const ETH = "0x0000000000000000000000000000000000000000";

/** Build an element; text children become text nodes, so nothing read from the chain is ever parsed as HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, ...children);
  return element;
}

/** An SVG element (charts are drawn as inline SVG, no library). */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttributes(element, attributes);
  append(element, ...children);
  return element;
}

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "text") {
      element.textContent = String(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

/** Append children, skipping null, undefined and false (so a view can write ``condition ? node : null``). */
export function append(element, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function tokenName(token) {
  return token.toLowerCase() === ETH ? "ETH" : `token ${shortAddress(token)}`;
}

export function shortAddress(address) {
  return address ? `${address.slice(0, 6)}…${address.slice(-4)}` : "";
}

export function shortHash(hash) {
  return hash ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : "";
}

/** Group the digits of a non-negative integer string in threes. */
function groupDigits(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** An exact amount in words a person reads: ETH with up to 6 decimals (rounded down), other tokens in raw units. */
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

/** A BigInt as a float, for drawing only (a chart's pixels do not need 78 digits). */
export function toNumber(wei) {
  return Number(BigInt(wei));
}

export function formatTime(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const date = new Date(Number(seconds) * 1000);
  return date.toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
}

/** "in 5 minutes" / "3 hours ago", relative to ``now`` (seconds). */
export function relativeTime(seconds, now = Date.now() / 1000) {
  const delta = Number(seconds) - now;
  const span = Math.abs(delta);
  const units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  const [unit, size] = units.find(([, length]) => span >= length) || units[units.length - 1];
  const count = Math.max(1, Math.floor(span / size));
  const words = `${count} ${unit}${count === 1 ? "" : "s"}`;
  return delta >= 0 ? `in ${words}` : `${words} ago`;
}

export function isAddress(text) {
  return /^0x[0-9a-fA-F]{40}$/.test(text);
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows) {
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}
