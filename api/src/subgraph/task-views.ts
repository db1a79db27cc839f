// Tasks as the API answers with them: the indexed task turned into JSON (decimal strings for amounts, numbers for
// times, checksummed addresses, the status derived at the time of the block read), a summary of its document from the
// API's database, and the zod schemas that describe both in the OpenAPI document. Shared by every route that returns
// tasks, so that a task looks the same wherever it appears.
import { z } from "@hono/zod-openapi";

import { LruCache } from "../../../indexer/node/graphql/lru.ts";
import { API_SCHEMA, type Database } from "../store/api-database.ts";
import type { IndexedBlock } from "./subgraph-client.ts";
import type {
  IndexedAssignmentConfig,
  IndexedDispute,
  IndexedRelatedTask,
  IndexedSubmission,
  IndexedTaskDetail,
  IndexedTaskSummary,
} from "./task-queries.ts";
import { deriveTaskStatus } from "./task-status.ts";
import { addressOrNull, checksum, hex, refId, toNumber, toNumberOrNull } from "./values.ts";
import { TASK_STATUS_NAMES, type TaskStatusName } from "../../../src/protocol/terms.ts";

// ---------------------------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------------------------

/** How much of a document's objective a summary shows. */
export const OBJECTIVE_SUMMARY_LENGTH = 280;

export const AddressJson = z
  .string()
  .openapi({ description: "A checksummed address.", example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });
export const AmountJson = z
  .string()
  .openapi({ description: "An amount in the token's base units, in decimal.", pattern: "^[0-9]+$" });
export const BytesJson = z.string().openapi({ description: "Lower-case hex.", pattern: "^0x[0-9a-f]*$" });
export const TimeJson = z.number().int().openapi({ description: "Unix seconds (0 when not set)." });

export const TaskStatusNameSchema = z.enum(TASK_STATUS_NAMES).openapi("TaskStatusName", {
  description: "`TaskStatus` in contracts/types/TaskTypes.sol.",
});
export const ExecutorKindNameSchema = z.enum(["Any", "Human", "Agent"]).openapi("ExecutorKindName");

export const TaskSummarySchema = z
  .object({
    id: z.string().openapi({ description: "The task id in decimal.", example: "1" }),
    status: TaskStatusNameSchema.openapi({
      description:
        "What `statusOf` returns at the time of the indexed block: the stored status with the time-based outcomes " +
        "(expiry, a lapsed claim, a review window run out) applied.",
    }),
    storedStatus: TaskStatusNameSchema.openapi({ description: "The status as stored (`stateOf`)." }),
    poster: AddressJson,
    token: AddressJson.openapi({ description: "The reward's token; the zero address for ETH." }),
    reward: AmountJson,
    price: AmountJson.openapi({
      description: "The reward less what was released to the poster at the first assignment.",
    }),
    claimBond: AmountJson,
    verifierFee: AmountJson,
    claimDeadline: TimeJson,
    executionWindow: z.number().int().openapi({ description: "Seconds from a claim to the execution deadline." }),
    reviewWindow: z.number().int().openapi({ description: "Seconds from a submission to the review deadline." }),
    executorKind: ExecutorKindNameSchema,
    capabilities: z
      .array(BytesJson)
      .openapi({ description: "The required capability ids (keccak256 of their names)." }),
    verifier: AddressJson.nullable().openapi({ description: "The delegated verifier; null when the poster verifies." }),
    verificationMethod: z.string().openapi({ example: "Poster" }),
    assigner: AddressJson.nullable().openapi({ description: "The assignment module; null for a first-come claim." }),
    assignmentMode: z.string().openapi({ example: "FirstCome" }),
    executor: AddressJson.nullable().openapi({
      description: "The executor holding the claim, or the last one to hold it.",
    }),
    executionDeadline: TimeJson,
    reviewDeadline: TimeJson,
    milestoneSharesBps: z.array(z.number().int()).openapi({ description: "Empty for a single deliverable." }),
    parent: z.string().nullable().openapi({ description: "The parent task's id, for a subtask." }),
    depth: z.number().int(),
    submissionCount: z.number().int(),
    documentHash: BytesJson,
    documentURI: z.string(),
    createdAt: TimeJson,
    createdAtBlock: z.number().int(),
    updatedAt: TimeJson,
  })
  .openapi("TaskSummary");
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

