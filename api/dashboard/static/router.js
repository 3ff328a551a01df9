// @ts-check
// The router: the URL's fragment (`#/proposals/<id>`) names a route, the route's view draws it into <main>.
//
// How the dashboard is laid out (no framework, no bundler: the browser loads these ES modules as they are):
//   main.js        the entry: the header's wallet box and button, then `start()` below.
//   router.js      this file: the route table, drawing a view, and what every view gets (the alarm banner, the
//                  member's typing kept across a redraw, the focus after a navigation).
//   views/*.js     one file per page: an async function that reads the API and returns the page's content. A view
//                  draws; what a member *does* is an action.
//   actions/*.js   one file per thing a member does with the wallet or the relay (vote, claim, consent, connect);
//                  actions/steps.js holds the steps they share (connect, sign the served typed data, wait for the
//                  indexer, redraw).
//   lib/*.js       shared and view-free: the API client (api.js) and one typed function per endpoint (reads.js,
//                  relay.js), the wallet, formatting (format.js, pure: Node tests it), building elements (dom.js),
//                  the pieces several views draw (components.js), charts, plan documents, status and alert lines,
//                  and navigation.js, through which views and actions reach the router without importing it.
// Imports point one way: lib ← actions ← views ← router ← main (eslint.config.mjs refuses the others), and every
// file is type-checked (`// @ts-check`, JSDoc, types/api.d.ts for the API's answers) by `make lint-js`.
//
// Adding a page (a pay page, a proposal form, disputes …): a new views/<page>.js and its line in ROUTES below. Adding
// something a member does (a passkey, a proposal signed by the member): a new actions/<act>.js that the view calls.
// A check run in the browser (a member's Merkle proof against the root on chain) is a lib/ module beside
// plan-document.js. Text the member reads will come from message catalogs through one lib/ module, not from here.

import { showAlarms } from "./lib/alarms.js";
import { byId, h } from "./lib/dom.js";
import { connectRouter } from "./lib/navigation.js";
import { clearAlert, explain, fail, say } from "./lib/status.js";
import { epochsView } from "./views/epochs.js";
import { membersView } from "./views/members.js";
import { overviewView } from "./views/overview.js";
import { proposalsView } from "./views/proposals.js";
import { statementView } from "./views/statement.js";

/** @import { RenderOptions } from "./lib/navigation.js" */

/**
 * @typedef {object} Route
 * @property {string} name the view's name (`main[data-view]`, `main[data-ready]`)
 * @property {string} segment the fragment's first segment (`#/<segment>/…`)
 * @property {boolean} [takesParameter] matches only when a second segment follows, passed to `load` as it stands
 * @property {string} [nav] the navigation link to mark current, when not `name`
 * @property {string} title the document's title and the loading message
 * @property {boolean} [walletAware] redraw when the wallet connects or changes account
 * @property {(parameter: string) => Promise<HTMLElement>} load read the API and draw the view
 */

/** @type {Route[]} The first route that matches wins; an unknown fragment shows the treasury. */
const ROUTES = [
  { name: "epochs", segment: "epochs", title: "Epochs", load: () => epochsView() },
  {
    name: "proposal",
    segment: "proposals",
    takesParameter: true,
    nav: "proposals",
    title: "Proposal",
    walletAware: true,
    load: (id) => proposalsView(decodeURIComponent(id)),
  },
  { name: "proposals", segment: "proposals", title: "Proposals", walletAware: true, load: () => proposalsView() },
  {
    name: "statement",
    segment: "members",
    takesParameter: true,
    nav: "members",
    title: "Member statement",
    walletAware: true,
    load: (address) => statementView(decodeURIComponent(address)),
  },
  { name: "members", segment: "members", title: "Members", walletAware: true, load: () => membersView() },
];

/** @type {Route} */
const HOME = { name: "overview", segment: "", title: "Treasury", load: () => overviewView() };

/** The route of the URL's fragment, and its parameter ("" for none). */
function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const route = ROUTES.find((candidate) => candidate.segment === parts[0] && (!candidate.takesParameter || parts[1])) || HOME;
  return { route, parameter: route.takesParameter ? parts[1] : "" };
}

const main = byId("main");
let renderCount = 0;

/** @param {RenderOptions} [options] */
async function render({ keepStatus = false, focus = false } = {}) {
  const { route, parameter } = parseRoute();
  const ticket = (renderCount += 1);
  for (const link of document.querySelectorAll(/** @type {"a"} */ (".nav-links a"))) {
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
    content = await route.load(parameter);
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

/**
 * Carry what the member typed into the redrawn view's same fields: redrawing a view (the wallet connected, say)
 * must never throw away a half-written vote reason.
 * @param {HTMLElement} shown
 * @param {HTMLElement} redrawn
 */
function keepTyped(shown, redrawn) {
  for (const field of shown.querySelectorAll(/** @type {"input"} */ ("input[id], textarea[id]"))) {
    if (!field.value) continue;
    const twin = redrawn.querySelector(/** @type {"input"} */ (`#${CSS.escape(field.id)}`));
    if (twin && !twin.value) twin.value = field.value;
  }
}

/** Redraw the current view if it shows anything that depends on the wallet (its account, its forms). */
export function walletChanged() {
  if (parseRoute().route.walletAware) render({ keepStatus: true });
}

/** Draw the URL's route now and after every navigation. */
export function start() {
  connectRouter(render, () => parseRoute().route.name);
  window.addEventListener("hashchange", () => render({ focus: true }));
  render();
}
