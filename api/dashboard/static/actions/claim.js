// @ts-check
// Claiming: the relay claims a member's dividend of one token (a claim always pays the account itself, so no
// signature is needed); the statement is redrawn once the indexer has the claim.

import { formatAmount } from "../lib/format.js";
import { statement as readStatement } from "../lib/reads.js";
import { submitClaim } from "../lib/relay.js";
import { act, say } from "../lib/status.js";
import { refreshWhen } from "./steps.js";

/** @import { TokenPositionPublic } from "../../types/api" */

/**
 * @param {string} address the account paid
 * @param {TokenPositionPublic} position its position in the token claimed, as shown
 */
export async function claim(address, position) {
  await act("Claiming", async () => {
    say(`Asking the relay to claim ${formatAmount(position.claimable, position.token)} for ${address}…`);
    const result = await submitClaim(address, position.token);
    say(`Claimed: ${formatAmount(position.claimable, position.token)} paid to ${address} in transaction ${result.transaction_hash}. Updating the statement when the indexer reads it…`);
    refreshWhen(async () => {
      const statement = await readStatement(address);
      const now = statement.tokens.find((item) => item.token === position.token);
      return now && BigInt(now.claimed) > BigInt(position.claimed);
    }, `Claimed ${formatAmount(position.claimable, position.token)}; the statement below is up to date.`);
  });
}