export const DocumentSummarySchema = z
  .object({
    documentHash: BytesJson,
    documentURI: z.string(),
    objective: z
      .string()
      .openapi({ description: `The objective, cut to ${OBJECTIVE_SUMMARY_LENGTH} characters (with "…") when longer.` }),
    category: z.string(),
    tags: z.array(z.string()),
    capabilities: z.array(z.string()).openapi({ description: "The required capabilities by name." }),
    executorKind: z.string().openapi({ description: "As the document says it: any, human or agent." }),
    verificationMethod: z.string(),
    difficulty: z.string().nullable(),
    language: z.string().nullable(),
  })
  .openapi("DocumentSummary");
export type DocumentSummary = z.infer<typeof DocumentSummarySchema>;

const RelatedTaskSchema = z
  .object({ id: z.string(), status: TaskStatusNameSchema, storedStatus: TaskStatusNameSchema })
  .openapi("RelatedTask");

const TaskDependencySchema = z
  .object({
    task: RelatedTaskSchema,
    index: z.number().int().openapi({ description: "Position in the assignment configuration's list." }),
    met: z.boolean(),
    metAt: TimeJson.nullable(),
    failed: z.boolean(),
    failedAt: TimeJson.nullable(),
  })
  .openapi("TaskDependency");

const SubmissionSchema = z
  .object({
    number: z.number().int(),
    milestone: z.number().int(),
    executor: AddressJson,
    resultHash: BytesJson,
    resultURI: z.string(),
    reviewDeadline: TimeJson,
    submittedAt: TimeJson,
    submittedAtBlock: z.number().int(),
    transaction: BytesJson,
    submittedByVerifier: z.boolean(),
    proven: z.boolean(),
    status: z.string(),
    decision: z.string().nullable(),
    decidedBy: AddressJson.nullable(),
    decidedAt: TimeJson.nullable(),
    rejectionReason: BytesJson.nullable(),
    heldUntil: TimeJson.nullable(),
    holdShareBps: z.number().int().nullable(),
    executorShareBps: z.number().int().nullable(),
    amount: AmountJson.nullable(),
    payout: AmountJson.nullable(),
    fee: AmountJson.nullable(),
    refund: AmountJson.nullable(),
  })
  .openapi("Submission");

const MilestoneSchema = z
  .object({
    index: z.number().int(),
    shareBps: z.number().int(),
    settled: z.boolean(),
    executor: AddressJson.nullable(),
    executorShareBps: z.number().int().nullable(),
    amount: AmountJson.nullable(),
    payout: AmountJson.nullable(),
    fee: AmountJson.nullable(),
    refund: AmountJson.nullable(),
    settledAt: TimeJson.nullable(),
  })
  .openapi("Milestone");

const DisputeSchema = z
  .object({
    id: z.string(),
    module: AddressJson,
    method: z.string(),
    milestone: z.number().int(),
    phase: z.string(),
    rejection: z.boolean(),
    decisionShareBps: z.number().int(),
    deadline: TimeJson,
    windowEnd: TimeJson.nullable(),
    claimant: AddressJson.nullable(),
    respondent: AddressJson.nullable(),
    claimantForExecutor: z.boolean().nullable(),
    arbitrator: AddressJson.nullable(),
    arbitratorDisputeId: z.string().nullable(),
    bond: AmountJson.nullable(),
    ruling: z.string().nullable(),
    rulingShareBps: z.number().int().nullable(),
    outcome: z.string().nullable(),
    finalShareBps: z.number().int().nullable(),
    winner: AddressJson.nullable(),
    openedAt: TimeJson,
    raisedAt: TimeJson.nullable(),
    arbitrationStartedAt: TimeJson.nullable(),
    ruledAt: TimeJson.nullable(),
    endedAt: TimeJson.nullable(),
  })
  .openapi("Dispute");

export const AssignmentConfigSchema = z
  .object({
    module: AddressJson,
    mode: z.string(),
    configHash: BytesJson,
    minCompleted: z.number().int().openapi({ description: "The reputation gate: completed tasks the executor needs." }),
    maxDisputesLostBps: z
      .number()
      .int()
      .openapi({ description: "The reputation gate: the largest share of disputes lost (10,000 disables it)." }),
    dependencyIds: z.array(z.string()),
    applicationDeadline: TimeJson.nullable(),
    biddingEnd: TimeJson.nullable(),
    revealEnd: TimeJson.nullable(),
    bidBond: AmountJson.nullable(),
    priceWeightBps: z.number().int().nullable(),
    awardWindow: z.number().int().nullable(),
    publishedAt: TimeJson,
  })
  .openapi("AssignmentConfig");

