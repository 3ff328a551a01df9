// @ts-check
// The banner every view carries while a stored plan failed its independent recomputation from chain data.

import { byId } from "./dom.js";
import { shortHash, tokenName } from "./format.js";
import { plans as readPlans } from "./reads.js";

/** Show (or hide) the loud banner of plans that were not reproduced; the router calls it after each view. */
export async function showAlarms() {
  const banner = byId("health");
  let plans;
  try {
    plans = await readPlans();
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
