// @ts-check
// Changing consent to a data-use purpose: the member signs the change in their wallet and the relay sends it (no
// ETH needed); it counts from the next epoch (DESIGN.md §2), and the statement is redrawn once the indexer has it.

import { statement as readStatement } from "../lib/reads.js";
import { consentTypedData, submitConsent } from "../lib/relay.js";
import { act, say } from "../lib/status.js";
import { WalletError, wallet } from "../lib/wallet.js";
import { ensureConnected, refreshWhen, signServed } from "./steps.js";

/** @import { ConsentMessage, TypedData } from "../../types/api" */

/**
 * @param {string} address the member whose consent changes (their wallet must hold it)
 * @param {string} purpose the purpose's registered name
 * @param {boolean} granted true to give consent, false to withdraw it
 */
export async function changeConsent(address, purpose, granted) {
  await act(granted ? "Giving consent" : "Withdrawing consent", async () => {
    if (!purpose) throw new WalletError("name the purpose first");
    const member = await ensureConnected();
    if (!wallet.isAccount(address)) throw new WalletError(`your wallet holds ${member}, not ${address}: only the member can change their consent`);
    say(`Preparing the consent change (${purpose}: ${granted ? "give" : "withdraw"}) for you to sign…`);
    const query = new URLSearchParams({ member, purpose, granted: String(granted) });
    const payloadText = await consentTypedData(query);
    /** @type {{ payload: TypedData<ConsentMessage>, signature: string }} */
    const { payload, signature } = await signServed(payloadText);
    say("Sending your signed consent change to the relay…");
    const message = payload.message;
    const result = await submitConsent({
      member: message.member, purposeId: message.purposeId, granted: message.granted, nonce: message.nonce,
      deadline: message.deadline, signature, chainId: payload.domain.chainId,
    });
    say(`Consent ${granted ? "given" : "withdrawn"} for ${purpose} in transaction ${result.transaction_hash}; it counts from the next epoch. Updating…`);
    refreshWhen(async () => {
      const statement = await readStatement(address);
      return statement.consent_history.some((item) => item.tx_hash.toLowerCase() === result.transaction_hash.toLowerCase());
    }, `Consent ${granted ? "given" : "withdrawn"} for ${purpose}; it counts from the next epoch.`);
  });
}
