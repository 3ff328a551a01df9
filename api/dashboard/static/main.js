// The dashboard: hash-routed views over the /v1 API, and a member's actions through the relay with their wallet.

import { ApiError, get, getAll, getText, post } from "./api.js";
import { balanceChart, barChart, chartTable } from "./charts.js";
import {
  ETH,
  append,
  formatAmount,
  formatTime,
  h,
  isAddress,
  relativeTime,
  shortAddress,
  shortHash,
  toCsv,
  tokenName,
} from "./format.js";
import { Wallet, WalletError } from "./wallet.js";

const wallet = new Wallet();
const main = document.getElementById("main");
const statusBox = document.getElementById("status");
const alertBox = document.getElementById("alert");
const connectButton = document.getElementById("connect");
const accountBox = document.getElementById("account");

const POLL_INTERVAL_MS = 2000;
const POLL_ATTEMPTS = 60;

// ---------------------------------------------------------------- status messages (aria-live) and errors (alert)

function say(message) {
  statusBox.textContent = message;
}

function fail(message) {
  alertBox.textContent = message;
  alertBox.hidden = false;
}

function clearAlert() {
  alertBox.textContent = "";
  alertBox.hidden = true;
}

function explain(error) {
  if (error instanceof ApiError || error instanceof WalletError) return error.message;
  return `unexpected error: ${error && error.message ? error.message : error}`;
}

