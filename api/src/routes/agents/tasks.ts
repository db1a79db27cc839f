// `GET /agents/{id}/tasks`: the tasks an executor holds or held (every task it ever claimed or was assigned, with its
// claims), or with `eligible=true` the open tasks it qualifies for now. Qualifying is what the market and the
// assignment modules check when they give a task out, read from the indexer at one block and judged at its time:
//
// - the task is `Posted` as `statusOf` says it (its claim deadline not passed, or a claim on it lapsed);
// - the executor is registered and active, of the task's kind (or the task takes any kind), and declares every
//   capability the task requires;
// - it is neither the task's poster nor its verifier, and neither is its operator;
// - a task given out by an assignment module has published its configuration, whose reputation gate the executor's
//   record passes (`minCompleted`, `maxDisputesLostBps`), and the module still takes candidates: applications before
//   the application deadline, bids before the end of bidding. A task whose configuration was never published, or
//   whose assigner is not one of the protocol's modules, cannot be judged and is left out.
//
// Dependencies are not an executor's qualification: a task with unmet dependencies is listed (its assignment config
// names them) and cannot be given out until they are met.
import { createRoute, z } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import { AddressParamsSchema, PaginationQuerySchema, ReadBlockSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";
import { accountId, fetchExecutorStanding, type IndexedExecutorStanding } from "../../subgraph/account-queries.ts";
import { BooleanParamSchema, TaskStateNameSchema, listParam } from "../../subgraph/query-params.ts";
import type { IndexedBlock } from "../../subgraph/subgraph-client.ts";
import {
  allOf,
  fetchTaskCandidates,
  fetchTaskPage,
  type IndexedTaskSummary,
  type TaskFilter,
} from "../../subgraph/task-queries.ts";
import { statusesFilter } from "../../subgraph/task-status.ts";
import {
  AmountJson,
  DocumentSummarySchema,
  TaskStatusNameSchema,
  TaskSummarySchema,
  TimeJson,
  blockReference,
  blockTime,
  fetchDocumentSummaries,
  toTaskSummary,
} from "../../subgraph/task-views.ts";
import { toNumber, toNumberOrNull } from "../../subgraph/values.ts";

const BPS = 10_000;

const AgentTasksQuerySchema = z
  .object({
    eligible: BooleanParamSchema.optional().openapi({
      description: "`true`: the open tasks this executor qualifies for now, instead of the tasks it holds or held.",
    }),
    state: listParam(
      TaskStateNameSchema,
      "Tasks in any of these states, as `statusOf` returns them at the indexed block's time (not with `eligible`).",
      "Claimed",
    ).optional(),
    first: PaginationQuerySchema.shape.first,
    skip: PaginationQuerySchema.shape.skip,
  })
  .strict()
  .superRefine((query, context) => {
    if (query.eligible === true && query.state !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["state"],
        message: "eligible tasks are open (Posted) tasks: drop state",
      });
    }
  });

const ClaimSchema = z
  .object({
    number: z.number().int().openapi({ description: "The claim's number on the task (1 for the first)." }),
    bond: AmountJson,
    price: AmountJson.openapi({ description: "The price the task paid when it was given out." }),
    claimedAt: TimeJson,
    executionDeadline: TimeJson,
    lapsed: z.boolean(),
    lapsedAfterRejection: z.boolean().nullable(),
    bondForfeited: AmountJson.nullable(),
    endedAt: TimeJson.nullable(),
    endStatus: TaskStatusNameSchema.nullable(),
  })
  .openapi("ExecutorClaim");

const AgentTaskItemSchema = z
  .object({
    task: TaskSummarySchema,
    document: DocumentSummarySchema.nullable(),
    holding: z.boolean().openapi({
      description: "Whether the executor holds the task now: its claim is live or its submission awaits settlement.",
    }),
    claims: z.array(ClaimSchema).openapi({ description: "The executor's claims of the task, oldest first." }),
  })
  .openapi("AgentTaskItem");

const ELIGIBILITY_REASONS = ["NotRegistered", "Inactive"] as const;

const AgentTasksSchema = z
  .object({
    executor: z.string(),
    eligible: z.boolean().openapi({ description: "Whether these are the open tasks the executor qualifies for." }),
    ineligibleReason: z.enum(ELIGIBILITY_REASONS).nullable().openapi({
      description: "With `eligible=true`: why the executor qualifies for no task at all, if it does not.",
    }),
    items: z.array(AgentTaskItemSchema),
    hasMore: z.boolean(),
    block: ReadBlockSchema,
  })
  .openapi("AgentTasks");

