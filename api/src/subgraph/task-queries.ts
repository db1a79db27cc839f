// What the task reads select from the indexer, and the shape of what comes back. A selection is written once here and
// used by every route that reads tasks, so that a summary means the same in a search, an executor's task list and a
// leaderboard. Each read is one GraphQL request, which the graph node answers with one statement per top-level field,
// its nested levels included, so none of these reads grows with the number of tasks in a page.
import type { IndexedBlock, SubgraphClient } from "./subgraph-client.ts";

import type { Ref } from "./values.ts";
import type { TaskStatusName } from "../../../src/protocol/terms.ts";

/** The fields a task's status is derived from (see task-status.ts). */
const STATUS_FIELDS = "status claimDeadline executionDeadline reviewDeadline";

/** A task in a list: its terms, where it stands, and how it is given out and verified. */
export const TASK_SUMMARY_FIELDS = `
  id taskId poster { id } token reward price claimBond claimDeadline executionWindow reviewWindow executorKind
  verifier verifierFee capabilities documentHash documentURI milestoneSharesBps assigner
  status executor { id } executionDeadline reviewDeadline
  verificationMethod assignmentMode parent { id } depth submissionCount createdAt createdAtBlock updatedAt`;

export interface IndexedTaskSummary {
  id: string;
  taskId: string;
  poster: Ref;
  token: string;
  reward: string;
  price: string;
  claimBond: string;
  claimDeadline: string;
  executionWindow: string;
  reviewWindow: string;
  executorKind: "Any" | "Human" | "Agent";
  verifier: string;
  verifierFee: string;
  capabilities: string[];
  documentHash: string;
  documentURI: string;
  milestoneSharesBps: number[];
  assigner: string;
  status: TaskStatusName;
  executor: Ref | null;
  executionDeadline: string;
  reviewDeadline: string;
  verificationMethod: string;
  assignmentMode: string;
  parent: Ref | null;
  depth: number;
  submissionCount: number;
  createdAt: string;
  createdAtBlock: string;
  updatedAt: string;
}

/** Another task named by a task (its parent, a subtask, a dependency), with what its status is derived from. */
export interface IndexedRelatedTask {
  id: string;
  status: TaskStatusName;
  claimDeadline: string;
  executionDeadline: string;
  reviewDeadline: string;
}

const ASSIGNMENT_CONFIG_FIELDS = `
  module mode configHash minCompleted maxDisputesLostBps dependencyIds applicationDeadline biddingEnd revealEnd bidBond
  priceWeightBps awardWindow publishedAt`;

export interface IndexedAssignmentConfig {
  module: string;
  mode: string;
  configHash: string;
  minCompleted: string;
  maxDisputesLostBps: number;
  dependencyIds: string[];
  applicationDeadline: string | null;
  biddingEnd: string | null;
  revealEnd: string | null;
  bidBond: string | null;
  priceWeightBps: number | null;
  awardWindow: string | null;
  publishedAt: string;
}

const SUBMISSION_FIELDS = `
  number milestone executor { id } resultHash resultURI reviewDeadline submittedAt submittedAtBlock transaction
  submittedByVerifier proven status decision decidedBy decidedAt rejectionReason heldUntil holdShareBps
  executorShareBps amount payout fee refund`;

export interface IndexedSubmission {
  number: number;
  milestone: number;
  executor: Ref;
  resultHash: string;
  resultURI: string;
  reviewDeadline: string;
  submittedAt: string;
  submittedAtBlock: string;
  transaction: string;
  submittedByVerifier: boolean;
  proven: boolean;
  status: string;
  decision: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  rejectionReason: string | null;
  heldUntil: string | null;
  holdShareBps: number | null;
  executorShareBps: number | null;
  amount: string | null;
  payout: string | null;
  fee: string | null;
  refund: string | null;
}

const DISPUTE_FIELDS = `
  id module method milestone phase rejection decisionShareBps deadline windowEnd claimant { id } respondent { id }
  claimantForExecutor arbitrator arbitratorDisputeId bond ruling rulingShareBps outcome finalShareBps winner openedAt
  raisedAt arbitrationStartedAt ruledAt endedAt`;

export interface IndexedDispute {
  id: string;
  module: string;
  method: string;
  milestone: number;
  phase: string;
  rejection: boolean;
  decisionShareBps: number;
  deadline: string;
  windowEnd: string | null;
  claimant: Ref | null;
  respondent: Ref | null;
  claimantForExecutor: boolean | null;
  arbitrator: string | null;
  arbitratorDisputeId: string | null;
  bond: string | null;
  ruling: string | null;
  rulingShareBps: number | null;
  outcome: string | null;
  finalShareBps: number | null;
  winner: string | null;
  openedAt: string;
  raisedAt: string | null;
  arbitrationStartedAt: string | null;
  ruledAt: string | null;
  endedAt: string | null;
}