export const TaskDetailSchema = TaskSummarySchema.extend({
  parent: RelatedTaskSchema.nullable(),
  terms: z
    .object({
      poster: AddressJson,
      token: AddressJson,
      reward: AmountJson,
      claimBond: AmountJson,
      claimDeadline: TimeJson,
      executionWindow: z.number().int(),
      reviewWindow: z.number().int(),
      feeBps: z.number().int(),
      executorKind: ExecutorKindNameSchema,
      verifier: AddressJson,
      verifierFee: AmountJson,
      verifierConfigHash: BytesJson,
      capabilitiesHash: BytesJson,
      documentHash: BytesJson,
      milestoneShares: BytesJson,
    })
    .openapi({ description: "`TaskTerms` as emitted in `TaskCreated`, field for field." }),
  options: z
    .object({ assigner: AddressJson, subtaskBudget: AmountJson, assignerConfigHash: BytesJson })
    .openapi({ description: "`TaskOptions` (all zero for a task without options)." }),
  state: z
    .object({
      status: TaskStatusNameSchema,
      executor: AddressJson.nullable(),
      executionDeadline: TimeJson,
      reviewDeadline: TimeJson,
      flags: z.number().int(),
      rejected: z.boolean(),
      rejectedAfterDeadline: z.boolean(),
      posterConsentedToCancel: z.boolean(),
      executorConsentedToCancel: z.boolean(),
      posterRated: z.boolean(),
      executorRated: z.boolean(),
      verifierFeePaid: z.boolean(),
      extended: z.boolean(),
    })
    .openapi({ description: "`TaskState` as stored (`stateOf`), with its flags unpacked." }),
  progress: z.object({ milestonesVerified: z.number().int(), heldAt: TimeJson, holdShareBps: z.number().int() }),
  funding: z.object({ released: AmountJson, drawn: AmountJson, openSubtasks: z.number().int() }),
  figures: z
    .object({
      escrowRemaining: AmountJson,
      paidToExecutor: AmountJson,
      protocolFees: AmountJson,
      refunded: AmountJson,
      verifierFeeAmountPaid: AmountJson,
      bondsForfeited: AmountJson,
      bondsReturned: AmountJson,
      unpaidReward: AmountJson,
      claimCount: z.number().int(),
      lapseCount: z.number().int(),
      checkpointCount: z.number().int(),
      disputeCount: z.number().int(),
    })
    .openapi({ description: "Derived by the indexer from the task's events (see docs/subgraph.md)." }),
  submissionHash: BytesJson,
  executorRating: z.number().int().nullable(),
  posterRating: z.number().int().nullable(),
  assignmentConfig: AssignmentConfigSchema.nullable(),
  parentPoster: AddressJson.nullable(),
  subtaskFunding: AmountJson.nullable(),
  subtasks: z.array(RelatedTaskSchema),
  dependencies: z.array(TaskDependencySchema).openapi({ description: "The tasks this one depends on." }),
  dependents: z.array(TaskDependencySchema).openapi({ description: "The tasks that depend on this one." }),
  latestSubmission: SubmissionSchema.nullable(),
  acceptedSubmission: z
    .number()
    .int()
    .nullable()
    .openapi({ description: "The number of the submission that settled it." }),
  milestones: z.array(MilestoneSchema),
  currentDispute: DisputeSchema.nullable(),
  createdTransaction: BytesJson,
  updatedAtBlock: z.number().int(),
  claimedAt: TimeJson.nullable(),
  submittedAt: TimeJson.nullable(),
  endedAt: TimeJson.nullable(),
}).openapi("IndexedTask");
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// Indexed tasks to JSON
// ---------------------------------------------------------------------------------------------------------------------

/** The time derived statuses are taken at: the block's, or the clock's when the indexer does not say it. */
export function blockTime(block: IndexedBlock): number {
  return block.timestamp ?? Math.floor(Date.now() / 1000);
}

export function blockReference(block: IndexedBlock): { number: number; hash: string } {
  return { number: block.number, hash: block.hash };
}

function storedTimes(task: {
  status: TaskStatusName;
  claimDeadline: string;
  executionDeadline: string;
  reviewDeadline: string;
}) {
  return {
    status: task.status,
    claimDeadline: toNumber(task.claimDeadline),
    executionDeadline: toNumber(task.executionDeadline),
    reviewDeadline: toNumber(task.reviewDeadline),
  };
}

