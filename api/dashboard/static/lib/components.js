// @ts-check
// Pieces that several views draw the same way: an address, an amount, a list of figures, a table that stacks into
// cards on a phone, and the verdict of a plan's independent recomputation.

import { h } from "./dom.js";
import { formatAmount, formatTime, shortAddress } from "./format.js";

/**
 * @import { Child } from "./dom.js"
 * @import { VerificationPublic } from "../../types/api"
 */

/** @param {string} address */
export function addressLink(address) {
  return h("a", { href: `#/members/${address}`, class: "mono", title: address }, shortAddress(address));
}

/**
 * An exact amount, its wei in `data-wei` (tests and screen readers read the number, not the words).
 * @param {string} wei
 * @param {string} [token]
 */
export function amount(wei, token) {
  return h("span", { class: "amount", "data-wei": String(wei), title: `${wei} (smallest unit)` }, formatAmount(wei, token));
}

/**
 * A definition list of figures: [term, value, key for `data-figure`].
 * @param {[string, Child, string?][]} entries
 */
export function figures(entries) {
  return h(
    "dl",
    { class: "figures" },
    entries.map(([term, value, key]) => h("div", { "data-figure": key || null }, h("dt", {}, term), h("dd", {}, value))),
  );
}

/**
 * Give each cell its column's name (`data-label`): on a phone the stylesheet shows it before the value.
 * @param {string[]} headings
 * @param {HTMLTableRowElement[]} rows
 */
export function labelCells(headings, rows) {
  for (const tableRow of rows) {
    [...tableRow.children].forEach((cell, index) => {
      if (headings[index] && headings[index].trim()) /** @type {HTMLElement} */ (cell).dataset.label = headings[index].trim();
    });
  }
}

/**
 * A table that becomes a list of labelled cards on a phone (each cell carries its column's name). A heading that
 * ends with a space is a numeric column (right-aligned).
 * @param {string} caption
 * @param {string[]} headings
 * @param {HTMLTableRowElement[]} rows
 * @param {Record<string, unknown>} [attributes]
 */
export function table(caption, headings, rows, attributes = {}) {
  labelCells(headings, rows);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "stack", ...attributes },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h("tr", {}, headings.map((heading) => h("th", { scope: "col", class: heading.endsWith(" ") ? "num" : null }, heading.trim()))),
      ),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: headings.length, class: "muted" }, "None."))),
    ),
  );
}

/**
 * A table row; a cell that is not already a <td> is wrapped in one.
 * @param {Child[]} cells
 * @param {Record<string, unknown>} [attributes]
 */
export function row(cells, attributes = {}) {
  return h("tr", attributes, cells.map((cell) => (cell instanceof HTMLElement && cell.tagName === "TD" ? cell : h("td", {}, cell))));
}

/**
 * A numeric cell (right-aligned).
 * @param {Child} value
 */
export function num(value) {
  return h("td", { class: "num" }, value);
}

/**
 * The verdict of the latest independent recomputation of a plan from chain data.
 * @param {VerificationPublic | null | undefined} verification
 * @param {string[]} [mismatches] what the page itself found wrong with the plan document
 */
export function verificationBadge(verification, mismatches = []) {
  if (mismatches.length) {
    return h(
      "div",
      { class: "warning verification", "data-verified": "false", role: "alert" },
      h("strong", {}, "✖ Does not match the chain: "),
      h("ul", {}, mismatches.map((text) => h("li", {}, text))),
    );
  }
  if (!verification) {
    return h("span", { class: "badge neutral verification", "data-verified": "unknown" }, "not verified yet");
  }
  if (verification.reproduced) {
    return h(
      "span",
      {
        class: "badge good verification",
        "data-verified": "true",
        title: `recomputed from chain data at ${formatTime(verification.checked_at)}`,
      },
      "✔ verified from chain data",
    );
  }
  return h(
    "div",
    { class: "warning verification", "data-verified": "false", role: "alert" },
    h("strong", {}, "✖ NOT reproduced from chain data — the guardian should cancel. What differs:"),
    h("ul", {}, (verification.differences.length ? verification.differences : ["(no details recorded)"]).map((text) => h("li", {}, text))),
  );
}
