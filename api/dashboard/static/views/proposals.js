// @ts-check
// Proposals (routes `#/proposals` and `#/proposals/<id>`): what each proposal does, its tallies (kept live while it is
// open), the votes cast, and the member's own vote, signed in their wallet and sent by the relay.

import { castVote } from "../actions/vote.js";
import { addressLink, amount, num, row, table, verificationBadge } from "../lib/components.js";
import { append, byId, h } from "../lib/dom.js";
import { ETH, formatAmount, formatTime, relativeTime, shortAddress, shortHash, tokenName } from "../lib/format.js";
import { currentRouteName } from "../lib/navigation.js";
import { proposal as readProposal, proposals as readProposals, treasury as readTreasury, votesAt } from "../lib/reads.js";
import { explain } from "../lib/status.js";

/** @import { ProposalActionPublic, ProposalPublic, ProposalState, Support, TallyPublic } from "../../types/api" */

/** @type {Partial<Record<ProposalState, string>>} */
const STATE_CLASSES = { active: "warn", executed: "good", succeeded: "good", queued: "good", defeated: "bad", canceled: "bad" };

/** @param {TallyPublic} tally */
function tallyView(tally) {
  const eligible = Math.max(1, tally.eligible_votes);
  /** @param {string | number} value */
  const share = (value) => `${Math.min(100, (Number(value) / eligible) * 100).toFixed(1)}%`;
  const quorum = tally.quorum === null ? null : Number(tally.quorum);
  /**
   * @param {string} label
   * @param {string} key
   * @param {string} value
   */
  const line = (label, key, value) =>
    h(
      "div",
      { class: "tally-row" },
      h("span", {}, label),
      h(
        "div",
        { class: "tally-bar", role: "presentation" },
        h("div", { class: `tally-fill ${key}`, style: `width:${share(value)}` }),
        quorum !== null && key === "for" ? h("div", { class: "quorum-line", style: `left:${share(quorum)}`, title: "quorum" }) : null,
      ),
      h("span", { class: "num", "data-count": key }, value),
    );
  // The governor's rule at the snapshot (DESIGN.md §8), so a member sees why the quorum is what it is.
  const quorumRule =
    tally.quorum_percent === null || tally.min_quorum === null
      ? ""
      : ` The quorum is ${tally.quorum_percent} % of the members rounded up, at least ${tally.min_quorum}.`;
  const quorumText =
    quorum === null
      ? "Quorum unknown."
      : `Quorum: ${tally.quorum} of ${tally.eligible_votes} votes (for + abstain) — ${tally.quorum_reached ? "reached" : "not reached yet"}.${quorumRule}`;
  return h(
    "div",
    {
      class: "tally",
      "data-for": tally.for_votes,
      "data-against": tally.against_votes,
      "data-abstain": tally.abstain_votes,
      "data-voters": tally.voters,
      "data-quorum": tally.quorum,
    },
    line("For", "for", tally.for_votes),
    line("Against", "against", tally.against_votes),
    line("Abstain", "abstain", tally.abstain_votes),
    h("p", { class: "muted" }, `${tally.voters} voter${tally.voters === 1 ? "" : "s"}. ${quorumText}`),
  );
}

/** @param {ProposalActionPublic} action */
function actionView(action) {
  if (action.fund_dividends) {
    const fund = action.fund_dividends;
    return h(
      "li",
      { class: "action fund-dividends" },
      `Fund dividends in ${tokenName(fund.token)} for epochs ${fund.epochs.join(", ")}: `,
      amount(fund.amount, fund.token),
      " to members, ",
      amount(fund.reserve_released, fund.token),
      " reserve released. Plan ",
      h("a", { href: fund.document_url, class: "mono" }, shortHash(fund.plan_hash)),
      " ",
      verificationBadge(fund.verification),
    );
  }
  const token = action.args && typeof action.args.token === "string" ? action.args.token : null;
  const args = Object.entries(action.args || {}).map(([name, value]) => {
    if (token && name === "amount" && /^[0-9]+$/.test(String(value))) return `${name} = ${formatAmount(String(value), token)} (${value})`;
    return `${name} = ${typeof value === "object" ? JSON.stringify(value) : value}`;
  });
  const name = action.function ? `${action.target_contract || shortAddress(action.target)}.${action.function}` : `call ${shortAddress(action.target)}`;
  return h(
    "li",
    { class: "action" },
    h("code", {}, name),
    args.length ? h("ul", {}, args.map((text) => h("li", { class: "mono" }, text))) : null,
    action.value !== "0" ? h("span", {}, " with ", amount(action.value, ETH)) : null,
  );
}

/** @param {ProposalPublic} proposal */
function voteControls(proposal) {
  const reasonId = `reason-${proposal.proposal_id}`;
  const reason = h("input", { type: "text", id: reasonId, name: "reason", maxlength: 500, autocomplete: "off" });
  /**
   * @param {string} label
   * @param {Support} support
   */
  const button = (label, support) =>
    h("button", { type: "button", class: "vote", "data-support": support, onclick: () => castVote(proposal, support, reason.value.trim()) }, label);
  return h(
    "fieldset",
    { class: "vote-form" },
    h("legend", {}, "Your vote (signed in your wallet, sent by the relay: no ETH needed)"),
    h("div", { class: "field" }, h("label", { for: reasonId }, "Reason (optional, signed with your vote)"), reason),
    h("div", { class: "vote-buttons" }, button("Vote for", "for"), button("Vote against", "against"), button("Abstain", "abstain")),
  );
}

