// @ts-check
// Plan documents read in the browser: fetched once per page load, and checked against the chain's funding event, so
// a member sees for themself that the served document is the one funded.

import { shortHash, tokenName } from "./format.js";
import { planDocumentText } from "./reads.js";

/** @import { DistributionPublic, PlanDocument } from "../../types/api" */

/** Plans with more leaves than this are not downloaded by the page (the document grows with the members). */
export const MAX_PLAN_ACCOUNTS_IN_BROWSER = 20_000;

/** @type {Map<string, Promise<PlanDocument>>} */
const planDocuments = new Map();

/**
 * The plan document at `url`, parsed; read once per page load.
 * @param {string} url
 * @returns {Promise<PlanDocument>}
 */
export async function planDocument(url) {
  let document = planDocuments.get(url);
  if (document === undefined) {
    document = planDocumentText(url).then((text) => JSON.parse(text));
    planDocuments.set(url, document);
  }
  return document;
}

/**
 * What the served plan document says that the chain's funding event contradicts (checked in the browser).
 * @param {DistributionPublic} distribution
 * @param {PlanDocument} document
 */
export function documentMismatches(distribution, document) {
  const problems = [];
  if (document.root.toLowerCase() !== distribution.root.toLowerCase()) {
    problems.push(`the plan document's root ${shortHash(document.root)} is not the root funded on chain ${shortHash(distribution.root)}`);
  }
  if (document.token.toLowerCase() !== distribution.token.toLowerCase()) {
    problems.push(`the plan document is for ${tokenName(document.token)}, the funding for ${tokenName(distribution.token)}`);
  }
  if (document.fromEpoch !== distribution.from_epoch || document.throughEpoch !== distribution.through_epoch) {
    problems.push(
      `the plan document covers epochs ${document.fromEpoch + 1}–${document.throughEpoch}, the funding ${distribution.from_epoch + 1}–${distribution.through_epoch}`,
    );
  }
  if (document.totals && document.totals.amount !== distribution.amount) {
    problems.push(`the plan allocates ${document.totals.amount} but ${distribution.amount} was funded`);
  }
  return problems;
}

/**
 * Members paid and the amount allocated to them in one epoch of a plan document.
 * @param {PlanDocument} document
 * @param {number} epoch
 */
export function epochPayout(document, epoch) {
  const section = (document.epochs || []).find((item) => item.epoch === epoch);
  const accounts = new Set();
  let allocated = 0n;
  for (const purpose of section ? section.purposes : []) {
    for (const [account, value] of Object.entries(purpose.allocations || {})) {
      if (BigInt(value) > 0n) {
        accounts.add(account.toLowerCase());
        allocated += BigInt(value);
      }
    }
  }
  return { members: accounts.size, allocated: allocated.toString() };
}
