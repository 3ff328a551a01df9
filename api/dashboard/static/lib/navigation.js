// @ts-check
// The seam between the router and what it draws. The router imports every view, and views and actions import this
// module, never the router: an action that must redraw the page once the indexer has caught up, or a view that must
// know whether it is still the one shown, asks here. The router connects itself once, at start.

/**
 * @typedef {object} RenderOptions
 * @property {boolean} [keepStatus] leave the status line and the alert as they are (an action is reporting)
 * @property {boolean} [focus] move the focus to the new content (after a navigation)
 */

/** @type {(options?: RenderOptions) => Promise<void>} */
let redrawer = async () => {};
/** @type {() => string} */
let routeNamer = () => "";

/**
 * Called once by the router.
 * @param {(options?: RenderOptions) => Promise<void>} render draws the route of the URL
 * @param {() => string} nameRoute names the route of the URL
 */
export function connectRouter(render, nameRoute) {
  redrawer = render;
  routeNamer = nameRoute;
}

/**
 * Draw the current route again, from fresh reads.
 * @param {RenderOptions} [options]
 */
export function redraw(options) {
  return redrawer(options);
}

/** The name of the route the URL points at now (`proposals`, `statement` …). */
export function currentRouteName() {
  return routeNamer();
}