export interface IndexedMilestone {
  index: number;
  shareBps: number;
  settled: boolean;
  executor: Ref | null;
  amount: string | null;
  payout: string | null;
  fee: string | null;
  refund: string | null;
  executorShareBps: number | null;
  settledAt: string | null;
}

export interface IndexedDependency {
  index: number;
  met: boolean;
  metAt: string | null;
  failed: boolean;
  failedAt: string | null;
}

/** Nested collections of one task are read whole: the protocol bounds dependencies (8) and milestones (16). */
const MAX_NESTED = 1000;

/** Everything the indexer knows about one task. */
export const TASK_DETAIL_FIELDS = `
  ${TASK_SUMMARY_FIELDS}
  feeBps verifierConfigHash capabilitiesHash milestoneShares subtaskBudget assignerConfigHash
  flags rejected rejectedAfterDeadline posterConsentedToCancel executorConsentedToCancel posterRated executorRated
  verifierFeePaid extended milestonesVerified heldAt holdShareBps released drawn openSubtasks parentPoster subtaskFunding
  submissionHash unpaidReward escrowRemaining paidToExecutor protocolFees refunded verifierFeeAmountPaid
  bondsForfeited bondsReturned claimCount lapseCount checkpointCount executorRating posterRating disputeCount
  createdTransaction updatedAtBlock claimedAt submittedAt endedAt
  assignmentConfig { ${ASSIGNMENT_CONFIG_FIELDS} }
  parent { id ${STATUS_FIELDS} }
  subtasks(first: ${MAX_NESTED}, orderBy: taskId) { id ${STATUS_FIELDS} }
  dependencies(first: ${MAX_NESTED}, orderBy: index) { index met metAt failed failedAt dependency { id ${STATUS_FIELDS} } }
  dependents(first: ${MAX_NESTED}, orderBy: id) { index met metAt failed failedAt task { id ${STATUS_FIELDS} } }
  latestSubmission { ${SUBMISSION_FIELDS} }
  acceptedSubmission { number }
  milestones(first: ${MAX_NESTED}, orderBy: index) {
    index shareBps settled executor { id } amount payout fee refund executorShareBps settledAt
  }
  currentDispute { ${DISPUTE_FIELDS} }`;

export interface IndexedTaskDetail extends Omit<IndexedTaskSummary, "parent"> {
  feeBps: number;
  verifierConfigHash: string;
  capabilitiesHash: string;
  milestoneShares: string;
  subtaskBudget: string;
  assignerConfigHash: string;
  flags: number;
  rejected: boolean;
  rejectedAfterDeadline: boolean;
  posterConsentedToCancel: boolean;
  executorConsentedToCancel: boolean;
  posterRated: boolean;
  executorRated: boolean;
  verifierFeePaid: boolean;
  extended: boolean;
  milestonesVerified: number;
  heldAt: string;
  holdShareBps: number;
  released: string;
  drawn: string;
  openSubtasks: number;
  parentPoster: string | null;
  subtaskFunding: string | null;
  submissionHash: string;
  unpaidReward: string;
  escrowRemaining: string;
  paidToExecutor: string;
  protocolFees: string;
  refunded: string;
  verifierFeeAmountPaid: string;
  bondsForfeited: string;
  bondsReturned: string;
  claimCount: number;
  lapseCount: number;
  checkpointCount: number;
  executorRating: number | null;
  posterRating: number | null;
  disputeCount: number;
  createdTransaction: string;
  updatedAtBlock: string;
  claimedAt: string | null;
  submittedAt: string | null;
  endedAt: string | null;
  assignmentConfig: IndexedAssignmentConfig | null;
  parent: IndexedRelatedTask | null;
  subtasks: IndexedRelatedTask[];
  dependencies: (IndexedDependency & { dependency: IndexedRelatedTask })[];
  dependents: (IndexedDependency & { task: IndexedRelatedTask })[];
  latestSubmission: IndexedSubmission | null;
  acceptedSubmission: { number: number } | null;
  milestones: IndexedMilestone[];
  currentDispute: IndexedDispute | null;
}

/** The indexer's `Task_filter`, as built by the routes. */
export type TaskFilter = Record<string, unknown>;

/**
 * Combines filters so that a task must pass all of them. Column filters are merged into one object and combinators
 * (`or`, `and`) kept beside it in an `and`, since the indexer refuses `or` beside column filters at one level. Fewer
 * filter objects is cheaper too: the GraphQL server checks each one against every field of `Task_filter`.
 */
export function allOf(filters: readonly TaskFilter[]): TaskFilter {
  const columns: TaskFilter = {};
  const separate: TaskFilter[] = [];
  for (const filter of filters) {
    const keys = Object.keys(filter);
    if (keys.length === 0) continue;
    const combinator = keys.some((key) => key === "or" || key === "and");
    if (combinator || keys.some((key) => key in columns)) separate.push(filter);
    else Object.assign(columns, filter);
  }
  if (separate.length === 0) return columns;
  return { and: Object.keys(columns).length === 0 ? separate : [...separate, columns] };
}

