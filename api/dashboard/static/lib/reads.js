// @ts-check
// Every read of the /v1 API that the views and actions make, one function per endpoint, each typed with the answer's
// model (api/dashboard/types/api.d.ts): a view never spells a URL, and the type checker knows what comes back.

import { get, getAll, getText } from "./api.js";

/**
 * @import {
 *   DistributionPublic, EpochPublic, MemberPublic, MemberStatementPublic, PagePublic, PeriodFlowPublic, PlanPublic,
 *   ProposalPublic, RevenueByPayerPublic, RevenueByPurposePublic, TreasuryPublic, VotePublic,
 * } from "../../types/api"
 */

/** @returns {Promise<TreasuryPublic>} */
export function treasury() {
  return get("/v1/treasury");
}

/** @returns {Promise<PeriodFlowPublic[]>} money in and out of each token, per epoch */
export function epochFlows() {
  return getAll("/v1/treasury/flows", { period: "epoch" });
}

/** @returns {Promise<RevenueByPurposePublic[]>} */
export function revenueByPurpose() {
  return getAll("/v1/treasury/revenue/by-purpose");
}

/** @returns {Promise<RevenueByPayerPublic[]>} */
export function revenueByPayer() {
  return getAll("/v1/treasury/revenue/by-payer");
}

/** @returns {Promise<EpochPublic[]>} */
export function epochs() {
  return getAll("/v1/epochs");
}

/** @returns {Promise<DistributionPublic[]>} */
export function distributions() {
  return getAll("/v1/distributions");
}

/** @returns {Promise<PlanPublic[]>} */
export function plans() {
  return getAll("/v1/plans");
}

/**
 * A plan document as text, byte-exact (its keccak is the plan hash).
 * @param {string} url a distribution's document_url
 */
export function planDocumentText(url) {
  return getText(url);
}

/** @returns {Promise<ProposalPublic[]>} */
export function proposals() {
  return getAll("/v1/proposals");
}

/**
 * @param {string} proposalId
 * @returns {Promise<ProposalPublic>}
 */
export function proposal(proposalId) {
  return get(`/v1/proposals/${proposalId}`);
}

/**
 * @param {string} votesUrl a proposal's votes_url
 * @returns {Promise<VotePublic[]>}
 */
export function votesAt(votesUrl) {
  return getAll(votesUrl);
}

/**
 * @param {string} proposalId
 * @returns {Promise<VotePublic[]>}
 */
export function proposalVotes(proposalId) {
  return getAll(`/v1/proposals/${proposalId}/votes`);
}

/**
 * One page of members and former members, by address.
 * @param {number} limit
 * @param {string | null} [cursor] the previous page's next_cursor (none: the first page)
 * @returns {Promise<PagePublic<MemberPublic>>}
 */
export function membersPage(limit, cursor = null) {
  if (cursor === null) return get(`/v1/members?status=all&limit=${limit}`);
  return get(`/v1/members?${new URLSearchParams({ status: "all", limit: String(limit), cursor })}`);
}

/**
 * @param {string} address
 * @returns {Promise<MemberStatementPublic>}
 */
export function statement(address) {
  return get(`/v1/members/${address}`);
}
