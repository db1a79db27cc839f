/**
 * What the reconciliation reads from the subgraph: the fields of each collection it queries, besides `id`, by the
 * collection's query field (plural for a collection, singular for an entity read by id). Kept apart, without imports,
 * so that the selections can be checked against the API schema the graph node builds from indexer/schema.graphql.
 */

/** The booleans `Task` unpacks from `TaskState.flags`, bit 0 first (`TaskMarketCore`'s `FLAG_*`). */
export const FLAG_NAMES = [
  "rejected",
  "posterConsentedToCancel",
  "executorConsentedToCancel",
  "posterRated",
  "executorRated",
  "rejectedAfterDeadline",
  "verifierFeePaid",
  "extended",
] as const;

const TASK_SELECTION = `
  taskId poster { id } token reward claimBond claimDeadline executionWindow reviewWindow feeBps executorKind verifier
  verifierFee verifierConfigHash capabilitiesHash documentHash milestoneShares milestoneSharesBps capabilities documentURI
  assigner subtaskBudget assignerConfigHash
  status executor { id } executionDeadline reviewDeadline flags ${FLAG_NAMES.join(" ")}
  milestonesVerified heldAt holdShareBps released drawn openSubtasks parent { id } parentPoster depth submissionHash
  unpaidReward price escrowRemaining paidToExecutor protocolFees executorRating posterRating
  currentDispute { id module phase rejection claimantForExecutor decisionShareBps rulingShareBps deadline claimant { id }
    respondent { id } arbitrator arbitratorDisputeId claimantFee bond }`;

const ACCOUNT_SELECTION = `
  isExecutor executorKind operator { id } capabilities active registeredAt
  executorRecord { completed expired rejected disputesWon disputesLost ratingSum ratingCount }
  posterRecord { posted settled cancelled expired ratingSum ratingCount }`;

/** What the reconciliation reads of each collection (besides `id`), by the collection's query field. */
export const SELECTIONS = {
  tasks: TASK_SELECTION,
  accounts: ACCOUNT_SELECTION,
  accountTokens: "account { id } token { id } earned",
  credits: "contract account { id } token amount",
  verifiers: "verifierSet { id } account { id } active bond leftAt status",
  verifierSet: "admin { id } memberCount",
  applications: "task { id } applicant { id } status deposit",
  auction:
    "token bidCount outcome winner { id } sealed bids { bidder { id } status price eta sequence deposit commitment }",
  arbitratorDisputes:
    "arbitrator disputeId arbitrable fee votingDeadline voteCount solved ruling delivered closedUnresolved",
  tokens: "accruedFees escrowBalance totalPaidToExecutors totalProtocolFees totalFeesWithdrawn",
  protocolStats: "protocolFeeBps feeRecipient paused taskCount",
  bids: "deposit auction { token }",
  disputes: "module phase claimantDeposit bond",
  payments: "kind contract from to token amount task { id }",
} as const;