/** A block to read at: the one a status filter's time was taken from, so that filter and data agree. */
function blockArgument(block: number | undefined): { definition: string; argument: string } {
  return block === undefined
    ? { definition: "", argument: "" }
    : { definition: ", $block: Block_height", argument: ", block: $block" };
}

export async function fetchTaskDetail(
  subgraph: SubgraphClient,
  taskId: bigint,
): Promise<{ task: IndexedTaskDetail | null; block: IndexedBlock }> {
  const answer = await subgraph.query<{ task: IndexedTaskDetail | null }>(
    `task(id: $id) { ${TASK_DETAIL_FIELDS} }`,
    { id: taskId.toString() },
    "($id: ID!)",
  );
  return { task: answer.data.task, block: answer.block };
}

export interface TaskPageRequest {
  where: TaskFilter;
  orderBy: string;
  orderDirection: "asc" | "desc";
  first: number;
  skip: number;
  /** Read at this block rather than the head. */
  block?: number;
  /** Extra fields per task, beside the summary. */
  extraFields?: string;
  variables?: Record<string, unknown>;
  variableDefinitions?: string;
}

/** One page of task summaries, filtered and ordered by the indexer. */
export async function fetchTaskPage<T extends IndexedTaskSummary = IndexedTaskSummary>(
  subgraph: SubgraphClient,
  request: TaskPageRequest,
): Promise<{ tasks: T[]; block: IndexedBlock }> {
  const at = blockArgument(request.block);
  const answer = await subgraph.query<{ tasks: T[] }>(
    `tasks(where: $where, orderBy: ${request.orderBy}, orderDirection: ${request.orderDirection}, first: $first, ` +
      `skip: $skip${at.argument}) { ${TASK_SUMMARY_FIELDS} ${request.extraFields ?? ""} }`,
    {
      where: request.where,
      first: request.first,
      skip: request.skip,
      ...(request.block === undefined ? {} : { block: { number: request.block } }),
      ...request.variables,
    },
    `($where: Task_filter!, $first: Int!, $skip: Int!${at.definition}${request.variableDefinitions ?? ""})`,
  );
  return { tasks: answer.data.tasks, block: answer.block };
}

/** Summaries of the tasks with `ids`, at `block`, in the order of `ids` (ids the indexer lacks are left out). */
export async function fetchTasksByIds(
  subgraph: SubgraphClient,
  ids: readonly string[],
  block: number,
): Promise<IndexedTaskSummary[]> {
  if (ids.length === 0) return [];
  const { tasks } = await fetchTaskPage(subgraph, {
    where: { id_in: ids },
    orderBy: "taskId",
    orderDirection: "asc",
    first: ids.length,
    skip: 0,
    block,
  });
  const byId = new Map(tasks.map((task) => [task.id, task]));
  return ids.map((id) => byId.get(id)).filter((task) => task !== undefined);
}

/** The indexer's largest page. */
const CANDIDATE_PAGE = 1000;

/**
 * Every task matching `where`, with only `fields`, walked in pages by task id (a cursor, so that the indexer's `skip`
 * limit never applies), all at one block: the given one, or the head the first page was read at (returned as `block`).
 * `enough` stops the walk early once the caller has what it needs from the tasks seen so far.
 */
export async function fetchTaskCandidates<T extends { id: string; taskId: string }>(
  subgraph: SubgraphClient,
  request: {
    where: TaskFilter;
    fields: string;
    orderDirection: "asc" | "desc";
    block?: number;
    enough?: (tasks: readonly T[]) => boolean;
  },
): Promise<{ tasks: T[]; block: IndexedBlock }> {
  const tasks: T[] = [];
  let block: IndexedBlock | undefined;
  let pinned = request.block;
  let cursor: string | undefined;
  const cursorKey = request.orderDirection === "asc" ? "taskId_gt" : "taskId_lt";
  for (;;) {
    const where = cursor === undefined ? request.where : allOf([request.where, { [cursorKey]: cursor }]);
    const at = blockArgument(pinned);
    const answer = await subgraph.query<{ tasks: T[] }>(
      `tasks(where: $where, orderBy: taskId, orderDirection: ${request.orderDirection}, first: ${CANDIDATE_PAGE}` +
        `${at.argument}) { id taskId ${request.fields} }`,
      { where, ...(pinned === undefined ? {} : { block: { number: pinned } }) },
      `($where: Task_filter!${at.definition})`,
    );
    block ??= answer.block;
    pinned ??= answer.block.number;
    tasks.push(...answer.data.tasks);
    if (answer.data.tasks.length < CANDIDATE_PAGE || request.enough?.(tasks)) break;
    cursor = answer.data.tasks.at(-1)!.taskId;
  }
  return { tasks, block: block! };
}
