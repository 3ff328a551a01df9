// The answers of the /v1 API as the dashboard reads them, for `tsc --noEmit` only (never served). Each interface is
// named after, and says no more than, the pydantic response model of api/schemas/ that the server validates its
// answers with; a field the page does not read is left out.

/** An integer in the token's smallest unit (wei), as a decimal string: exact beyond 2**53. */
export type AmountStr = string;
export type Address = string;
export type Hex = string;

export interface PagePublic<T> {
  items: T[];
  limit: number;
  next_cursor: string | null;
}

export interface ErrorBodyPublic {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>[];
}

export interface ErrorPublic {
  error: ErrorBodyPublic;
}

export interface TokenBooksPublic {
  token: Address;
  booked_balance: AmountStr;
  earmarked: AmountStr;
  free: AmountStr;
  revenue: AmountStr;
  dividends_funded: AmountStr;
  reserve_released: AmountStr;
  claimed: AmountStr;
  unclaimed: AmountStr;
}

export interface TreasuryPublic {
  as_of_block: number | null;
  as_of_timestamp: number | null;
  tokens: TokenBooksPublic[];
}

export interface PeriodFlowPublic {
  period: number;
  start: number;
  token: Address;
  money_in: AmountStr;
  money_out: AmountStr;
}

export interface RevenueByPurposePublic {
  token: Address;
  purpose_id: Hex;
  purpose: string | null;
  amount: AmountStr;
  payments: number;
}

export interface RevenueByPayerPublic {
  token: Address;
  payer: Address;
  amount: AmountStr;
  payments: number;
}

export interface VerificationPublic {
  reproduced: boolean;
  checked_at: number;
  proposal_id: string | null;
  differences: string[];
  alarm: boolean;
}

export interface DistributionPublic {
  token: Address;
  from_epoch: number;
  through_epoch: number;
  amount: AmountStr;
  root: Hex;
  plan_hash: Hex;
  plan_stored: boolean;
  plan_url: string;
  document_url: string;
  verification: VerificationPublic | null;
}

export interface PlanPublic {
  plan_hash: Hex;
  token: Address;
  from_epoch: number;
  through_epoch: number;
  accounts: number;
  document_url: string;
  verification: VerificationPublic | null;
}

export interface EpochRevenuePublic {
  token: Address;
  amount: AmountStr;
}

export interface EpochFundingPublic {
  token: Address;
  plan_hash: Hex;
  from_epoch: number;
  through_epoch: number;
  plan_url: string;
}

export interface EpochPublic {
  epoch: number;
  start: number;
  end: number;
  grace_end: number;
  final: boolean;
  contributors: number;
  net_units: AmountStr;
  disputes: number;
  revenue: EpochRevenuePublic[];
  funded_by: EpochFundingPublic[];
}

export interface TallyPublic {
  for_votes: AmountStr;
  against_votes: AmountStr;
  abstain_votes: AmountStr;
  voters: number;
  quorum: AmountStr | null;
  quorum_reached: boolean | null;
  eligible_votes: number;
  quorum_percent: number | null;
  min_quorum: number | null;
}

export interface FundDividendsPublic {
  token: Address;
  epochs: number[];
  amount: AmountStr;
  reserve_released: AmountStr;
  plan_hash: Hex;
  document_url: string;
  verification: VerificationPublic | null;
}

export interface ProposalActionPublic {
  target: Address;
  target_contract: string;
  value: AmountStr;
  function: string;
  args: Record<string, unknown>;
  fund_dividends?: FundDividendsPublic | null;
}

export type ProposalState = "pending" | "active" | "canceled" | "defeated" | "succeeded" | "queued" | "executed";
export type Support = "against" | "for" | "abstain";

export interface ProposalPublic {
  proposal_id: string;
  proposer: Address;
  description: string;
  state: ProposalState;
  created_at: number;
  vote_start: number;
  deadline: number;
  eta: number | null;
  executed_at: number | null;
  canceled_at: number | null;
  tally: TallyPublic;
  actions: ProposalActionPublic[];
  votes_url: string;
}

export interface VotePublic {
  voter: Address;
  support: Support;
  weight: AmountStr;
  reason: string;
  relayed: boolean;
  timestamp: number;
}

export type MemberStatus = "member" | "resigned" | "expelled";

export interface MemberPublic {
  address: Address;
  status: MemberStatus;
  joined_at: number;
  delegate: Address | null;
}

export interface ConsentPublic {
  purpose_id: Hex;
  purpose: string | null;
  granted: boolean;
  since: number;
}

export interface ConsentChangePublic {
  purpose_id: Hex;
  purpose: string | null;
  granted: boolean;
  timestamp: number;
  tx_hash: Hex;
}

export interface EpochContributionPublic {
  epoch: number;
  entries: number;
  units: AmountStr;
  revoked_units: AmountStr;
  net_units: AmountStr;
  disputed_entries: number;
}

export interface AllocationPublic {
  token: Address;
  epoch: number;
  amount: AmountStr;
  plan_hash: Hex;
}

export interface TokenPositionPublic {
  token: Address;
  cumulative: AmountStr;
  claimed: AmountStr;
  claimable: AmountStr;
}

export interface VoteCastPublic {
  proposal_id: string;
  support: Support;
  weight: AmountStr;
  reason: string;
  relayed: boolean;
  timestamp: number;
  tx_hash: Hex;
}

export interface MemberStatementPublic {
  address: Address;
  member: MemberPublic | null;
  consents: ConsentPublic[];
  consent_history: ConsentChangePublic[];
  contributions: EpochContributionPublic[];
  allocations: AllocationPublic[];
  tokens: TokenPositionPublic[];
  votes: VoteCastPublic[];
}

/** What the relay answers once it has sent a member's signed act (api/relay/models.py). */
export interface SubmissionPublic {
  kind: string;
  transaction_hash: Hex;
  duplicate: boolean;
  block_number: number | null;
}

/** EIP-712 typed data as the relay serves it (the page signs the served text, never a re-serialisation). */
export interface TypedData<Message> {
  domain: { chainId: number | string };
  message: Message;
}

export interface BallotMessage {
  proposalId: string;
  support: number;
  voter: Address;
  nonce: string;
  reason?: string;
  params?: Hex;
}

export interface ConsentMessage {
  member: Address;
  purposeId: Hex;
  granted: boolean;
  nonce: string;
  deadline: string;
}

/** The parts of a plan document (the canonical JSON the plan hash is taken of) that the page checks. */
export interface PlanDocument {
  root: Hex;
  token: Address;
  fromEpoch: number;
  throughEpoch: number;
  totals?: { amount: AmountStr } | null;
  epochs?: { epoch: number; purposes: { allocations?: Record<Address, AmountStr> }[] }[];
}
