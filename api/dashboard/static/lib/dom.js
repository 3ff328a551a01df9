// @ts-check
// Building the page's elements. Text children become text nodes, so nothing read from the chain is ever parsed as
// HTML (eslint forbids innerHTML and its kin everywhere in the dashboard).

/**
 * What a view may put inside an element: nodes, text, numbers, and nothing (null, undefined or false are skipped, so
 * a view can write `condition ? node : null`), nested in arrays as deep as it likes.
 * @typedef {Node | string | number | bigint | boolean | null | undefined | Child[]} Child
 */

/**
 * Attributes of an element: `on<event>` functions become listeners, `text` the text content, `true` an empty
 * attribute; null, undefined and false are left out.
 * @typedef {Record<string, unknown>} Attributes
 */

/**
 * Build an HTML element.
 * @template {keyof HTMLElementTagNameMap} Tag
 * @param {Tag} tag
 * @param {Attributes} [attributes]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[Tag]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, ...children);
  return element;
}

/**
 * An SVG element (charts are drawn as inline SVG, no library).
 * @template {keyof SVGElementTagNameMap} Tag
 * @param {Tag} tag
 * @param {Attributes} [attributes]
 * @param {...Child} children
 * @returns {SVGElementTagNameMap[Tag]}
 */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttributes(element, attributes);
  append(element, ...children);
  return element;
}

/**
 * @param {Element} element
 * @param {Attributes} attributes
 */
function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    } else if (name === "text") {
      element.textContent = String(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

/**
 * Append children, skipping null, undefined and false (so a view can write ``condition ? node : null``).
 * @param {Element} element
 * @param {...Child} children
 */
export function append(element, ...children) {
  for (const child of /** @type {Child[]} */ (/** @type {unknown[]} */ (children).flat(Infinity))) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * An element of the page's frame (index.html); its absence is a broken page, said at once.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no element #${id}`);
  return element;
}
