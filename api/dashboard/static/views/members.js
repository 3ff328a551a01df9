// @ts-check
// Members (route `#/members`): every member and former member, a page at a time, and a look-up of any address's
// statement.

import { addressLink, labelCells, row, table } from "../lib/components.js";
import { append, h } from "../lib/dom.js";
import { formatTime, isAddress } from "../lib/format.js";
import { membersPage } from "../lib/reads.js";
import { act, clearAlert, fail, say } from "../lib/status.js";
import { wallet } from "../lib/wallet.js";

/** @import { MemberPublic } from "../../types/api" */

/**
 * Look up any address's statement.
 * @param {string} [value] the address to start with
 */
function lookupForm(value = "") {
  const input = h("input", { type: "text", id: "member-address", name: "address", value, placeholder: "0x…", spellcheck: "false", autocomplete: "off", "aria-describedby": "member-address-help" });
  return h(
    "form",
    {
      class: "inline lookup",
      /** @param {SubmitEvent} event */
      onsubmit: (event) => {
        event.preventDefault();
        const address = input.value.trim();
        if (!isAddress(address)) {
          fail(`“${address}” is not an address: expected 0x followed by 40 hexadecimal digits.`);
          input.focus();
          return;
        }
        clearAlert();
        location.hash = `#/members/${address}`;
      },
    },
    h("div", { class: "field" }, h("label", { for: "member-address" }, "Address"), input,
      h("small", { id: "member-address-help", class: "muted" }, "Any address: a member, a former member, or an account that received dividends.")),
    h("button", { type: "submit" }, "Show statement"),
  );
}

const MEMBERS_PAGE = 100;
const MEMBER_HEADINGS = ["Address", "Status", "Joined", "Delegates to"];

/** @param {MemberPublic} member */
function memberRow(member) {
  return row([
    h("a", { href: `#/members/${member.address}`, class: "mono" }, member.address),
    member.status,
    formatTime(member.joined_at),
    member.delegate ? addressLink(member.delegate) : "self",
  ]);
}

export async function membersView() {
  const first = await membersPage(MEMBERS_PAGE);
  const view = h("div", {}, h("h1", {}, "Members"), h("section", { class: "card" }, h("h2", {}, "Look up a statement"), lookupForm()));
  if (wallet.account) append(view, h("p", {}, h("a", { href: `#/members/${wallet.account}` }, "Your statement")));
  const list = table("Members and former members, by address", MEMBER_HEADINGS, first.items.map(memberRow));
  const body = /** @type {HTMLTableSectionElement} */ (list.querySelector("tbody"));
  let cursor = first.next_cursor;
  const more = h("button", { type: "button", class: "secondary", hidden: !cursor }, `Show ${MEMBERS_PAGE} more`);
  more.addEventListener("click", () =>
    act("Loading more members", async () => {
      more.disabled = true;
      const page = await membersPage(MEMBERS_PAGE, cursor);
      const rows = page.items.map(memberRow);
      labelCells(MEMBER_HEADINGS, rows);
      body.append(...rows);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      more.disabled = false;
      say(`${body.children.length} members shown${cursor ? "" : ": that is everyone"}.`);
    }),
  );
  append(view, h("section", { class: "card" }, list, h("div", { class: "row" }, more)));
  return view;
}
