// @ts-check
// The relay (/v1/relay): the typed data a member signs, served as text (the wallet signs exactly those bytes), and the
// signed acts it submits on chain, paying the gas. Each function is one endpoint; the actions/ modules use them.

import { getText, post } from "./api.js";

/** @import { SubmissionPublic } from "../../types/api" */

/**
 * The EIP-712 ballot for `voter`, as text.
 * @param {URLSearchParams} query proposalId, support, voter and (optionally) reason
 */
export function ballotTypedData(query) {
  return getText(`/v1/relay/typed-data/ballot?${query}`);
}

/**
 * The EIP-712 consent change for `member`, as text.
 * @param {URLSearchParams} query member, purpose and granted
 */
export function consentTypedData(query) {
  return getText(`/v1/relay/typed-data/consent?${query}`);
}

/**
 * @param {Record<string, unknown>} ballot the signed ballot's fields and its signature
 * @returns {Promise<SubmissionPublic>}
 */
export function submitVote(ballot) {
  return post("/v1/relay/votes", ballot);
}

/**
 * @param {Record<string, unknown>} change the signed consent change's fields and its signature
 * @returns {Promise<SubmissionPublic>}
 */
export function submitConsent(change) {
  return post("/v1/relay/consent", change);
}

/**
 * Claim everything `account` can claim of `token`; the dividend goes to the account (no signature needed).
 * @param {string} account
 * @param {string} token
 * @returns {Promise<SubmissionPublic>}
 */
export function submitClaim(account, token) {
  return post("/v1/relay/claims", { account, token });
}