const route = createRoute({
  method: "get",
  path: "/agents/{id}/tasks",
  tags: ["Agents"],
  summary: "List the tasks an executor holds or held, or the open tasks it qualifies for",
  description:
    "Without `eligible`: every task the executor claimed or was assigned, newest first, optionally filtered by " +
    "state, with its claims of each. With `eligible=true`: the open tasks it qualifies for now, newest first — " +
    "`Posted` with the claim deadline not passed, of its kind or open to any kind, requiring only capabilities it " +
    "declares, not posted or verified by it or its operator, and, for a task given out by an assignment module, " +
    "through the module's published reputation gate and still taking candidates. `state` takes repeated or " +
    "comma-separated values.",
  request: { params: AddressParamsSchema, query: AgentTasksQuerySchema },
  responses: {
    200: { description: "One page of tasks", content: { "application/json": { schema: AgentTasksSchema } } },
    ...problemResponses(400, 404, 502, 503, 504),
  },
});

interface IndexedClaim {
  number: number;
  bond: string;
  price: string;
  claimedAt: string;
  executionDeadline: string;
  lapsed: boolean;
  lapsedAfterRejection: boolean | null;
  bondForfeited: string | null;
  endedAt: string | null;
  endStatus: z.infer<typeof TaskStatusNameSchema> | null;
}

type TaskWithClaims = IndexedTaskSummary & { claims: IndexedClaim[] };

const CLAIM_FIELDS = `claims(where: $claimsWhere, orderBy: number, orderDirection: asc, first: 1000) {
  number bond price claimedAt executionDeadline lapsed lapsedAfterRejection bondForfeited endedAt endStatus }`;

/** A page of tasks with the executor's claims of each, read at `block` (the head when undefined). */
function fetchTasksWithClaims(
  services: ApiServices,
  executor: string,
  request: { where: TaskFilter; first: number; skip: number; block?: number },
) {
  return fetchTaskPage<TaskWithClaims>(services.subgraph, {
    ...request,
    orderBy: "taskId",
    orderDirection: "desc",
    extraFields: CLAIM_FIELDS,
    variables: { claimsWhere: { executor } },
    variableDefinitions: ", $claimsWhere: Claim_filter!",
  });
}

/** What judging a candidate task needs, read for every open task of the executor's kind. */
interface Candidate {
  id: string;
  taskId: string;
  claimDeadline: string;
  capabilities: string[];
  assigner: string;
  assignmentConfig: {
    mode: string;
    minCompleted: string;
    maxDisputesLostBps: number;
    applicationDeadline: string | null;
    biddingEnd: string | null;
  } | null;
}

const CANDIDATE_FIELDS = `claimDeadline capabilities assigner
  assignmentConfig { mode minCompleted maxDisputesLostBps applicationDeadline biddingEnd }`;

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Whether `executor` qualifies for `task` at `now`, beyond the filters the indexer already applied. */
function qualifies(
  executor: IndexedExecutorStanding,
  capabilities: Set<string>,
  task: Candidate,
  now: number,
): boolean {
  if (!task.capabilities.every((capability) => capabilities.has(capability.toLowerCase()))) return false;
  if (task.assigner.toLowerCase() === ZERO_ADDRESS) return true;
  const config = task.assignmentConfig;
  if (config === null) return false;
  const record = executor.executorRecord;
  if (record.completed < toNumber(config.minCompleted)) return false;
  const disputes = record.disputesWon + record.disputesLost;
  if (disputes > 0 && record.disputesLost * BPS > config.maxDisputesLostBps * disputes) return false;
  switch (config.mode) {
    case "GatedClaim":
      return true;
    case "ApplicationBoard": {
      const claimDeadline = toNumber(task.claimDeadline);
      const applicationDeadline = toNumber(config.applicationDeadline ?? 0);
      const deadline =
        applicationDeadline === 0 || applicationDeadline > claimDeadline ? claimDeadline : applicationDeadline;
      return now <= deadline;
    }
    case "ReverseAuction":
      return now < toNumber(config.biddingEnd ?? 0);
    default:
      return false;
  }
}

interface AgentTasksPage {
  tasks: TaskWithClaims[];
  hasMore: boolean;
  block: IndexedBlock;
  ineligibleReason: (typeof ELIGIBILITY_REASONS)[number] | null;
}

