// `GET /tasks/{id}`: one task composed from three sources, read concurrently — its document from the API's database,
// what the indexer derived from its events, and its live state on the chain (`statusOf` applies the time-based
// outcomes that no event announces). The answer says which block each part reflects. A task the chain has and the
// indexer has not reached yet is still answered, from the chain and the document, with `indexed: null`.
import { createRoute, z } from "@hono/zod-openapi";
import type { Hex } from "viem";

import { taskMarketAbi } from "../../../../src/protocol/abis.ts";
import type { TaskDocument } from "../../../../src/documents/index.ts";
import { LruCache } from "../../../../indexer/node/graphql/lru.ts";
import type { ApiApp } from "../../app.ts";
import type { LiveTask } from "../../chain/protocol-chain.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import { ReadBlockSchema, TaskIdParamsSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";
import { fetchTaskDetail } from "../../subgraph/task-queries.ts";

import {
  AddressJson,
  BytesJson,
  TaskDetailSchema,
  type TaskDetail,
  TaskStatusNameSchema,
  TimeJson,
  blockReference,
  blockTime,
  toTaskDetail,
} from "../../subgraph/task-views.ts";
import { addressOrNull, checksum } from "../../subgraph/values.ts";
import { taskStatusName } from "../../../../src/protocol/terms.ts";

const TaskDocumentJsonSchema = z.custom<TaskDocument>().openapi({
  type: "object",
  description: "The task document (taskmarket/task-document@1) the task's `documentHash` commits to.",
});

const LiveTaskSchema = z
  .object({
    status: TaskStatusNameSchema.openapi({
      description: "`statusOf`: time-based outcomes applied at the chain block.",
    }),
    storedStatus: TaskStatusNameSchema.openapi({ description: "`stateOf().status`, as stored." }),
    executor: AddressJson.nullable(),
    executionDeadline: TimeJson,
    reviewDeadline: TimeJson,
    flags: z.number().int(),
    submissionHash: BytesJson.openapi({ description: "`submissionOf`: the latest result hash, or zero." }),
    milestonesVerified: z.number().int(),
    heldAt: TimeJson,
    holdShareBps: z.number().int(),
  })
  .openapi("LiveTaskState");

const TaskReadSchema = z
  .object({
    id: z.string().openapi({ example: "1" }),
    status: TaskStatusNameSchema.openapi({ description: "The task's status now, as the chain's `statusOf` says it." }),
    poster: AddressJson,
    documentHash: BytesJson,
    documentURI: z.string().openapi({ description: "The URI the poster emitted in `TaskCreated`." }),
    document: TaskDocumentJsonSchema.nullable().openapi({
      description: "The task document, or null when this API does not hold the document the task commits to.",
    }),
    chain: LiveTaskSchema,
    indexed: TaskDetailSchema.nullable().openapi({
      description: "Everything the indexer derived from the task's events; null until it has indexed the task.",
    }),
    block: ReadBlockSchema.openapi({
      description:
        "`chain`: the block the live state was read at. `indexed`: the indexer's head the indexed part reflects " +
        "(its derived statuses are taken at that block's time).",
    }),
  })
  .openapi("TaskRead");

const route = createRoute({
  method: "get",
  path: "/tasks/{id}",
  tags: ["Tasks"],
  summary: "Read a task: its document, its indexed record and its live on-chain state",
  description:
    "Composes the task document the chain commits to (null when this API does not hold it), everything the indexer " +
    "knows of the task (terms, options, status, executor, deadlines, figures, dependencies and dependents, parent and " +
    "subtasks, the latest submission, milestones, the current dispute) and the live state read from the chain, " +
    "whose `statusOf` applies time-based outcomes (expiry, a lapsed claim, a review window run out) that the " +
    "indexer cannot. `block` says which block each part reflects. A task the indexer has not reached yet is " +
    "answered from the chain with `indexed: null`.",
  request: { params: TaskIdParamsSchema },
  responses: {
    200: { description: "The task", content: { "application/json": { schema: TaskReadSchema } } },
    ...problemResponses(400, 404, 502, 503, 504),
  },
});

function toLiveState(live: LiveTask): z.infer<typeof LiveTaskSchema> {
  return {
    status: taskStatusName(live.status),
    storedStatus: taskStatusName(live.state.status),
    executor: addressOrNull(live.state.executor),
    executionDeadline: live.state.executionDeadline,
    reviewDeadline: live.state.reviewDeadline,
    flags: live.state.flags,
    submissionHash: live.submissionHash.toLowerCase() as Hex,
    milestonesVerified: live.milestonesVerified,
    heldAt: live.heldAt,
    holdShareBps: live.holdShareBps,
  };
}

/** What a task's creation fixed for good: who posted it and the document it commits to. */
interface Creation {
  poster: string;
  documentHash: Hex;
  documentURI: string;
}

