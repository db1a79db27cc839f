// The JSON the TaskMarket API sends and receives. Where the API exports the schema or type of a shape, the type comes
// from there (type-only imports, erased at run time: the SDK never loads the API's code), so that the two cannot
// drift; the envelopes each route wraps them in are restated here from the routes' schemas.
//
// On the wire, amounts and ids are decimal strings; the SDK accepts bigints in requests and sends them as such.
import type { Address, Hex } from "viem";

import type { RelayedTransaction } from "../../api/src/chain/relay.ts";
import type { TaskCreation } from "../../api/src/routes/tasks/create.ts";
import type { ChallengeSchema, VerificationRecordJson } from "../../api/src/routes/verify/schemas.ts";
import type { AccountProfile, ReputationEventSchema } from "../../api/src/subgraph/account-queries.ts";
import type { DocumentSummary, TaskDetail, TaskSummary } from "../../api/src/subgraph/task-views.ts";
import type { TaskDocument } from "../../src/documents/index.ts";
import type { PreparedTransaction } from "./prepared-transactions.ts";
import type { TaskStatusName } from "./task-market.ts";
import type { TaskVerification } from "./task-terms.ts";

export type { AccountProfile, DocumentSummary, RelayedTransaction, TaskCreation, TaskDetail, TaskSummary };
export type VerificationRecord = VerificationRecordJson;
export type PreparedChallenge = (typeof ChallengeSchema)["_output"];
export type ReputationEvent = (typeof ReputationEventSchema)["_output"];
export type ExecutorRecordJson = AccountProfile["executorRecord"];
export type PosterRecordJson = AccountProfile["posterRecord"];
export type ReputationFigures = AccountProfile["reputation"];

/**
 * A uint256 amount or id: a bigint, or its decimal string. Not a JavaScript number: the API takes amounts only as
 * decimal strings, since a JSON number cannot carry a uint256 exactly.
 */
export type Decimal = bigint | string;

export type { TaskStatusName };

/** Which block a read reflects: the indexer's head and, when the chain was read live, the chain's block. */
export interface ReadBlock {
  indexed: { number: number; hash: string } | null;
  chain?: { number: number; hash: string };
}

/*//////////////////////////////////////////////////////////////
                              TASKS
//////////////////////////////////////////////////////////////*/

/** `POST /tasks`: the document and what it does not carry. Terms given are checked against the document. */
export interface CreateTaskRequest {
  document: TaskDocument;
  terms: {
    poster: Address;
    /** Seconds the verifier has to decide on each submission. */
    reviewWindow: number;
    /** Unix seconds; required when the document has no claim deadline. */
    claimDeadline?: number;
    token?: Address;
    reward?: Decimal;
    claimBond?: Decimal;
    executionWindow?: number;
    feeBps?: number;
    executorKind?: number;
    verifier?: Address;
    verifierFee?: Decimal;
    verifierConfigHash?: Hex;
    capabilitiesHash?: Hex;
    documentHash?: Hex;
    milestoneShares?: Hex;
  };
  /** Who verifies; the proof method needs its whole configuration here. */
  verification?:
    | Exclude<TaskVerification, { method: "proof" }>
    | { method: "proof"; config: { proofVerifier: Address; commitment: Hex } };
  options?: { assigner?: Address; subtaskBudget?: Decimal; assignerConfigHash?: Hex };
  /** How the task is given out when not by a first-come claim: an assignment module and its configuration. */
  assignment?: TaskAssignment;
  /** An ERC-2612 permit of the escrow to the market, to create the task without an approval. */
  permit?: { deadline: Decimal; signature: Hex };
}

/** An assignment module's reputation gate and the tasks that must be settled first. */
export interface AssignmentRequirements {
  minCompleted: number;
  maxDisputesLostBps: number;
  /** Ids of earlier tasks, ascending: the document's `requires` dependencies. */
  dependencies: readonly Decimal[];
}

export type TaskAssignment =
  | { module: "gatedClaim"; config: { requirements: AssignmentRequirements } }
  | { module: "applicationBoard"; config: { requirements: AssignmentRequirements; applicationDeadline: number } }
  | {
      module: "reverseAuction";
      config: {
        requirements: AssignmentRequirements;
        biddingEnd: number;
        revealEnd: number;
        bidBond: Decimal;
        priceWeightBps: number;
        awardWindow: number;
      };
    }
  | { module: "custom"; assigner: Address; configHash: Hex };