async function heldTasks(
  services: ApiServices,
  executor: string,
  query: z.infer<typeof AgentTasksQuerySchema>,
): Promise<AgentTasksPage> {
  // A state filter needs the time before the query: the indexer's head, at which everything is then read.
  const [standing, head] = await Promise.all([
    fetchExecutorStanding(services.subgraph, executor),
    query.state === undefined ? undefined : services.subgraph.head().then((answer) => answer.block),
  ]);
  if (standing.account === null)
    throw new ApiProblem("not_found", `The protocol has never seen the account ${executor}.`);
  const filters: TaskFilter[] = [{ claims_: { executor } }];
  if (query.state !== undefined) filters.push(statusesFilter(query.state, blockTime(head!)));
  const page = await fetchTasksWithClaims(services, executor, {
    where: allOf(filters),
    first: query.first + 1,
    skip: query.skip,
    block: head?.number,
  });
  return {
    tasks: page.tasks.slice(0, query.first),
    hasMore: page.tasks.length > query.first,
    block: head ?? page.block,
    ineligibleReason: null,
  };
}

async function eligibleTasks(
  services: ApiServices,
  executor: string,
  query: z.infer<typeof AgentTasksQuerySchema>,
): Promise<AgentTasksPage> {
  const { account, block } = await fetchExecutorStanding(services.subgraph, executor);
  if (account === null) throw new ApiProblem("not_found", `The protocol has never seen the account ${executor}.`);
  const reason = !account.isExecutor ? "NotRegistered" : !account.active ? "Inactive" : null;
  if (reason !== null) return { tasks: [], hasMore: false, block, ineligibleReason: reason };

  const now = blockTime(block);
  const parties = [executor, account.operator?.id].filter(
    (party): party is string => party !== undefined && party.toLowerCase() !== ZERO_ADDRESS,
  );
  const capabilities = new Set(account.capabilities.map((capability) => capability.toLowerCase()));
  const wanted = query.skip + query.first + 1;
  const isQualified = (task: Candidate) => qualifies(account, capabilities, task, now);
  const { tasks: candidates } = await fetchTaskCandidates<Candidate>(services.subgraph, {
    where: allOf([
      statusesFilter(["Posted"], now),
      { executorKind_in: ["Any", account.executorKind] },
      { poster_not_in: parties },
      { verifier_not_in: parties },
    ]),
    fields: CANDIDATE_FIELDS,
    orderDirection: "desc",
    block: block.number,
    enough: (tasks) => tasks.filter(isQualified).length >= wanted,
  });
  const qualified = candidates.filter(isQualified);
  const pageIds = qualified.slice(query.skip, query.skip + query.first).map((task) => task.id);
  const page =
    pageIds.length === 0
      ? { tasks: [] }
      : await fetchTasksWithClaims(services, executor, {
          where: { id_in: pageIds },
          first: pageIds.length,
          skip: 0,
          block: block.number,
        });
  return { tasks: page.tasks, hasMore: qualified.length > query.skip + query.first, block, ineligibleReason: null };
}

const HOLDING_STATUSES = new Set(["Claimed", "InProgress", "Submitted", "Disputed", "Verified"]);

export function registerAgentTasksRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const executor = accountId(id);
    const eligible = query.eligible === true;
    const page = eligible ? await eligibleTasks(services, executor, query) : await heldTasks(services, executor, query);
    const now = blockTime(page.block);
    const documents = await fetchDocumentSummaries(
      services.db,
      page.tasks.map((task) => task.documentHash),
    );
    return c.json(
      {
        executor: id,
        eligible,
        ineligibleReason: page.ineligibleReason,
        items: page.tasks.map((task) => {
          const summary = toTaskSummary(task, now);
          return {
            task: summary,
            document: documents.get(task.documentHash.toLowerCase()) ?? null,
            holding: summary.executor?.toLowerCase() === executor && HOLDING_STATUSES.has(summary.status),
            claims: task.claims.map((claim) => ({
              number: claim.number,
              bond: claim.bond,
              price: claim.price,
              claimedAt: toNumber(claim.claimedAt),
              executionDeadline: toNumber(claim.executionDeadline),
              lapsed: claim.lapsed,
              lapsedAfterRejection: claim.lapsedAfterRejection,
              bondForfeited: claim.bondForfeited,
              endedAt: toNumberOrNull(claim.endedAt),
              endStatus: claim.endStatus,
            })),
          };
        }),
        hasMore: page.hasMore,
        block: { indexed: blockReference(page.block) },
      },
      200,
    );
  });
}