/** What `TaskCreated` said of a task the indexer has not reached. */
async function readCreation(services: ApiServices, taskId: bigint, atBlock: number): Promise<Creation> {
  const { chain } = services;
  let logs;
  try {
    logs = await chain.client.getContractEvents({
      address: chain.address("taskMarket"),
      abi: taskMarketAbi,
      eventName: "TaskCreated",
      args: { taskId },
      fromBlock: BigInt(chain.deployment.deploymentBlock),
      toBlock: BigInt(atBlock),
      strict: true,
    });
  } catch (error) {
    throw new ApiProblem("upstream_failed", `Reading the creation of task ${taskId} from the chain failed.`, {
      cause: error,
    });
  }
  const created = logs[0];
  if (created === undefined) {
    throw new ApiProblem("upstream_failed", `The chain has task ${taskId} but no TaskCreated event for it.`);
  }
  return {
    poster: created.args.poster,
    documentHash: created.args.terms.documentHash.toLowerCase() as Hex,
    documentURI: created.args.documentURI,
  };
}

interface IndexedRead {
  task: TaskDetail | null;
  block: { number: number; hash: string };
}

/** Documents larger than this are read from the database each time rather than kept in memory. */
const MAX_CACHED_DOCUMENT_CHARACTERS = 32 * 1024;

interface ChainHead {
  number: number;
  hash: string;
}

const isAt = (block: ChainHead, head: ChainHead) =>
  block.number === head.number && block.hash.toLowerCase() === head.hash.toLowerCase();

/**
 * What the route keeps between requests, none of which can be stale when it is used:
 * - a task's creation (poster, document hash and URI) never changes;
 * - a document is content-addressed: the one stored under a hash is always the same (only its absence can change);
 * - the indexed record read at block B is what the indexer answers for as long as the chain's head is still B, since
 *   the indexer cannot be ahead of the chain.
 * Each request reads the live state with the chain's head (one round trip), and uses a kept indexed record only when
 * it was read at that head; on a new block the indexer is read again. The live state itself is read every time: it
 * comes in the same round trip as the head, which every request needs.
 */
function readCaches() {
  return {
    creations: new LruCache<string, Creation>(20_000),
    documents: new LruCache<string, TaskDocument>(1_000),
    indexed: new LruCache<string, IndexedRead & { task: TaskDetail }>(5_000),
  };
}

export function registerTaskReadRoute(app: ApiApp, services: ApiServices): void {
  const caches = readCaches();

  async function readDocument(documentHash: Hex): Promise<TaskDocument | null> {
    const cached = caches.documents.get(documentHash);
    if (cached !== undefined) return cached;
    const stored = await services.documents.get(documentHash);
    if (stored === undefined) return null;
    if (JSON.stringify(stored.document).length <= MAX_CACHED_DOCUMENT_CHARACTERS) {
      caches.documents.set(documentHash, stored.document);
    }
    return stored.document;
  }

  async function readIndexed(taskId: bigint): Promise<IndexedRead> {
    const { task, block } = await fetchTaskDetail(services.subgraph, taskId);
    return { task: task === null ? null : toTaskDetail(task, blockTime(block)), block: blockReference(block) };
  }

  app.openapi(route, async (c) => {
    const { id: taskId } = c.req.valid("param");
    const key = taskId.toString();
    // The document, the chain and the indexer are read at once; the document as soon as its hash is known.
    let creation = caches.creations.get(key);
    const knownDocument = creation === undefined ? undefined : readDocument(creation.documentHash);
    knownDocument?.catch(() => undefined);
    // The live state comes with the chain's head it was read at (one round trip); a kept indexed record is used only
    // if it was read at that head. Without one, the indexer is read at the same time as the chain.
    const keptIndexed = caches.indexed.get(key);
    const fresh = keptIndexed === undefined ? readIndexed(taskId) : undefined;
    fresh?.catch(() => undefined);
    const live = await services.chain.readTask(taskId);
    const indexed =
      fresh === undefined && isAt(keptIndexed!.block, live.block) ? keptIndexed! : await (fresh ?? readIndexed(taskId));
    if (indexed.task !== null) {
      caches.indexed.set(key, { task: indexed.task, block: indexed.block });
      creation ??= {
        poster: indexed.task.poster,
        documentHash: indexed.task.documentHash as Hex,
        documentURI: indexed.task.documentURI,
      };
      caches.creations.set(key, creation);
    }
    creation ??= await readCreation(services, taskId, live.block.number);
    const document = await (knownDocument ?? readDocument(creation.documentHash));
    return c.json(
      {
        id: key,
        status: taskStatusName(live.status),
        poster: checksum(creation.poster),
        documentHash: creation.documentHash.toLowerCase(),
        documentURI: creation.documentURI,
        document,
        chain: toLiveState(live),
        indexed: indexed.task,
        block: {
          indexed: indexed.block,
          chain: { number: live.block.number, hash: live.block.hash },
        },
      },
      200,
    );
  });
}