/** `GET /tasks/{id}`. */
export interface TaskRead {
  id: string;
  status: TaskStatusName;
  poster: Address;
  documentHash: Hex;
  documentURI: string;
  /** Null when the API does not hold the document the task commits to. */
  document: TaskDocument | null;
  chain: {
    status: TaskStatusName;
    storedStatus: TaskStatusName;
    executor: Address | null;
    executionDeadline: number;
    reviewDeadline: number;
    flags: number;
    submissionHash: Hex;
    milestonesVerified: number;
    heldAt: number;
    holdShareBps: number;
  };
  /** Null until the indexer has indexed the task. */
  indexed: TaskDetail | null;
  block: ReadBlock;
}

/** `GET /tasks/search`. List filters take one value or several. */
export interface TaskSearchQuery {
  q?: string;
  state?: TaskStatusName | readonly TaskStatusName[];
  capability?: string | readonly string[];
  executorKind?: string | readonly string[];
  token?: string | readonly string[];
  minReward?: Decimal;
  maxReward?: Decimal;
  category?: string | readonly string[];
  tag?: string | readonly string[];
  claimDeadlineAfter?: number | string;
  claimDeadlineBefore?: number | string;
  poster?: Address | readonly Address[];
  sort?: "relevance" | "newest" | "reward" | "deadline";
  order?: "asc" | "desc";
  first?: number;
  skip?: number;
}

export interface TaskSearchResult {
  items: { task: TaskSummary; document: DocumentSummary | null; relevance: number | null }[];
  hasMore: boolean;
  block: ReadBlock;
}

/*//////////////////////////////////////////////////////////////
                              AGENTS
//////////////////////////////////////////////////////////////*/

export type AgentRead = AccountProfile & { block: ReadBlock };

/** `POST /agents`: a registration for `executor`'s own wallet to send (the registry registers `msg.sender`). */
export interface RegisterAgentRequest {
  executor: Address;
  kind: "human" | "agent";
  /** Required for an agent: the person or organisation accountable for it. */
  operator?: Address;
  /** Capability names, e.g. `lang:solidity`. */
  capabilities: readonly string[];
  metadataURI?: string;
}

export interface AgentRegistration {
  executor: Address;
  kind: "human" | "agent";
  operator: Address;
  capabilities: { name: string; id: Hex }[];
  metadataURI: string;
  transactions: PreparedTransaction[];
}

/** `POST /agents/{id}/claim`. */
export interface TaskClaim {
  taskId: string;
  executor: Address;
  currentState: TaskStatusName;
  claimDeadline: number;
  executionWindow: number;
  bond: { token: Address; amount: string };
  /** An ERC-20 bond's `approve`, then `claim`. */
  transactions: PreparedTransaction[];
}

export interface AgentTasksQuery {
  /** The open tasks the executor qualifies for now, instead of those it holds or held. */
  eligible?: boolean;
  state?: TaskStatusName | readonly TaskStatusName[];
  first?: number;
  skip?: number;
}

export interface AgentTasks {
  executor: string;
  eligible: boolean;
  ineligibleReason: "NotRegistered" | "Inactive" | null;
  items: {
    task: TaskSummary;
    document: DocumentSummary | null;
    holding: boolean;
    claims: {
      number: number;
      bond: string;
      price: string;
      claimedAt: number;
      executionDeadline: number;
      lapsed: boolean;
      lapsedAfterRejection: boolean | null;
      bondForfeited: string | null;
      endedAt: number | null;
      endStatus: TaskStatusName | null;
    }[];
  }[];
  hasMore: boolean;
  block: ReadBlock;
}

/*//////////////////////////////////////////////////////////////
                           VERIFICATION
//////////////////////////////////////////////////////////////*/

/** A submission's output in the form its `resultHash` was computed over (see `contentHash`). */
export type { SubmittedOutput } from "../../src/protocol/results.ts";

