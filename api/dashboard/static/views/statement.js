// @ts-check
// A member's statement (route `#/members/<address>`): dividends per token (claimable through the relay), contributions,
// allocations, consent (changed by the member's own signature) and votes, and the whole of it as one CSV.

import { claim } from "../actions/claim.js";
import { changeConsent } from "../actions/consent.js";
import { ApiError } from "../lib/api.js";
import { addressLink, amount, num, row, table } from "../lib/components.js";
import { append, h } from "../lib/dom.js";
import { formatAmount, formatTime, isAddress, shortHash, toCsv, tokenName } from "../lib/format.js";
import { revenueByPurpose, statement as readStatement } from "../lib/reads.js";
import { say } from "../lib/status.js";
import { wallet } from "../lib/wallet.js";

/** @import { MemberStatementPublic } from "../../types/api" */

/**
 * The whole statement as one CSV: a section column, then that section's fields.
 * @param {MemberStatementPublic} statement
 */
function statementCsv(statement) {
  /** @type {unknown[][]} */
  const rows = [["section", "token", "epoch", "amount", "units", "detail", "timestamp", "tx_hash"]];
  for (const item of statement.contributions) {
    rows.push(["contribution", "", item.epoch, "", item.net_units, `entries=${item.entries}; revoked_units=${item.revoked_units}; disputed=${item.disputed_entries}`, "", ""]);
  }
  for (const item of statement.allocations) rows.push(["allocation", item.token, item.epoch, item.amount, "", `plan=${item.plan_hash}`, "", ""]);
  for (const item of statement.tokens) {
    rows.push(["cumulative", item.token, "", item.cumulative, "", "", "", ""]);
    rows.push(["claimed", item.token, "", item.claimed, "", "", "", ""]);
    rows.push(["claimable", item.token, "", item.claimable, "", "", "", ""]);
  }
  for (const item of statement.consent_history) {
    rows.push(["consent", "", "", "", "", `${item.purpose || item.purpose_id}=${item.granted ? "granted" : "withdrawn"}`, item.timestamp, item.tx_hash]);
  }
  for (const item of statement.votes) {
    rows.push(["vote", "", "", item.weight, "", `proposal=${item.proposal_id}; ${item.support}${item.reason ? "; " + item.reason : ""}`, item.timestamp, item.tx_hash]);
  }
  return toCsv(rows);
}

/** @param {MemberStatementPublic} statement */
function downloadButton(statement) {
  return h(
    "button",
    {
      type: "button",
      class: "secondary",
      id: "download-csv",
      onclick: () => {
        const blob = new Blob([statementCsv(statement)], { type: "text/csv" });
        const link = h("a", { href: URL.createObjectURL(blob), download: `statement-${statement.address}.csv` });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
        say("The statement was downloaded as CSV.");
      },
    },
    "Download CSV",
  );
}

/**
 * The member's own consent form (their wallet is connected).
 * @param {string} address
 * @param {string[]} purposes the registered purposes to suggest
 */
function consentForm(address, purposes) {
  const input = h("input", { type: "text", id: "consent-purpose", name: "purpose", list: "known-purposes", autocomplete: "off" });
  return h(
    "fieldset",
    { class: "consent-form" },
    h("legend", {}, "Change your consent (signed in your wallet, sent by the relay: no ETH needed)"),
    h("div", { class: "field" }, h("label", { for: "consent-purpose" }, "Purpose (its registered name)"), input,
      h("datalist", { id: "known-purposes" }, purposes.map((name) => h("option", { value: name })))),
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", id: "consent-give", onclick: () => changeConsent(address, input.value.trim(), true) }, "Give consent"),
      h("button", { type: "button", id: "consent-withdraw", class: "secondary", onclick: () => changeConsent(address, input.value.trim(), false) }, "Withdraw consent"),
    ),
  );
}

/**
 * The statement of any address (route `#/members/<address>`).
 * @param {string} address
 */