/** The status `statusOf` returns at `now` for an indexed task. */
export function indexedTaskStatus(
  task: { status: TaskStatusName; claimDeadline: string; executionDeadline: string; reviewDeadline: string },
  now: number,
): TaskStatusName {
  return deriveTaskStatus(storedTimes(task), now);
}

export function toTaskSummary(task: IndexedTaskSummary, now: number): TaskSummary {
  return {
    id: task.id,
    status: indexedTaskStatus(task, now),
    storedStatus: task.status,
    poster: checksum(task.poster.id),
    token: checksum(task.token),
    reward: task.reward,
    price: task.price,
    claimBond: task.claimBond,
    verifierFee: task.verifierFee,
    claimDeadline: toNumber(task.claimDeadline),
    executionWindow: toNumber(task.executionWindow),
    reviewWindow: toNumber(task.reviewWindow),
    executorKind: task.executorKind,
    capabilities: task.capabilities.map(hex),
    verifier: addressOrNull(task.verifier),
    verificationMethod: task.verificationMethod,
    assigner: addressOrNull(task.assigner),
    assignmentMode: task.assignmentMode,
    executor: addressOrNull(refId(task.executor)),
    executionDeadline: toNumber(task.executionDeadline),
    reviewDeadline: toNumber(task.reviewDeadline),
    milestoneSharesBps: task.milestoneSharesBps,
    parent: refId(task.parent),
    depth: task.depth,
    submissionCount: task.submissionCount,
    documentHash: hex(task.documentHash),
    documentURI: task.documentURI,
    createdAt: toNumber(task.createdAt),
    createdAtBlock: toNumber(task.createdAtBlock),
    updatedAt: toNumber(task.updatedAt),
  };
}

function toRelatedTask(task: IndexedRelatedTask, now: number) {
  return { id: task.id, status: indexedTaskStatus(task, now), storedStatus: task.status };
}

function toSubmission(submission: IndexedSubmission) {
  return {
    number: submission.number,
    milestone: submission.milestone,
    executor: checksum(submission.executor.id),
    resultHash: hex(submission.resultHash),
    resultURI: submission.resultURI,
    reviewDeadline: toNumber(submission.reviewDeadline),
    submittedAt: toNumber(submission.submittedAt),
    submittedAtBlock: toNumber(submission.submittedAtBlock),
    transaction: hex(submission.transaction),
    submittedByVerifier: submission.submittedByVerifier,
    proven: submission.proven,
    status: submission.status,
    decision: submission.decision,
    decidedBy: addressOrNull(submission.decidedBy),
    decidedAt: toNumberOrNull(submission.decidedAt),
    rejectionReason: submission.rejectionReason === null ? null : hex(submission.rejectionReason),
    heldUntil: toNumberOrNull(submission.heldUntil),
    holdShareBps: submission.holdShareBps,
    executorShareBps: submission.executorShareBps,
    amount: submission.amount,
    payout: submission.payout,
    fee: submission.fee,
    refund: submission.refund,
  };
}

function toDispute(dispute: IndexedDispute) {
  return {
    id: dispute.id,
    module: checksum(dispute.module),
    method: dispute.method,
    milestone: dispute.milestone,
    phase: dispute.phase,
    rejection: dispute.rejection,
    decisionShareBps: dispute.decisionShareBps,
    deadline: toNumber(dispute.deadline),
    windowEnd: toNumberOrNull(dispute.windowEnd),
    claimant: addressOrNull(refId(dispute.claimant)),
    respondent: addressOrNull(refId(dispute.respondent)),
    claimantForExecutor: dispute.claimantForExecutor,
    arbitrator: addressOrNull(dispute.arbitrator),
    arbitratorDisputeId: dispute.arbitratorDisputeId,
    bond: dispute.bond,
    ruling: dispute.ruling,
    rulingShareBps: dispute.rulingShareBps,
    outcome: dispute.outcome,
    finalShareBps: dispute.finalShareBps,
    winner: addressOrNull(dispute.winner),
    openedAt: toNumber(dispute.openedAt),
    raisedAt: toNumberOrNull(dispute.raisedAt),
    arbitrationStartedAt: toNumberOrNull(dispute.arbitrationStartedAt),
    ruledAt: toNumberOrNull(dispute.ruledAt),
    endedAt: toNumberOrNull(dispute.endedAt),
  };
}