/** Run a member's action: every step says what is happening; a failure says what failed, in words. */
async function act(what, steps) {
  clearAlert();
  try {
    await steps();
  } catch (error) {
    say("");
    fail(`${what} failed: ${explain(error)}`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Re-read until ``check`` is true (the indexer has caught up with a transaction), then re-render. */
async function refreshWhen(check, doneMessage) {
  for (let attempt = 0; attempt < POLL_ATTEMPTS; attempt += 1) {
    await sleep(POLL_INTERVAL_MS);
    try {
      if (await check()) {
        say(doneMessage);
        await render({ keepStatus: true });
        return;
      }
    } catch {
      // The API may be briefly unreachable; keep waiting.
    }
  }
  say("The transaction is on chain; the indexer has not reached it yet. Reload the page later to see it here.");
}

// ---------------------------------------------------------------- shared pieces

function addressLink(address) {
  return h("a", { href: `#/members/${address}`, class: "mono", title: address }, shortAddress(address));
}

function amount(wei, token) {
  return h("span", { class: "amount", "data-wei": String(wei), title: `${wei} (smallest unit)` }, formatAmount(wei, token));
}

function figures(entries) {
  return h(
    "dl",
    { class: "figures" },
    entries.map(([term, value, key]) => h("div", { "data-figure": key || null }, h("dt", {}, term), h("dd", {}, value))),
  );
}

function labelCells(headings, rows) {
  for (const tableRow of rows) {
    [...tableRow.children].forEach((cell, index) => {
      if (headings[index] && headings[index].trim()) cell.dataset.label = headings[index].trim();
    });
  }
}

/** A table that becomes a list of labelled cards on a phone (each cell carries its column's name). */
function table(caption, headings, rows, attributes = {}) {
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

function row(cells, attributes = {}) {
  return h("tr", attributes, cells.map((cell) => (cell instanceof Node && cell.tagName === "TD" ? cell : h("td", {}, cell))));
}

function num(value) {
  return h("td", { class: "num" }, value);
}

/** The verdict of the latest independent recomputation of a plan from chain data. */
function verificationBadge(verification, mismatches = []) {
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

// ---------------------------------------------------------------- overview: treasury, revenue, reserve

async function overviewView() {
  const [treasury, flows, byPurpose, byPayer] = await Promise.all([
    get("/v1/treasury"),
    getAll("/v1/treasury/flows", { period: "epoch" }),
    getAll("/v1/treasury/revenue/by-purpose"),
    getAll("/v1/treasury/revenue/by-payer"),
  ]);
  const view = h("div", {}, h("h1", {}, "Treasury"));
  append(view,
    h(
      "p",
      { class: "muted" },
      treasury.as_of_block === null
        ? "Nothing indexed yet."
        : `As of block ${treasury.as_of_block} (${formatTime(treasury.as_of_timestamp)}).`,
    ),
  );
  if (!treasury.tokens.length) append(view, h("p", {}, "The treasury has not received anything yet."));
  for (const books of treasury.tokens) {
    const token = books.token;
    const card = h("section", { class: "card token-books", "data-token": token, "aria-labelledby": `books-${token}` });
    append(card,
      h("h2", { id: `books-${token}` }, tokenName(token)),
      figures([
        ["Balance (booked)", amount(books.booked_balance, token), "booked_balance"],
        ["Earmarked for members", amount(books.earmarked, token), "earmarked"],
        ["Reserve (free to spend by vote)", amount(books.free, token), "free"],
        ["Reserve released by plans", amount(books.reserve_released, token), "reserve_released"],
        ["Revenue", amount(books.revenue, token), "revenue"],
        ["Dividends funded", amount(books.dividends_funded, token), "dividends_funded"],
        ["Claimed by members", amount(books.claimed, token), "claimed"],
        ["Unclaimed", amount(books.unclaimed, token), "unclaimed"],
      ]),
    );
    let running = 0n;
    const points = flows
      .filter((flow) => flow.token === token)
      .map((flow) => {
        running += BigInt(flow.money_in) - BigInt(flow.money_out);
        return { time: flow.start, balance: running.toString(), label: `epoch ${flow.period}`, flow };
      });
    const history = h("div", { class: "chart-block" });
    const revenue = h("div", { class: "chart-block" });
    append(card, h("div", { class: "grid two charts" }, history, revenue));
    if (points.length) {
      append(
        history,
        h("h3", {}, "Balance over time (after each epoch)"),
        balanceChart(token, points, `${tokenName(token)} balance over time`),
        chartTable(
          `${tokenName(token)}: money in and out per epoch`,
          ["Epoch", "In", "Out", "Balance after"],
          points.map((point) => [
            point.flow.period,
            formatAmount(point.flow.money_in, token),
            formatAmount(point.flow.money_out, token),
            formatAmount(point.balance, token),
          ]),
        ),
      );
    }
    const purposes = byPurpose.filter((item) => item.token === token);
    if (purposes.length) {
      const rows = purposes.map((item) => ({ label: item.purpose || shortHash(item.purpose_id), amount: item.amount }));
      append(
        revenue,
        h("h3", {}, "Revenue by purpose"),
        barChart(token, rows, `${tokenName(token)} revenue by data-use purpose`, "purpose"),
        chartTable(
          `${tokenName(token)} revenue by purpose`,
          ["Purpose", "Revenue", "Payments"],
          purposes.map((item) => [item.purpose || item.purpose_id, formatAmount(item.amount, token), item.payments]),
        ),
      );
    }
    const payers = byPayer.filter((item) => item.token === token);
    if (payers.length) {
      append(
        revenue,
        h("h3", {}, "Revenue by payer"),
        barChart(token, payers.map((item) => ({ label: shortAddress(item.payer), amount: item.amount })),
          `${tokenName(token)} revenue by payer`, "payer"),
        chartTable(
          `${tokenName(token)} revenue by payer`,
          ["Payer", "Revenue", "Payments"],
          payers.map((item) => [h("span", { class: "mono" }, item.payer), formatAmount(item.amount, token), item.payments]),
        ),
      );
    }
    append(view, card);
  }
  return view;
}

// ---------------------------------------------------------------- epochs and distributions

const planDocuments = new Map();

async function planDocument(url) {
  if (!planDocuments.has(url)) {
    planDocuments.set(url, getText(url).then((text) => JSON.parse(text)));
  }
  return planDocuments.get(url);
}

/** What the served plan document says that the chain's funding event contradicts (checked in the browser). */
function documentMismatches(distribution, document) {
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

/** Members paid and the amount allocated to them in one epoch of a plan document. */
function epochPayout(document, epoch) {
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

/** Plans with more leaves than this are not downloaded by the page (the document grows with the members). */
const MAX_PLAN_ACCOUNTS_IN_BROWSER = 20_000;

async function epochsView() {
  const [epochs, distributions, plans] = await Promise.all([getAll("/v1/epochs"), getAll("/v1/distributions"), getAll("/v1/plans")]);
  const byPlan = new Map(distributions.map((item) => [item.plan_hash, item]));
  const leaves = new Map(plans.map((plan) => [plan.plan_hash, plan.accounts]));
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
      let mismatches = [];
      const entries = [];
      if (document && !document.error && distribution) {
        mismatches = documentMismatches(distribution, document);
        const payout = epochPayout(document, epoch.epoch);
        entries.push(["Members paid", String(payout.members), "members_paid"], ["Allocated to members", amount(payout.allocated, funding.token), "allocated"]);
      } else if (document && document.error) {
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

// ---------------------------------------------------------------- proposals and voting

function tallyView(tally) {
  const eligible = Math.max(1, tally.eligible_votes);
  const share = (value) => `${Math.min(100, (Number(value) / eligible) * 100).toFixed(1)}%`;
  const quorum = tally.quorum === null ? null : Number(tally.quorum);
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

function voteControls(proposal) {
  const reasonId = `reason-${proposal.proposal_id}`;
  const reason = h("input", { type: "text", id: reasonId, name: "reason", maxlength: 500, autocomplete: "off" });
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

async function ensureConnected() {
  if (!wallet.account) {
    say("Asking your wallet to connect…");
    await wallet.connect();
  }
  return wallet.account;
}

async function checkChain(payload) {
  const expected = Number(payload.domain.chainId);
  if (wallet.chainId !== null && wallet.chainId !== expected) {
    throw new WalletError(`your wallet is on chain ${wallet.chainId} but the union is on chain ${expected}: switch networks in your wallet`);
  }
}

async function castVote(proposal, support, reason) {
  await act("Voting", async () => {
    const voter = await ensureConnected();
    say(`Preparing your ballot (${support}) for you to sign…`);
    const query = new URLSearchParams({ proposalId: proposal.proposal_id, support, voter });
    if (reason) query.set("reason", reason);
    const payloadText = await getText(`/v1/relay/typed-data/ballot?${query}`);
    const payload = JSON.parse(payloadText);
    await checkChain(payload);
    say("Waiting for your signature in the wallet…");
    const signature = await wallet.signTypedData(payloadText);
    say("Sending your signed ballot to the relay…");
    const message = payload.message;
    const body = { proposalId: message.proposalId, support: message.support, voter: message.voter, nonce: message.nonce, signature, chainId: payload.domain.chainId };
    if ("reason" in message) Object.assign(body, { reason: message.reason, params: message.params });
    const result = await post("/v1/relay/votes", body);
    say(`Your vote (${support}) was cast in transaction ${result.transaction_hash}${result.block_number ? ` (block ${result.block_number})` : ""}. The tallies update when the indexer reads that block…`);
    refreshWhen(async () => {
      const votes = await getAll(`/v1/proposals/${proposal.proposal_id}/votes`);
      return votes.some((vote) => vote.voter.toLowerCase() === voter.toLowerCase());
    }, `Your vote (${support}) is cast and counted in the tallies below.`);
  });
}

/** The votes cast on a proposal, read when its list is first opened (a large union casts thousands). */
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
      const cast = await getAll(proposal.votes_url);
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

async function proposalsView(only = null) {
  const [proposals, treasury] = await Promise.all([
    only ? get(`/v1/proposals/${encodeURIComponent(only)}`).then((proposal) => [proposal]) : getAll("/v1/proposals"),
    get("/v1/treasury"),
  ]);
  const view = h("div", {}, h("h1", {}, only ? "Proposal" : "Proposals"));
  if (only) append(view, h("p", {}, h("a", { href: "#/proposals" }, "All proposals")));
  if (!proposals.length) append(view, h("p", {}, "No proposal has been made yet."));
  // Deadlines are chain time: count from the last indexed block, not from this computer's clock.
  const now = treasury.as_of_timestamp || Date.now() / 1000;
  proposals.forEach((proposal) => {
    const [title, ...rest] = proposal.description.split("\n");
    const stateClass = { active: "warn", executed: "good", succeeded: "good", queued: "good", defeated: "bad", canceled: "bad" }[proposal.state] || "neutral";
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
let liveTimer = null;

/** Keep the tallies of open proposals live: redraw just the tallies (never a form the member is filling in). */
function keepTalliesLive() {
  clearInterval(liveTimer);
  liveTimer = setInterval(async () => {
    const route = parseRoute().name;
    if (route !== "proposals" && route !== "proposal") {
      clearInterval(liveTimer);
      return;
    }
    if (document.hidden) return;
    for (const card of main.querySelectorAll('section.proposal[data-state="active"]')) {
      try {
        const fresh = await get(`/v1/proposals/${card.dataset.proposalId}`);
        const shown = card.querySelector(".tally");
        if (shown && shown.dataset.voters !== String(fresh.tally.voters)) shown.replaceWith(tallyView(fresh.tally));
      } catch {
        // Try again at the next tick; the page's actions report their own failures.
      }
    }
  }, LIVE_INTERVAL_MS);
}

// ---------------------------------------------------------------- members and statements

function lookupForm(value = "") {
  const input = h("input", { type: "text", id: "member-address", name: "address", value, placeholder: "0x…", spellcheck: "false", autocomplete: "off", "aria-describedby": "member-address-help" });
  return h(
    "form",
    {
      class: "inline lookup",
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

function memberRow(member) {
  return row([
    h("a", { href: `#/members/${member.address}`, class: "mono" }, member.address),
    member.status,
    formatTime(member.joined_at),
    member.delegate ? addressLink(member.delegate) : "self",
  ]);
}

async function membersView() {
  const first = await get(`/v1/members?status=all&limit=${MEMBERS_PAGE}`);
  const view = h("div", {}, h("h1", {}, "Members"), h("section", { class: "card" }, h("h2", {}, "Look up a statement"), lookupForm()));
  if (wallet.account) append(view, h("p", {}, h("a", { href: `#/members/${wallet.account}` }, "Your statement")));
  const list = table("Members and former members, by address", MEMBER_HEADINGS, first.items.map(memberRow));
  const body = list.querySelector("tbody");
  let cursor = first.next_cursor;
  const more = h("button", { type: "button", class: "secondary", hidden: !cursor }, `Show ${MEMBERS_PAGE} more`);
  more.addEventListener("click", () =>
    act("Loading more members", async () => {
      more.disabled = true;
      const page = await get(`/v1/members?${new URLSearchParams({ status: "all", limit: String(MEMBERS_PAGE), cursor })}`);
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

/** The whole statement as one CSV: a section column, then that section's fields. */
function statementCsv(statement) {
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

async function claim(address, position) {
  await act("Claiming", async () => {
    say(`Asking the relay to claim ${formatAmount(position.claimable, position.token)} for ${address}…`);
    const result = await post("/v1/relay/claims", { account: address, token: position.token });
    say(`Claimed: ${formatAmount(position.claimable, position.token)} paid to ${address} in transaction ${result.transaction_hash}. Updating the statement when the indexer reads it…`);
    refreshWhen(async () => {
      const statement = await get(`/v1/members/${address}`);
      const now = statement.tokens.find((item) => item.token === position.token);
      return now && BigInt(now.claimed) > BigInt(position.claimed);
    }, `Claimed ${formatAmount(position.claimable, position.token)}; the statement below is up to date.`);
  });
}

async function changeConsent(address, purpose, granted) {
  await act(granted ? "Giving consent" : "Withdrawing consent", async () => {
    if (!purpose) throw new WalletError("name the purpose first");
    const member = await ensureConnected();
    if (!wallet.isAccount(address)) throw new WalletError(`your wallet holds ${member}, not ${address}: only the member can change their consent`);
    say(`Preparing the consent change (${purpose}: ${granted ? "give" : "withdraw"}) for you to sign…`);
    const query = new URLSearchParams({ member, purpose, granted: String(granted) });
    const payloadText = await getText(`/v1/relay/typed-data/consent?${query}`);
    const payload = JSON.parse(payloadText);
    await checkChain(payload);
    say("Waiting for your signature in the wallet…");
    const signature = await wallet.signTypedData(payloadText);
    say("Sending your signed consent change to the relay…");
    const message = payload.message;
    const result = await post("/v1/relay/consent", {
      member: message.member, purposeId: message.purposeId, granted: message.granted, nonce: message.nonce,
      deadline: message.deadline, signature, chainId: payload.domain.chainId,
    });
    say(`Consent ${granted ? "given" : "withdrawn"} for ${purpose} in transaction ${result.transaction_hash}; it counts from the next epoch. Updating…`);
    refreshWhen(async () => {
      const statement = await get(`/v1/members/${address}`);
      return statement.consent_history.some((item) => item.tx_hash.toLowerCase() === result.transaction_hash.toLowerCase());
    }, `Consent ${granted ? "given" : "withdrawn"} for ${purpose}; it counts from the next epoch.`);
  });
}

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

async function statementView(address) {
  if (!isAddress(address)) throw new ApiError(422, "invalid_request", `“${address}” is not an address`);
  const [statement, purposes] = await Promise.all([get(`/v1/members/${address}`), getAll("/v1/treasury/revenue/by-purpose")]);
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
    const names = new Set(purposes.map((item) => item.purpose).filter((name) => name && name !== "general"));
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

// ---------------------------------------------------------------- routing

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (parts[0] === "epochs") return { name: "epochs", load: epochsView, title: "Epochs" };
  if (parts[0] === "proposals" && parts[1]) {
    return { name: "proposal", nav: "proposals", load: () => proposalsView(decodeURIComponent(parts[1])), title: "Proposal" };
  }
  if (parts[0] === "proposals") return { name: "proposals", load: () => proposalsView(), title: "Proposals" };
  if (parts[0] === "members" && parts[1]) {
    return { name: "statement", nav: "members", load: () => statementView(decodeURIComponent(parts[1])), title: "Member statement" };
  }
  if (parts[0] === "members") return { name: "members", load: membersView, title: "Members" };
  return { name: "overview", load: overviewView, title: "Treasury" };
}

let renderCount = 0;

async function render({ keepStatus = false, focus = false } = {}) {
  const route = parseRoute();
  const ticket = (renderCount += 1);
  for (const link of document.querySelectorAll(".nav-links a")) {
    if (link.dataset.route === (route.nav || route.name)) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  delete main.dataset.ready;
  if (!keepStatus) {
    say(`Loading ${route.title.toLowerCase()}…`);
    clearAlert();
  }
  let content;
  try {
    content = await route.load();
  } catch (error) {
    content = h("div", {}, h("h1", {}, route.title), h("p", { class: "notice" }, `Could not load this page: ${explain(error)}`));
    fail(`Loading ${route.title.toLowerCase()} failed: ${explain(error)}`);
  }
  if (ticket !== renderCount) return; // a later navigation won
  if (main.dataset.view === route.name) keepTyped(main, content);
  main.replaceChildren(content);
  main.dataset.view = route.name;
  document.title = `${route.title} — Data Union`;
  if (!keepStatus) say("");
  await showAlarms();
  main.dataset.ready = route.name;
  if (focus) main.focus();
}

/** Carry what the member typed into the redrawn view's same fields: redrawing a view (the wallet connected, say)
 * must never throw away a half-written vote reason. */
function keepTyped(shown, redrawn) {
  for (const field of shown.querySelectorAll("input[id], textarea[id]")) {
    if (!field.value) continue;
    const twin = redrawn.querySelector(`#${CSS.escape(field.id)}`);
    if (twin && !twin.value) twin.value = field.value;
  }
}

/** A loud banner on every view while a stored plan failed its independent recomputation from chain data. */
async function showAlarms() {
  const banner = document.getElementById("health");
  let plans;
  try {
    plans = await getAll("/v1/plans");
  } catch {
    return; // the view's own loading reports an unreachable API
  }
  const alarmed = plans.filter((plan) => plan.verification && plan.verification.alarm);
  if (!alarmed.length) {
    banner.hidden = true;
    banner.textContent = "";
    return;
  }
  const names = alarmed.map((plan) => `${tokenName(plan.token)} epochs ${plan.from_epoch + 1}–${plan.through_epoch} (plan ${shortHash(plan.plan_hash)})`);
  const text = `Warning: ${alarmed.length === 1 ? "a distribution plan was" : `${alarmed.length} distribution plans were`} NOT reproduced from chain data: ${names.join("; ")}. See Epochs and Proposals.`;
  if (banner.textContent !== text) banner.textContent = text; // announce a change once, not on every view
  banner.hidden = false;
}

function showAccount() {
  if (wallet.account) {
    accountBox.hidden = false;
    accountBox.replaceChildren("Connected: ", h("a", { href: `#/members/${wallet.account}`, title: wallet.account }, shortAddress(wallet.account)));
    connectButton.textContent = "Connected";
    connectButton.disabled = true;
  } else {
    accountBox.hidden = true;
    connectButton.textContent = "Connect wallet";
    connectButton.disabled = false;
  }
}

connectButton.addEventListener("click", () =>
  act("Connecting the wallet", async () => {
    say("Asking your wallet to connect…");
    const account = await wallet.connect();
    say(`Connected as ${account}.`);
  }),
);

wallet.onChange(() => {
  showAccount();
  const route = parseRoute();
  if (["proposals", "proposal", "statement", "members"].includes(route.name)) render({ keepStatus: true });
});

window.addEventListener("hashchange", () => render({ focus: true }));
render();
