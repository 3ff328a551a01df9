// @ts-check
// The treasury (route `#/`): each token's books, its balance over time, and its revenue by purpose and by payer.

import { balanceChart, barChart, chartTable } from "../lib/charts.js";
import { amount, figures } from "../lib/components.js";
import { append, h } from "../lib/dom.js";
import { formatAmount, formatTime, shortAddress, shortHash, tokenName } from "../lib/format.js";
import { epochFlows, revenueByPayer, revenueByPurpose, treasury as readTreasury } from "../lib/reads.js";

export async function overviewView() {
  const [treasury, flows, byPurpose, byPayer] = await Promise.all([readTreasury(), epochFlows(), revenueByPurpose(), revenueByPayer()]);
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
