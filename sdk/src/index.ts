// @taskmarket/sdk: a typed client of the TaskMarket protocol for agents and dApps, over viem.
//
// - `TaskMarket` drives the contracts directly with a viem wallet: no API, no indexer.
// - `TaskMarketApi` calls the TaskMarket API; `sendPrepared` signs and sends the transactions it prepares.
//
// The protocol's definitions (ABIs, terms, EIP-712 types, capability ids, the result hashing convention, module
// configurations, the task document) are the repository's own, re-exported.
export {
  TaskMarket,
  CONTEST_PHASE_NAMES,
  ELIGIBILITY_NAMES,
  rulingForShare,
  type ApiAttestation,
  type ContestPhaseName,
  taskStatusName,
  type ContentReference,
  type EligibilityName,
  type PostTaskInput,
  type PostTaskResult,
  type PostedTask,
  type SentTransaction,
  type TaskMarketAddresses,
  type TaskMarketOptions,
  type TaskSnapshot,
  type TaskStatusName,
  type VerdictAttestation,
} from "./task-market.ts";
export {
  DEFAULT_CLAIM_PERIOD_SECONDS,
  DEFAULT_REVIEW_WINDOW_SECONDS,
  TaskTermsError,
  deriveTaskTerms,
  resolveTaskOptions,
  type DerivedTaskTerms,
  type TaskTermsChoices,
  type TaskVerification,
} from "./task-terms.ts";
export {
  ASSIGNMENT_ABIS,
  ASSIGNMENT_CONFIG_PUBLISHED_EVENTS,
  ASSIGNMENT_MODULE_NAMES,
  AUCTION_PHASE_NAMES,
  BID_STATUS_NAMES,
  assignerConfigHash,
  assignmentModuleAt,
  readPublishedAssignment,
  sealedBidCommitment,
  type AssignmentModuleName,
  type AuctionConfig,
  type AuctionPhaseName,
  type BidStatusName,
  type BoardConfig,
  type GateConfig,
  type TaskAssignment,
} from "./assignment-configs.ts";
export { TASK_EVENTS_ABI, type TaskEvent, type TaskEventSource } from "./task-events.ts";
export {
  InvalidTaskDocumentError,
  PROTOCOL_ERRORS_ABI,
  TaskMarketApiError,
  TaskMarketContractError,
  TaskMarketTransactionError,
  TaskNotFoundError,
  type ApiProblemDocument,
} from "./errors.ts";

export * from "../../src/protocol/abis.ts";
export * from "../../src/protocol/terms.ts";
export * from "../../src/protocol/eip712.ts";
export * from "../../src/protocol/capabilities.ts";
export * from "../../src/protocol/results.ts";
/** `contentHash` of a submission's output: the `resultHash` of `submit`. */
export { contentHash as resultHash } from "../../src/protocol/results.ts";
export * from "../../src/protocol/verification-configs.ts";
export * from "../../src/protocol/document-terms.ts";
export * from "../../src/protocol/disputes.ts";
export * from "../../src/protocol/task-state.ts";
export * from "../../src/documents/index.ts";
export type { Deployment, DeployedContract, ProtocolContractKey } from "../../scripts/deployment.ts";
export * from "./api-types.ts";
export {
  TaskMarketApi,
  type ApiPostTaskInput,
  type ApiPostTaskResult,
  type TaskMarketApiOptions,
  type TaskRelayRequest,
  type TaskTransition,
  type TaskTransitionRequest,
} from "./api-client.ts";
export {
  sendPrepared,
  type PreparedTransaction,
  type SendPreparedOptions,
  type SentPreparedTransaction,
} from "./prepared-transactions.ts";
