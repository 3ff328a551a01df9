// @ts-check
// The API client: JSON reads under /v1 (every page of a list), and relay writes. Errors become sentences.

/** @import { ErrorBodyPublic, PagePublic } from "../../types/api" */

const MAX_PAGES = 40;

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status (0: the API could not be reached)
   * @param {string | undefined} code the API's stable short code (`not_found`, `invalid_request` …) or the page's own
   * @param {string} message a sentence saying what is wrong
   * @param {ErrorBodyPublic["details"]} [details]
   */
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

/**
 * @param {Response} response
 * @returns {Promise<ApiError>}
 */
async function errorOf(response) {
  /** @type {{ error?: unknown } | null} */
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const error = body && body.error && typeof body.error === "object" ? /** @type {Partial<ErrorBodyPublic>} */ (body.error) : null;
  const message = error && error.message ? error.message : `the server answered ${response.status} ${response.statusText}`;
  return new ApiError(response.status, error ? error.code : "http_error", message, error ? error.details : []);
}

/**
 * @param {string} path
 * @param {RequestInit} [options]
 * @returns {Promise<unknown>}
 */
async function request(path, options = {}) {
  let response;
  try {
    // Revalidate every read (an ETag round trip, answered 304 when nothing changed): after a vote or a claim the page
    // must not show a copy the browser kept from before the indexer read it.
    response = await fetch(path, { cache: "no-cache", headers: { Accept: "application/json" }, ...options });
  } catch (error) {
    throw new ApiError(0, "network", `cannot reach the API (${messageOf(error)}); check your connection`);
  }
  if (!response.ok) throw relayAware(path, await errorOf(response));
  return response.json();
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A read replica has no /v1/relay at all: say so, rather than "no endpoint".
 * @param {string} path
 * @param {ApiError} error
 */
function relayAware(path, error) {
  if (path.startsWith("/v1/relay") && error.status === 404 && error.message.startsWith("no endpoint")) {
    return new ApiError(404, "relay_not_here", "this server does not run the union's relay; use the union's main site or `union vote` / `union claim`");
  }
  return error;
}

/**
 * One JSON answer, of the type the caller expects (reads.js names it per endpoint; unknown when nobody does).
 * @template [Answer=unknown]
 * @param {string} path
 * @returns {Promise<Answer>}
 */
export function get(path) {
  return /** @type {Promise<Answer>} */ (request(path));
}

/**
 * Every item of a paginated list, following next_cursor (at most MAX_PAGES pages of 500).
 * @template [Item=unknown]
 * @param {string} path
 * @param {Record<string, string>} [params]
 * @returns {Promise<Item[]>}
 */
export async function getAll(path, params = {}) {
  /** @type {Item[]} */
  const items = [];
  /** @type {string | null} */
  let cursor = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ ...params, limit: "500" });
    if (cursor) query.set("cursor", cursor);
    const body = /** @type {PagePublic<Item>} */ (await request(`${path}?${query}`));
    items.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/**
 * @template [Answer=unknown]
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<Answer>}
 */
export function post(path, body) {
  return /** @type {Promise<Answer>} */ (request(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }));
}

/**
 * A body as text, exactly as served (typed data is signed from this text, plan documents are hashed from it).
 * @param {string} path
 */
export async function getText(path) {
  let response;
  try {
    response = await fetch(path, { cache: "no-cache" });
  } catch (error) {
    throw new ApiError(0, "network", `cannot reach the API (${messageOf(error)}); check your connection`);
  }
  if (!response.ok) throw relayAware(path, await errorOf(response));
  return response.text();
}