/**
 * The votes cast on a proposal, read when its list is first opened (a large union casts thousands).
 * @param {ProposalPublic} proposal
 */
function votesList(proposal) {
  const body = h("div", { class: "votes-body" }, h("p", { class: "muted" }, "Loading the votes…"));
  let loaded = false;
  const details = h(
    "details",
    { class: "votes" },
    h("summary", {}, `Votes cast (${proposal.tally.voters})`),
    body,
    h("p", {}, h("a", { href: `/v1/proposals/${proposal.proposal_id}/votes.csv`, download: "" }, "Download the votes as CSV")),
  );
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const cast = await votesAt(proposal.votes_url);
      body.replaceChildren(
        table(
          "Votes cast",
          ["Voter", "Vote", "Weight ", "Reason", "Relayed", "When"],
          cast.map((vote) =>
            row([addressLink(vote.voter), vote.support, num(vote.weight), vote.reason, vote.relayed ? "yes" : "no", formatTime(vote.timestamp)], { "data-voter": vote.voter }),
          ),
        ),
      );
    } catch (error) {
      loaded = false;
      body.replaceChildren(h("p", { class: "notice" }, `Could not load the votes: ${explain(error)}`));
    }
  });
  return details;
}

/**
 * Every proposal, or only the one with id `only` (route `#/proposals/<id>`).
 * @param {string | null} [only]
 */
export async function proposalsView(only = null) {
  const [proposals, treasury] = await Promise.all([
    only ? readProposal(encodeURIComponent(only)).then((proposal) => [proposal]) : readProposals(),
    readTreasury(),
  ]);
  const view = h("div", {}, h("h1", {}, only ? "Proposal" : "Proposals"));
  if (only) append(view, h("p", {}, h("a", { href: "#/proposals" }, "All proposals")));
  if (!proposals.length) append(view, h("p", {}, "No proposal has been made yet."));
  // Deadlines are chain time: count from the last indexed block, not from this computer's clock.
  const now = treasury.as_of_timestamp || Date.now() / 1000;
  proposals.forEach((proposal) => {
    const [title, ...rest] = proposal.description.split("\n");
    const stateClass = STATE_CLASSES[proposal.state] || "neutral";
    const card = h("section", { class: "card proposal", id: `proposal-${proposal.proposal_id}`, "data-proposal-id": proposal.proposal_id, "data-state": proposal.state });
    append(card,
      h(
        "h2",
        {},
        only ? title || "(no description)" : h("a", { href: `#/proposals/${proposal.proposal_id}` }, title || "(no description)"),
        " ",
        h("span", { class: `badge ${stateClass}` }, proposal.state),
      ),
      rest.join("\n").trim() ? h("p", {}, rest.join("\n").trim()) : null,
      h(
        "p",
        { class: "muted" },
        "Proposed by ", addressLink(proposal.proposer), ` on ${formatTime(proposal.created_at)}. `,
        `Voting ${proposal.vote_start > now ? "opens" : "opened"} ${formatTime(proposal.vote_start)}; `,
        `deadline ${formatTime(proposal.deadline)} (${relativeTime(proposal.deadline, now)} as of the last indexed block).`,
        proposal.eta ? ` Executable from ${formatTime(proposal.eta)}.` : "",
        proposal.executed_at ? ` Executed ${formatTime(proposal.executed_at)}.` : "",
        proposal.canceled_at ? ` Canceled ${formatTime(proposal.canceled_at)}.` : "",
      ),
      tallyView(proposal.tally),
      h("h3", {}, "What it does"),
      h("ol", { class: "actions-list" }, proposal.actions.map(actionView)),
    );
    if (proposal.state === "active") append(card, voteControls(proposal));
    append(
      card,
      votesList(proposal),
      h("p", { class: "muted mono" }, `Proposal id ${proposal.proposal_id}`),
    );
    append(view, card);
  });
  if (proposals.some((proposal) => proposal.state === "active")) keepTalliesLive();
  return view;
}

const LIVE_INTERVAL_MS = 15_000;
/** @type {ReturnType<typeof setInterval> | undefined} */
let liveTimer;

/** Keep the tallies of open proposals live: redraw just the tallies (never a form the member is filling in). */
function keepTalliesLive() {
  clearInterval(liveTimer);
  liveTimer = setInterval(async () => {
    const route = currentRouteName();
    if (route !== "proposals" && route !== "proposal") {
      clearInterval(liveTimer);
      return;
    }
    if (document.hidden) return;
    for (const card of byId("main").querySelectorAll(/** @type {"section"} */ ('section.proposal[data-state="active"]'))) {
      try {
        const fresh = await readProposal(String(card.dataset.proposalId));
        const shown = card.querySelector(/** @type {"div"} */ (".tally"));
        if (shown && shown.dataset.voters !== String(fresh.tally.voters)) shown.replaceWith(tallyView(fresh.tally));
      } catch {
        // Try again at the next tick; the page's actions report their own failures.
      }
    }
  }, LIVE_INTERVAL_MS);
}