export function toAssignmentConfig(config: IndexedAssignmentConfig) {
  return {
    module: checksum(config.module),
    mode: config.mode,
    configHash: hex(config.configHash),
    minCompleted: toNumber(config.minCompleted),
    maxDisputesLostBps: config.maxDisputesLostBps,
    dependencyIds: config.dependencyIds,
    applicationDeadline: toNumberOrNull(config.applicationDeadline),
    biddingEnd: toNumberOrNull(config.biddingEnd),
    revealEnd: toNumberOrNull(config.revealEnd),
    bidBond: config.bidBond,
    priceWeightBps: config.priceWeightBps,
    awardWindow: toNumberOrNull(config.awardWindow),
    publishedAt: toNumber(config.publishedAt),
  };
}

const byTaskId = (a: { task: { id: string } }, b: { task: { id: string } }) =>
  BigInt(a.task.id) < BigInt(b.task.id) ? -1 : BigInt(a.task.id) > BigInt(b.task.id) ? 1 : 0;

export function toTaskDetail(task: IndexedTaskDetail, now: number): TaskDetail {
  const summary = toTaskSummary({ ...task, parent: task.parent === null ? null : { id: task.parent.id } }, now);
  return {
    ...summary,
    parent: task.parent === null ? null : toRelatedTask(task.parent, now),
    terms: {
      poster: summary.poster,
      token: summary.token,
      reward: task.reward,
      claimBond: task.claimBond,
      claimDeadline: summary.claimDeadline,
      executionWindow: summary.executionWindow,
      reviewWindow: summary.reviewWindow,
      feeBps: task.feeBps,
      executorKind: task.executorKind,
      verifier: checksum(task.verifier),
      verifierFee: task.verifierFee,
      verifierConfigHash: hex(task.verifierConfigHash),
      capabilitiesHash: hex(task.capabilitiesHash),
      documentHash: summary.documentHash,
      milestoneShares: hex(task.milestoneShares),
    },
    options: {
      assigner: checksum(task.assigner),
      subtaskBudget: task.subtaskBudget,
      assignerConfigHash: hex(task.assignerConfigHash),
    },
    state: {
      status: task.status,
      executor: summary.executor,
      executionDeadline: summary.executionDeadline,
      reviewDeadline: summary.reviewDeadline,
      flags: task.flags,
      rejected: task.rejected,
      rejectedAfterDeadline: task.rejectedAfterDeadline,
      posterConsentedToCancel: task.posterConsentedToCancel,
      executorConsentedToCancel: task.executorConsentedToCancel,
      posterRated: task.posterRated,
      executorRated: task.executorRated,
      verifierFeePaid: task.verifierFeePaid,
      extended: task.extended,
    },
    progress: {
      milestonesVerified: task.milestonesVerified,
      heldAt: toNumber(task.heldAt),
      holdShareBps: task.holdShareBps,
    },
    funding: { released: task.released, drawn: task.drawn, openSubtasks: task.openSubtasks },
    figures: {
      escrowRemaining: task.escrowRemaining,
      paidToExecutor: task.paidToExecutor,
      protocolFees: task.protocolFees,
      refunded: task.refunded,
      verifierFeeAmountPaid: task.verifierFeeAmountPaid,
      bondsForfeited: task.bondsForfeited,
      bondsReturned: task.bondsReturned,
      unpaidReward: task.unpaidReward,
      claimCount: task.claimCount,
      lapseCount: task.lapseCount,
      checkpointCount: task.checkpointCount,
      disputeCount: task.disputeCount,
    },
    submissionHash: hex(task.submissionHash),
    executorRating: task.executorRating,
    posterRating: task.posterRating,
    assignmentConfig: task.assignmentConfig === null ? null : toAssignmentConfig(task.assignmentConfig),
    parentPoster: addressOrNull(task.parentPoster),
    subtaskFunding: task.subtaskFunding,
    subtasks: task.subtasks
      .map((subtask) => toRelatedTask(subtask, now))
      .sort((a, b) => byTaskId({ task: a }, { task: b })),
    dependencies: task.dependencies
      .map(({ dependency, ...edge }) => ({ task: toRelatedTask(dependency, now), ...dependencyEdge(edge) }))
      .sort((a, b) => a.index - b.index),
    dependents: task.dependents
      .map(({ task: dependent, ...edge }) => ({ task: toRelatedTask(dependent, now), ...dependencyEdge(edge) }))
      .sort(byTaskId),
    latestSubmission: task.latestSubmission === null ? null : toSubmission(task.latestSubmission),
    acceptedSubmission: task.acceptedSubmission?.number ?? null,
    milestones: task.milestones
      .map((milestone) => ({
        index: milestone.index,
        shareBps: milestone.shareBps,
        settled: milestone.settled,
        executor: addressOrNull(refId(milestone.executor)),
        executorShareBps: milestone.executorShareBps,
        amount: milestone.amount,
        payout: milestone.payout,
        fee: milestone.fee,
        refund: milestone.refund,
        settledAt: toNumberOrNull(milestone.settledAt),
      }))
      .sort((a, b) => a.index - b.index),
    currentDispute: task.currentDispute === null ? null : toDispute(task.currentDispute),
    createdTransaction: hex(task.createdTransaction),
    updatedAtBlock: toNumber(task.updatedAtBlock),
    claimedAt: toNumberOrNull(task.claimedAt),
    submittedAt: toNumberOrNull(task.submittedAt),
    endedAt: toNumberOrNull(task.endedAt),
  };
}

