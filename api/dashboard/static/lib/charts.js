// @ts-check
// Charts drawn as inline SVG. Each mark carries its exact value (wei, as text) in a data attribute and a <title>,
// and every chart comes with the same figures as a table, so a screen reader or a test reads numbers, not pixels.

import { h, svg } from "./dom.js";
import { ETH, formatAmount, formatTime, toNumber } from "./format.js";

/** @import { Child } from "./dom.js" */

/**
 * @typedef {object} BalancePoint
 * @property {number} time the period's first second (Unix time)
 * @property {string} balance the booked balance after the period, in wei
 * @property {string} label the period's name (`epoch 3`)
 */

/**
 * @typedef {object} Bar
 * @property {string} label
 * @property {string} amount in wei
 */

const WIDTH = 480;
const HEIGHT = 240;
const PAD = { left: 70, right: 12, top: 16, bottom: 36 };

let chartCount = 0;

/**
 * The booked balance of one token over time: a step line through the balance after each period.
 * @param {string} token
 * @param {BalancePoint[]} points in time order
 * @param {string} title
 */
export function balanceChart(token, points, title) {
  chartCount += 1;
  const titleId = `chart-title-${chartCount}`;
  const values = points.map((point) => toNumber(point.balance));
  const times = points.map((point) => Number(point.time));
  const top = Math.max(1, ...values);
  const bottom = Math.min(0, ...values);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const span = Math.max(1, last - first);
  /** @param {number} time */
  const x = (time) => PAD.left + ((time - first) / span) * (WIDTH - PAD.left - PAD.right);
  /** @param {number} value */
  const y = (value) => PAD.top + (1 - (value - bottom) / (top - bottom)) * (HEIGHT - PAD.top - PAD.bottom);

  let path = "";
  points.forEach((_point, index) => {
    const px = points.length === 1 ? (PAD.left + WIDTH - PAD.right) / 2 : x(times[index]);
    const py = y(values[index]);
    path += index === 0 ? `M${px.toFixed(1)},${py.toFixed(1)}` : `H${px.toFixed(1)}V${py.toFixed(1)}`;
  });
  const finalBalance = points.length ? points[points.length - 1].balance : "0";
  const chart = svg(
    "svg",
    {
      class: "chart balance-chart",
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-labelledby": titleId,
      "data-token": token,
      "data-final-balance": finalBalance,
    },
    svg("title", { id: titleId }, `${title}: ${formatAmount(finalBalance, token)} now`),
    [0, 0.5, 1].map((share) =>
      svg("line", {
        class: "grid-line",
        x1: PAD.left,
        x2: WIDTH - PAD.right,
        y1: y(bottom + share * (top - bottom)),
        y2: y(bottom + share * (top - bottom)),
      }),
    ),
    svg("line", { class: "axis", x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: HEIGHT - PAD.bottom }),
    svg("line", { class: "axis", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(bottom), y2: y(bottom) }),
    svg("text", { x: PAD.left - 6, y: y(top) + 4, "text-anchor": "end" }, compact(top, token)),
    svg("text", { x: PAD.left - 6, y: y(bottom) + 4, "text-anchor": "end" }, compact(bottom, token)),
    svg("text", { x: PAD.left, y: HEIGHT - 10 }, formatTime(first)),
    svg("text", { x: WIDTH - PAD.right, y: HEIGHT - 10, "text-anchor": "end" }, formatTime(last)),
    svg("path", { class: "series", d: path, stroke: "var(--series-0)" }),
    points.map((point, index) =>
      svg(
        "circle",
        {
          class: "point",
          cx: points.length === 1 ? (PAD.left + WIDTH - PAD.right) / 2 : x(times[index]),
          cy: y(values[index]),
          r: 4,
          fill: "var(--series-0)",
          "data-period": point.label,
          "data-time": point.time,
          "data-balance": point.balance,
        },
        svg("title", {}, `${point.label}: ${formatAmount(point.balance, token)}`),
      ),
    ),
  );
  return chart;
}

/**
 * Horizontal bars, one per row; amounts of one token.
 * @param {string} token
 * @param {Bar[]} rows
 * @param {string} title
 * @param {string} kind names the chart's class (`purpose` gives `purpose-chart`)
 */
export function barChart(token, rows, title, kind) {
  chartCount += 1;
  const titleId = `chart-title-${chartCount}`;
  const rowHeight = 34;
  const labelWidth = 110;
  const height = PAD.top + rows.length * rowHeight + 8;
  const largest = Math.max(1, ...rows.map((row) => toNumber(row.amount)));
  const barSpace = WIDTH - labelWidth - 130;
  return svg(
    "svg",
    {
      class: `chart bar-chart ${kind}-chart`,
      viewBox: `0 0 ${WIDTH} ${height}`,
      role: "img",
      "aria-labelledby": titleId,
      "data-token": token,
    },
    svg("title", { id: titleId }, title),
    rows.map((row, index) => {
      const top = PAD.top + index * rowHeight;
      const width = Math.max(2, (toNumber(row.amount) / largest) * barSpace);
      return svg(
        "g",
        { class: "bar", "data-label": row.label, "data-amount": row.amount },
        svg("text", { x: labelWidth - 8, y: top + 17, "text-anchor": "end" }, truncate(row.label, 14)),
        svg("rect", {
          x: labelWidth,
          y: top + 4,
          width: width.toFixed(1),
          height: rowHeight - 12,
          rx: 3,
          fill: `var(--series-${index % 4})`,
        }),
        svg("text", { class: "bar-label", x: labelWidth + width + 6, y: top + 17 }, formatAmount(row.amount, token)),
        svg("title", {}, `${row.label}: ${formatAmount(row.amount, token)}`),
      );
    }),
  );
}

/**
 * The figures behind a chart, as a table inside a disclosure.
 * @param {string} caption
 * @param {string[]} headings
 * @param {Child[][]} rows
 */
export function chartTable(caption, headings, rows) {
  return h(
    "details",
    { class: "chart-data" },
    h("summary", {}, "Show the figures as a table"),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, headings.map((heading) => h("th", { scope: "col" }, heading)))),
        h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))),
      ),
    ),
  );
}

/**
 * An axis label: approximate on purpose (the exact figures are in the marks and the table).
 * @param {number} value
 * @param {string} token
 */
function compact(value, token) {
  if (token.toLowerCase() === ETH) {
    return `${Intl.NumberFormat("en", { maximumFractionDigits: 3 }).format(value / 1e18)} ETH`;
  }
  return Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 2 }).format(value);
}

/**
 * @param {string} text
 * @param {number} length
 */
function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