export interface VerificationMethods {
  service: {
    method: string;
    methodId: Hex;
    signer: Address | null;
    signs: boolean;
    attestationTtlSeconds: number;
    domain: Record<string, unknown>;
    outputEncodings: Record<string, string>;
    verdict: string;
  };
  methods: {
    id: "review" | "attestation" | "optimistic" | "proof";
    module: string;
    description: string;
    configuration: Record<string, string>;
    service: string;
  }[];
  checks: ({ id: string; description: string } & Record<string, unknown>)[];
}

/*//////////////////////////////////////////////////////////////
                            REPUTATION
//////////////////////////////////////////////////////////////*/

export interface Rating {
  average: string | null;
  count: number;
  sum: number;
}

export interface Reputation {
  account: Address;
  asExecutor: {
    registered: boolean;
    kind: "Any" | "Human" | "Agent" | null;
    active: boolean;
    score: string;
    scoreBps: number;
    inputs: { successWeight: string; failureWeight: string; penaltyWeight: string; outcomes: number };
    record: ExecutorRecordJson;
    rating: Rating;
  };
  asPoster: { record: PosterRecordJson; rating: Rating };
  formula: {
    expression: string;
    weightUnit: number;
    maxOutcomeWeight: number;
    priorWeight: number;
    priorMeanBps: number;
    disputeLossPenaltyBps: number;
  };
  block: ReadBlock;
}

export interface ReputationHistoryQuery {
  kind?: string | readonly string[];
  first?: number;
  skip?: number;
}

export interface ReputationHistory {
  account: Address;
  items: ReputationEvent[];
  hasMore: boolean;
  block: ReadBlock;
}

export interface LeaderboardQuery {
  role?: "executor" | "poster";
  kind?: "Human" | "Agent";
  first?: number;
  skip?: number;
}

export interface Leaderboard {
  role: "executor" | "poster";
  items: {
    rank: number;
    account: Address;
    executorKind: "Any" | "Human" | "Agent" | null;
    active: boolean;
    reputation: ReputationFigures;
    executorRecord: ExecutorRecordJson;
    posterRecord: PosterRecordJson;
  }[];
  hasMore: boolean;
  block: ReadBlock;
}

/*//////////////////////////////////////////////////////////////
                            SETTLEMENT
//////////////////////////////////////////////////////////////*/

/** `POST /settle`: what settles the task now — `release`, `approve` or `refund-expired` — for `from` to send. */
export interface SettlementAction {
  taskId: string;
  action: "release" | "approve" | "refund-expired";
  currentState: TaskStatusName;
  transactions: PreparedTransaction[];
}

/** `GET /settle/{id}`: where the task's escrow went, payment by payment, as the indexer recorded it. */
export interface TaskSettlement {
  taskId: string;
  status: TaskStatusName;
  poster: Address;
  executor: Address | null;
  token: Address;
  reward: string;
  price: string;
  escrowRemaining: string;
  paidToExecutor: string;
  protocolFees: string;
  refunded: string;
  unpaidReward: string;
  verifierFee: { amount: string; paid: string; verifier: Address | null };
  claimBond: { amount: string; forfeited: string; returned: string };
  milestones: { count: number; settled: number };
  endedAt: number | null;
  payments: {
    id: string;
    kind: string;
    from: Address;
    to: Address | null;
    token: Address;
    amount: string;
    timestamp: number;
    blockNumber: number;
    transactionHash: Hex;
  }[];
  block: ReadBlock;
}

/** `POST /escrow`: the create-and-fund transactions for a document stored earlier by `POST /tasks`. */
export type FundEscrowRequest = Omit<CreateTaskRequest, "document"> & { documentHash: Hex };

/** `GET /escrow/{id}/release`: whether, when and by whom the task's escrow can be released. */
export interface EscrowRelease {
  taskId: string;
  currentState: TaskStatusName;
  releasable: boolean;
  outcome: "executor-payout" | "poster-refund" | null;
  executorShareBps: number | null;
  releasableAt: number | null;
  releasableBy: "anyone" | null;
  decidedBy: Address | null;
  detail: string;
  /** The prepared `release` or `refundExpired` when `releasable`. */
  transactions: PreparedTransaction[];
  block: { number: number; hash: Hex; timestamp: number };
}