export async function statementView(address) {
  if (!isAddress(address)) throw new ApiError(422, "invalid_request", `“${address}” is not an address`);
  const [statement, purposes] = await Promise.all([readStatement(address), revenueByPurpose()]);
  const member = statement.member;
  const view = h("div", { class: "statement", "data-address": statement.address });
  append(view,
    h("h1", {}, "Member statement"),
    h("p", { class: "mono" }, statement.address),
    h(
      "p",
      {},
      member
        ? [h("span", { class: `badge ${member.status === "member" ? "good" : "neutral"}` }, member.status), ` since ${formatTime(member.joined_at)}`,
          member.delegate ? [" — votes delegated to ", addressLink(member.delegate)] : ""]
        : h("span", { class: "badge neutral" }, "never a member"),
    ),
    h("div", { class: "row" }, downloadButton(statement), h("a", { href: `/v1/members/${statement.address}` }, "JSON")),
  );

  append(view,
    h(
      "section",
      { class: "card dividends" },
      h("h2", {}, "Dividends"),
      table(
        "Per token",
        ["Token", "Cumulative ", "Claimed ", "Claimable ", ""],
        statement.tokens.map((position) =>
          row(
            [
              tokenName(position.token),
              num(amount(position.cumulative, position.token)),
              num(amount(position.claimed, position.token)),
              num(amount(position.claimable, position.token)),
              BigInt(position.claimable) > 0n
                ? h("button", { type: "button", class: "claim", "data-token": position.token, onclick: () => claim(statement.address, position) },
                    `Claim ${formatAmount(position.claimable, position.token)}`)
                : "",
            ],
            { "data-token": position.token, "data-cumulative": position.cumulative, "data-claimed": position.claimed, "data-claimable": position.claimable },
          ),
        ),
      ),
      h("p", { class: "muted" }, "A claim always pays this address; the relay pays the gas."),
    ),
    h(
      "section",
      { class: "card contributions" },
      h("h2", {}, "Contributions per epoch"),
      table(
        "Recorded contributions (revoked entries subtracted)",
        ["Epoch", "Entries ", "Units ", "Revoked units ", "Net units ", "Disputed "],
        statement.contributions.map((item) =>
          row([String(item.epoch), num(item.entries), num(item.units), num(item.revoked_units), num(item.net_units), num(item.disputed_entries)], { "data-epoch": item.epoch, "data-net-units": item.net_units }),
        ),
      ),
    ),
    h(
      "section",
      { class: "card allocations" },
      h("h2", {}, "Allocations"),
      table(
        "What each funded plan allocated, per epoch",
        ["Token", "Epoch", "Amount ", "Plan"],
        statement.allocations.map((item) =>
          row([tokenName(item.token), String(item.epoch), num(amount(item.amount, item.token)), h("a", { href: `/v1/plans/${item.plan_hash}/document`, class: "mono" }, shortHash(item.plan_hash))],
            { "data-token": item.token, "data-epoch": item.epoch, "data-amount": item.amount }),
        ),
      ),
    ),
  );

  const consentCard = h(
    "section",
    { class: "card consent" },
    h("h2", {}, "Consent"),
    table(
      "Consent now",
      ["Purpose", "Consent", "Since"],
      statement.consents.map((item) => row([item.purpose || item.purpose_id, item.granted ? "given" : "withdrawn", formatTime(item.since)], { "data-purpose": item.purpose || item.purpose_id })),
    ),
    table(
      "History",
      ["Purpose", "Change", "When", "Transaction"],
      statement.consent_history.map((item) =>
        row([item.purpose || item.purpose_id, item.granted ? "given" : "withdrawn", formatTime(item.timestamp), h("span", { class: "mono" }, shortHash(item.tx_hash))]),
      ),
    ),
  );
  if (wallet.isAccount(statement.address) && member && member.status === "member") {
    const names = /** @type {Set<string>} */ (new Set(purposes.map((item) => item.purpose).filter((name) => name && name !== "general")));
    for (const item of statement.consents) if (item.purpose) names.add(item.purpose);
    append(consentCard, consentForm(statement.address, [...names].sort()));
  } else if (member && member.status === "member") {
    append(consentCard, h("p", { class: "muted" }, "Connect this member's wallet to change their consent."));
  }
  append(view,
    consentCard,
    h(
      "section",
      { class: "card member-votes" },
      h("h2", {}, "Votes"),
      table(
        "Votes cast",
        ["Proposal", "Vote", "Weight ", "Reason", "Relayed", "When"],
        statement.votes.map((vote) =>
          row([h("a", { href: `#/proposals/${vote.proposal_id}`, class: "mono", title: vote.proposal_id }, shortHash(vote.proposal_id)), vote.support, num(vote.weight), vote.reason, vote.relayed ? "yes" : "no", formatTime(vote.timestamp)],
            { "data-proposal-id": vote.proposal_id }),
        ),
      ),
    ),
  );
  return view;
}