function dependencyEdge(edge: {
  index: number;
  met: boolean;
  metAt: string | null;
  failed: boolean;
  failedAt: string | null;
}) {
  return {
    index: edge.index,
    met: edge.met,
    metAt: toNumberOrNull(edge.metAt),
    failed: edge.failed,
    failedAt: toNumberOrNull(edge.failedAt),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Document summaries
// ---------------------------------------------------------------------------------------------------------------------

/** Summaries kept per database: most lists show the same recent and popular tasks again and again. */
const SUMMARY_CACHE_SIZE = 10_000;
const summaryCaches = new WeakMap<Database, LruCache<string, DocumentSummary>>();

/**
 * Summaries of the stored documents among `documentHashes`, by hash. Reads the few fields a list shows from the
 * columns and the jsonb copy, not the whole canonical text, so a page of summaries stays small whatever the documents
 * hold. A document never changes once stored (it is stored under the hash of its content), so a summary read once is
 * kept and served again without a query; a document not found is asked for again the next time.
 */
export async function fetchDocumentSummaries(
  db: Database,
  documentHashes: readonly string[],
): Promise<Map<string, DocumentSummary>> {
  const summaries = new Map<string, DocumentSummary>();
  let cache = summaryCaches.get(db);
  if (cache === undefined) {
    cache = new LruCache(SUMMARY_CACHE_SIZE);
    summaryCaches.set(db, cache);
  }
  const hashes: string[] = [];
  for (const hash of new Set(documentHashes.map((documentHash) => documentHash.toLowerCase()))) {
    const cached = cache.get(hash);
    if (cached === undefined) hashes.push(hash);
    else summaries.set(hash, cached);
  }
  if (hashes.length === 0) return summaries;
  const rows = await db.query<{
    hash: string;
    uri: string;
    objective: string;
    category: string;
    tags: string[];
    capabilities: string[];
    executor_kind: string;
    method: string;
    difficulty: string | null;
    language: string | null;
  }>(
    `SELECT hash, uri, category, tags, capabilities, executor_kind,
            left(document->>'objective', ${OBJECTIVE_SUMMARY_LENGTH + 1}) AS objective,
            document->'verification_criteria'->>'method' AS method,
            document->'metadata'->>'difficulty' AS difficulty,
            document->'metadata'->>'language' AS language
       FROM ${API_SCHEMA}.documents WHERE hash = ANY($1::text[])`,
    [hashes],
  );
  for (const row of rows) {
    const summary: DocumentSummary = {
      documentHash: row.hash,
      documentURI: row.uri,
      objective: shorten(row.objective),
      category: row.category,
      tags: row.tags,
      capabilities: row.capabilities,
      executorKind: row.executor_kind,
      verificationMethod: row.method,
      difficulty: row.difficulty,
      language: row.language,
    };
    cache.set(row.hash, summary);
    summaries.set(row.hash, summary);
  }
  return summaries;
}

function shorten(text: string): string {
  const characters = Array.from(text);
  return characters.length <= OBJECTIVE_SUMMARY_LENGTH
    ? text
    : `${characters.slice(0, OBJECTIVE_SUMMARY_LENGTH - 1).join("")}…`;
}
