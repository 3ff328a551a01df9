// @ts-check
// Voting: the member signs a ballot in their wallet and the relay casts it (no ETH needed); the tallies are redrawn
// once the indexer has the vote.

import { proposalVotes } from "../lib/reads.js";
import { ballotTypedData, submitVote } from "../lib/relay.js";
import { act, say } from "../lib/status.js";
import { ensureConnected, refreshWhen, signServed } from "./steps.js";

/** @import { BallotMessage, ProposalPublic, Support, TypedData } from "../../types/api" */

/**
 * @param {ProposalPublic} proposal
 * @param {Support} support
 * @param {string} reason signed with the vote; empty for none
 */
export async function castVote(proposal, support, reason) {
  await act("Voting", async () => {
    const voter = await ensureConnected();
    say(`Preparing your ballot (${support}) for you to sign…`);
    const query = new URLSearchParams({ proposalId: proposal.proposal_id, support, voter });
    if (reason) query.set("reason", reason);
    const payloadText = await ballotTypedData(query);
    /** @type {{ payload: TypedData<BallotMessage>, signature: string }} */
    const { payload, signature } = await signServed(payloadText);
    say("Sending your signed ballot to the relay…");
    const message = payload.message;
    /** @type {Record<string, unknown>} */
    const body = { proposalId: message.proposalId, support: message.support, voter: message.voter, nonce: message.nonce, signature, chainId: payload.domain.chainId };
    if ("reason" in message) Object.assign(body, { reason: message.reason, params: message.params });
    const result = await submitVote(body);
    say(`Your vote (${support}) was cast in transaction ${result.transaction_hash}${result.block_number ? ` (block ${result.block_number})` : ""}. The tallies update when the indexer reads that block…`);
    refreshWhen(async () => {
      const votes = await proposalVotes(proposal.proposal_id);
      return votes.some((vote) => vote.voter.toLowerCase() === voter.toLowerCase());
    }, `Your vote (${support}) is cast and counted in the tallies below.`);
  });
}
