// @ts-check
// Epochs and distributions (route `#/epochs`): each epoch's contributions and pot, and every distribution that paid
// it, with the plan document read and checked against the chain's funding event in the browser.

import { amount, figures, verificationBadge } from "../lib/components.js";
import { append, h } from "../lib/dom.js";
import { formatTime, tokenName } from "../lib/format.js";
import { MAX_PLAN_ACCOUNTS_IN_BROWSER, documentMismatches, epochPayout, planDocument } from "../lib/plan-document.js";
import { distributions as readDistributions, epochs as readEpochs, plans as readPlans } from "../lib/reads.js";
import { explain } from "../lib/status.js";

/**
 * @import { Child } from "../lib/dom.js"
 * @import { PlanDocument } from "../../types/api"
 */

/** @typedef {{ error: string }} Unreadable a plan document that could not be read, and why */

export async function epochsView() {
  const [epochs, distributions, plans] = await Promise.all([readEpochs(), readDistributions(), readPlans()]);
  const byPlan = new Map(distributions.map((item) => [item.plan_hash, item]));
  const leaves = new Map(plans.map((plan) => [plan.plan_hash, plan.accounts]));
  /** @type {Map<string, PlanDocument | Unreadable>} */
  const documents = new Map();
  await Promise.all(
    distributions
      .filter((item) => item.plan_stored && (leaves.get(item.plan_hash) || 0) <= MAX_PLAN_ACCOUNTS_IN_BROWSER)
      .map(async (item) => {
        try {
          documents.set(item.plan_hash, await planDocument(item.document_url));
        } catch (error) {
          documents.set(item.plan_hash, { error: explain(error) });
        }
      }),
  );
  const view = h("div", {}, h("h1", {}, "Epochs and distributions"));
  const cards = [];
  for (const epoch of [...epochs].reverse()) {
    const card = h("section", { class: "card epoch", id: `epoch-${epoch.epoch}`, "data-epoch": epoch.epoch });
    append(card,
      h("h2", {}, `Epoch ${epoch.epoch} `, h("span", { class: `badge ${epoch.final ? "neutral" : "warn"}` }, epoch.final ? "final" : "open")),
      h("p", { class: "muted" }, `${formatTime(epoch.start)} to ${formatTime(epoch.end)}; entries can change until ${formatTime(epoch.grace_end)}.`),
      figures([
        ["Contributors", String(epoch.contributors), "contributors"],
        ["Units (net of revocations)", epoch.net_units, "net_units"],
        ["Disputed entries", String(epoch.disputes), "disputes"],
      ]),
    );
    /** @type {Map<string, bigint>} */
    const pots = new Map();
    for (const revenue of epoch.revenue) {
      pots.set(revenue.token, (pots.get(revenue.token) || 0n) + BigInt(revenue.amount));
    }
    append(card,
      h("h3", {}, "Pot (revenue of the epoch)"),
      pots.size
        ? h("ul", {}, [...pots].map(([token, total]) => h("li", { "data-pot-token": token, "data-pot": total.toString() }, amount(total.toString(), token))))
        : h("p", { class: "muted" }, "No revenue in this epoch."),
    );
    if (!epoch.funded_by.length) {
      append(card, h("p", { class: "muted" }, epoch.final ? "Not distributed yet: a plan must be proposed and voted." : "Still open."));
    }
    for (const funding of epoch.funded_by) {
      const distribution = byPlan.get(funding.plan_hash);
      const document = documents.get(funding.plan_hash);
      const block = h("div", { class: "distribution", "data-token": funding.token, "data-plan-hash": funding.plan_hash });
      append(block, h("h3", {}, `Distribution in ${tokenName(funding.token)} (epochs ${funding.from_epoch + 1}–${funding.through_epoch})`));
      /** @type {string[]} */
      let mismatches = [];
      /** @type {[string, Child, string][]} */
      const entries = [];
      if (document && !("error" in document) && distribution) {
        mismatches = documentMismatches(distribution, document);
        const payout = epochPayout(document, epoch.epoch);
        entries.push(["Members paid", String(payout.members), "members_paid"], ["Allocated to members", amount(payout.allocated, funding.token), "allocated"]);
      } else if (document && "error" in document) {
        mismatches = [`the plan document could not be read: ${document.error}`];
      } else if (distribution && distribution.plan_stored) {
        entries.push(["Accounts in the plan", String(leaves.get(funding.plan_hash) ?? "—"), "plan_accounts"]);
      }
      if (distribution) entries.push(["Funded in this round", amount(distribution.amount, funding.token), "round_amount"]);
      append(block,
        figures(entries),
        h(
          "dl",
          { class: "hashes" },
          h("dt", {}, "Root"),
          h("dd", { class: "mono", "data-root": distribution ? distribution.root : "" }, distribution ? distribution.root : "—"),
          h("dt", {}, "Plan hash"),
          h("dd", { class: "mono" }, funding.plan_hash),
        ),
        verificationBadge(distribution ? distribution.verification : null, mismatches),
        h("p", {}, h("a", { href: distribution ? distribution.document_url : `${funding.plan_url}/document`, class: "plan-link" }, "Plan document (JSON, byte-exact)")),
      );
      append(card, block);
    }
    cards.push(card);
  }
  append(view, ...cards);
  if (!cards.length) append(view, h("p", {}, "Epoch 1 has not started yet."));
  return view;
}
