// `GET /tasks/search`: full-text search over the task documents the API holds, with filters on what the chain says
// of each task. The two sides live in different stores — the words, the category and the tags in the API's database
// (documents), the state, token, reward, kind, capabilities, poster and deadlines in the indexer (events) — and a task
// matches only if both sides agree, so the search is an intersection:
//
// - Without a text, category or tag filter, the indexer alone filters, orders and pages (one request), and the page's
//   document summaries come from the database.
// - With one, the database first names the matching documents; the indexer then filters on `documentHash_in` beside
//   the chain filters, and orders and pages as above.
// - By relevance, the documents go to the indexer in rank order, in batches, until the page is full (see
//   `searchByRelevance`).
// - A document match too large to name in a query is intersected here instead: every task matching the chain filters
//   is read with a few fields at one block, ordered and paged here, and the page's summaries read by id at that block.
//
// A state filter names statuses as `statusOf` returns them, which depend on the time: every read of the request is
// made at the indexer's head block, with its time, so that the filter and the data agree. The head the indexer last
// reported is tried first and checked against the `_meta` of the first read (one request instead of two); a head that
// moved means the search runs again at the new one.
//
// Text, category and tag matches are kept on PGlite until a document is stored (see `matchDocuments`), and document
// summaries are kept by hash (documents never change).
import { createRoute, z } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import { PaginationQuerySchema, ReadBlockSchema, Uint256Schema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";
import { LruCache } from "../../../../indexer/node/graphql/lru.ts";
import { documentsStoredCount } from "../../documents/document-store.ts";
import { API_SCHEMA, type Database } from "../../store/api-database.ts";
import {
  AddressParamListItemSchema,
  CapabilityParamSchema,
  ExecutorKindParamSchema,
  TaskStateNameSchema,
  TimeParamSchema,
  TokenParamSchema,
  listParam,
} from "../../subgraph/query-params.ts";
import { sameBlock, type IndexedBlock } from "../../subgraph/subgraph-client.ts";
import {
  allOf,
  fetchTaskCandidates,
  fetchTaskPage,
  fetchTasksByIds,
  TASK_SUMMARY_FIELDS,
  type IndexedTaskSummary,
  type TaskFilter,
} from "../../subgraph/task-queries.ts";
import { statusesFilter } from "../../subgraph/task-status.ts";
import {
  DocumentSummarySchema,
  TaskSummarySchema,
  blockReference,
  blockTime,
  fetchDocumentSummaries,
  toTaskSummary,
} from "../../subgraph/task-views.ts";

const SORTS = ["relevance", "newest", "reward", "deadline"] as const;
type Sort = (typeof SORTS)[number];

/** The indexer field each sort orders by, and its direction unless `order` says otherwise. */
const SORT_ORDER: Record<Exclude<Sort, "relevance">, { field: string; direction: "asc" | "desc" }> = {
  newest: { field: "taskId", direction: "desc" },
  reward: { field: "reward", direction: "desc" },
  deadline: { field: "claimDeadline", direction: "asc" },
};

/** Above this many matching documents, the match is intersected here rather than sent to the indexer in the query. */
const MAX_DOCUMENTS_IN_QUERY = 1000;

const lowercaseWords = "[a-z0-9]+(?:-[a-z0-9]+)*";
const CategorySchema = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(
    z
      .string()
      .max(64)
      .regex(new RegExp(`^${lowercaseWords}(?:/${lowercaseWords})*$`), "must be a category such as data/extraction"),
  );
const TagSchema = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(
    z
      .string()
      .max(32)
      .regex(new RegExp(`^${lowercaseWords}$`), "must be a tag: lower-case words joined by hyphens"),
  );

const SearchQuerySchema = z
  .object({
    q: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .regex(/^[^\u0000]*$/, "must not contain NUL characters")
      .optional()
      .openapi({
        description:
          "Words to find in the documents (web-search syntax: quoted phrases, `or`, `-word`), ranked by where they " +
          "appear: the objective first, then the category and tags, then capabilities and milestone deliverables.",
        example: "invoice extraction",
      }),
    state: listParam(
      TaskStateNameSchema,
      "Tasks in any of these states, as `statusOf` returns them at the indexed block's time (case-insensitive).",
      "Posted",
    ).optional(),
    capability: listParam(
      CapabilityParamSchema,
      "Tasks that require every one of these capabilities, by name.",
      "lang:solidity",
    ).optional(),
    executorKind: listParam(
      ExecutorKindParamSchema,
      "Tasks open to any of these kinds: any, human, agent.",
      "agent",
    ).optional(),
    token: listParam(
      TokenParamSchema,
      "Tasks paid in any of these tokens: `ETH` or an ERC-20 address.",
      "ETH",
    ).optional(),
    minReward: Uint256Schema.optional().openapi({ description: "The least reward, in the token's base units." }),
    maxReward: Uint256Schema.optional().openapi({ description: "The largest reward, in the token's base units." }),
    category: listParam(
      CategorySchema,
      "Tasks in any of these categories, or in a subcategory of one (`data` matches `data/extraction`).",
      "translation",
    ).optional(),
    tag: listParam(TagSchema, "Tasks whose documents carry every one of these tags.", "invoices").optional(),
    claimDeadlineAfter: TimeParamSchema.optional().openapi({
      description: "Tasks whose claim deadline is later than this time (Unix seconds or RFC 3339).",
    }),
    claimDeadlineBefore: TimeParamSchema.optional().openapi({
      description: "Tasks whose claim deadline is earlier than this time (Unix seconds or RFC 3339).",
    }),
    poster: listParam(
      AddressParamListItemSchema,
      "Tasks posted by any of these accounts.",
      "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    ).optional(),
    sort: z
      .enum(SORTS)
      .optional()
      .openapi({
        description:
          "`relevance` (the default with `q`, and only with it), `newest` (the default otherwise), `reward` (largest " +
          "first) or `deadline` (the nearest claim deadline first).",
      }),
    order: z.enum(["asc", "desc"]).optional().openapi({ description: "Reverses the sort's own direction when given." }),
    first: PaginationQuerySchema.shape.first,
    skip: PaginationQuerySchema.shape.skip,
  })
  .strict()
  .superRefine((query, context) => {
    if (query.minReward !== undefined && query.maxReward !== undefined && query.minReward > query.maxReward) {
      context.addIssue({ code: "custom", path: ["minReward"], message: "must not be greater than maxReward" });
    }
    if (
      query.claimDeadlineAfter !== undefined &&
      query.claimDeadlineBefore !== undefined &&
      query.claimDeadlineAfter >= query.claimDeadlineBefore
    ) {
      context.addIssue({
        code: "custom",
        path: ["claimDeadlineAfter"],
        message: "must be earlier than claimDeadlineBefore",
      });
    }
    if (query.sort === "relevance" && query.q === undefined) {
      context.addIssue({ code: "custom", path: ["sort"], message: "relevance needs a text to rank by (q)" });
    }
  });
type SearchQuery = z.infer<typeof SearchQuerySchema>;

const SearchItemSchema = z
  .object({
    task: TaskSummarySchema,
    document: DocumentSummarySchema.nullable().openapi({
      description: "Null when this API does not hold the task's document.",
    }),
    relevance: z.number().nullable().openapi({ description: "The text's rank in the document (with `q`)." }),
  })
  .openapi("TaskSearchItem");

const SearchResultSchema = z
  .object({
    items: z.array(SearchItemSchema),
    hasMore: z.boolean().openapi({ description: "Whether a later page has more tasks." }),
    block: ReadBlockSchema,
  })
  .openapi("TaskSearchResult");

const route = createRoute({
  method: "get",
  path: "/tasks/search",
  tags: ["Tasks"],
  summary: "Search tasks by text and filters",
  description:
    "Full-text search over the task documents this API holds, combined with filters on each task's indexed " +
    "record. A task matches only if it meets every filter given; filters that take several values match any of " +
    "them, except `capability` and `tag`, which need all. Text, category and tag filters only match tasks whose " +
    "document this API holds. List parameters take repeated values (`state=Posted&state=Claimed`), " +
    "comma-separated values (`state=Posted,Claimed`), or both. `block.indexed` is the indexer block the answer " +
    "reflects; states are derived at its time.",
  request: { query: SearchQuerySchema },
  responses: {
    200: { description: "One page of matching tasks", content: { "application/json": { schema: SearchResultSchema } } },
    ...problemResponses(400, 502, 503, 504),
  },
});

interface DocumentMatch {
  /** Matching document hashes, with the text's rank when a text was given. */
  ranks: Map<string, number>;
}

/** Document matches kept per text, category and tag filter, and the documents stored count they were read at. */
const MATCH_CACHE_SIZE = 200;
const matchCaches = new WeakMap<Database, { storedCount: number; matches: LruCache<string, DocumentMatch> }>();

/**
 * The stored documents that match the text, category and tag filters. Ranking every match is most of the cost of a
 * text search, and the answer changes only when a document is stored: on PGlite, where every document is stored
 * through this process, matches are kept until the next one is. On a PostgreSQL server other API processes may store
 * documents, so every search asks the database.
 */
async function matchDocuments(db: Database, query: SearchQuery): Promise<DocumentMatch> {
  if (db.kind !== "pglite") return queryMatchingDocuments(db, query);
  const storedCount = documentsStoredCount(db);
  let cache = matchCaches.get(db);
  if (cache === undefined || cache.storedCount !== storedCount) {
    cache = { storedCount, matches: new LruCache(MATCH_CACHE_SIZE) };
    matchCaches.set(db, cache);
  }
  const key = JSON.stringify([query.q ?? null, query.category ?? null, query.tag ?? null]);
  const kept = cache.matches.get(key);
  if (kept !== undefined) return kept;
  // Read at the count taken before the query: a document stored meanwhile moves the count, and the next search asks
  // the database again.
  const match = await queryMatchingDocuments(db, query);
  cache.matches.set(key, match);
  return match;
}

async function queryMatchingDocuments(db: Database, query: SearchQuery): Promise<DocumentMatch> {
  const params: unknown[] = [];
  const conditions: string[] = [];
  let from = `${API_SCHEMA}.documents d`;
  let rank = "0::real";
  if (query.q !== undefined) {
    params.push(query.q);
    from += `, websearch_to_tsquery('simple', $${params.length}) AS text_query`;
    conditions.push("d.search @@ text_query");
    rank = "ts_rank(d.search, text_query)";
  }
  if (query.category !== undefined) {
    params.push(
      query.category,
      query.category.map((category) => `${category}/%`),
    );
    conditions.push(
      `(d.category = ANY($${params.length - 1}::text[]) OR d.category LIKE ANY($${params.length}::text[]))`,
    );
  }
  if (query.tag !== undefined) {
    params.push([...new Set(query.tag)]);
    conditions.push(`d.tags @> $${params.length}::text[]`);
  }
  const rows = await db.query<{ hash: string; rank: number }>(
    `SELECT d.hash, ${rank} AS rank FROM ${from} WHERE ${conditions.join(" AND ")}`,
    params,
  );
  return { ranks: new Map(rows.map((row) => [row.hash, Number(row.rank)])) };
}

/** The indexer filters for everything the chain says of a task; `now` is the time states are derived at. */
function chainFilters(query: SearchQuery, now: number | undefined): TaskFilter[] {
  const filters: TaskFilter[] = [];
  if (query.state !== undefined) filters.push(statusesFilter(query.state, now!));
  if (query.capability !== undefined) {
    filters.push({ capabilities_contains: [...new Set(query.capability.map((capability) => capability.id))] });
  }
  if (query.executorKind !== undefined) filters.push({ executorKind_in: [...new Set(query.executorKind)] });
  if (query.token !== undefined) filters.push({ token_in: [...new Set(query.token)] });
  if (query.minReward !== undefined) filters.push({ reward_gte: query.minReward.toString() });
  if (query.maxReward !== undefined) filters.push({ reward_lte: query.maxReward.toString() });
  if (query.claimDeadlineAfter !== undefined) filters.push({ claimDeadline_gt: String(query.claimDeadlineAfter) });
  if (query.claimDeadlineBefore !== undefined) filters.push({ claimDeadline_lt: String(query.claimDeadlineBefore) });
  if (query.poster !== undefined) filters.push({ poster_in: [...new Set(query.poster)] });
  return filters;
}

interface SearchPage {
  tasks: IndexedTaskSummary[];
  relevance: Map<string, number> | undefined;
  hasMore: boolean;
  block: IndexedBlock;
  /** The indexer's head as the first read of the search reported it; undefined when the search read nothing. */
  headSeen: IndexedBlock | undefined;
}

interface Candidate {
  id: string;
  taskId: string;
  reward: string;
  claimDeadline: string;
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders candidates as the indexer orders a page for `sort`, ties by task id in the same direction. */
function candidateOrder(sort: Exclude<Sort, "relevance">, direction: "asc" | "desc") {
  const sign = direction === "asc" ? 1 : -1;
  const key = (candidate: Candidate): bigint =>
    sort === "reward"
      ? BigInt(candidate.reward)
      : sort === "deadline"
        ? BigInt(candidate.claimDeadline)
        : BigInt(candidate.taskId);
  return (a: Candidate, b: Candidate) =>
    sign * (compareBigInt(key(a), key(b)) || compareBigInt(BigInt(a.taskId), BigInt(b.taskId)));
}

/**
 * Tasks by relevance: the matching documents in rank order, then each document's tasks, newest first (so that ties
 * in rank are broken by document hash, then task id). Documents are sent to the indexer in growing batches in that
 * order, each batch with the chain filters, until the tasks found fill the page: every task of a later batch comes
 * after every task found so far, so the page is final once it is full. A page near the top costs one read.
 */
async function searchByRelevance(
  subgraph: ApiServices["subgraph"],
  query: SearchQuery,
  filters: readonly TaskFilter[],
  ranks: Map<string, number>,
  direction: "asc" | "desc",
  head: IndexedBlock | undefined,
): Promise<SearchPage> {
  const sign = direction === "desc" ? 1 : -1;
  const documentOrder = (a: string, b: string) =>
    sign * (ranks.get(b)! - ranks.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  const documents = [...ranks.keys()].sort(documentOrder);
  const wanted = query.skip + query.first + 1;
  const found: IndexedTaskSummary[] = [];
  let block = head;
  let headSeen: IndexedBlock | undefined;
  let batchSize = Math.min(Math.max(2 * wanted, 50), MAX_DOCUMENTS_IN_QUERY);
  for (let start = 0; start < documents.length && found.length < wanted; start += batchSize, batchSize *= 4) {
    batchSize = Math.min(batchSize, MAX_DOCUMENTS_IN_QUERY);
    const answer = await fetchTaskCandidates<IndexedTaskSummary>(subgraph, {
      where: allOf([...filters, { documentHash_in: documents.slice(start, start + batchSize) }]),
      fields: TASK_SUMMARY_FIELDS,
      orderDirection: "desc",
      block: block?.number,
    });
    block ??= answer.block;
    headSeen ??= answer.block;
    found.push(...answer.tasks);
  }
  found.sort(
    (a, b) => documentOrder(a.documentHash, b.documentHash) || sign * compareBigInt(BigInt(b.taskId), BigInt(a.taskId)),
  );
  return {
    tasks: found.slice(query.skip, query.skip + query.first),
    relevance: ranks,
    hasMore: found.length > query.skip + query.first,
    block: block ?? (await subgraph.head()).block,
    headSeen,
  };
}

/** Reads of a search at a time of their own are retried at most this many times for a head that moved meanwhile. */
const HEAD_ATTEMPTS = 3;

async function search(services: ApiServices, query: SearchQuery): Promise<SearchPage> {
  const { subgraph } = services;
  const filtersDocuments = query.q !== undefined || query.category !== undefined || query.tag !== undefined;
  const matching = filtersDocuments ? matchDocuments(services.db, query) : Promise.resolve(undefined);
  if (query.state === undefined) return searchAt(services, query, await matching, undefined);

  // Statuses depend on the time, so every read is made at one block and the filter uses its time. That block must be
  // the head: the head the last answer reported is likely still it, and the first read's `_meta` says whether it is;
  // if not, the search runs again at the head that read reported. Without a head seen yet, it is asked for first.
  let head = subgraph.lastHead;
  let fresh = head === undefined;
  const [match, firstHead] = await Promise.all([
    matching,
    head === undefined ? subgraph.head().then((answer) => answer.block) : undefined,
  ]);
  head ??= firstHead!;
  for (let attempt = 1; ; attempt++) {
    let page: SearchPage;
    try {
      page = await searchAt(services, query, match, head);
    } catch (error) {
      // A guess can name a block the indexer no longer has (a reorg took it back): ask for the head and try again.
      if (fresh || !(error instanceof ApiProblem) || error.code !== "upstream_failed") throw error;
      head = (await subgraph.head()).block;
      fresh = true;
      continue;
    }
    const headSeen = page.headSeen ?? (await subgraph.head()).block;
    // After a few attempts on a chain that keeps moving, the answer stands: it is consistent at its block, which was
    // the head moments ago, as a head read before the search would be.
    if (sameBlock(headSeen, head) || attempt >= HEAD_ATTEMPTS) return page;
    head = headSeen;
    fresh = true;
  }
}

/** The search with every read at `head` when given (a state filter needs one block), at the indexer's head if not. */
async function searchAt(
  services: ApiServices,
  query: SearchQuery,
  match: DocumentMatch | undefined,
  head: IndexedBlock | undefined,
): Promise<SearchPage> {
  const { subgraph } = services;
  const sort: Sort = query.sort ?? (query.q === undefined ? "newest" : "relevance");
  const direction = query.order ?? (sort === "relevance" ? "desc" : SORT_ORDER[sort].direction);
  const filters = chainFilters(query, head === undefined ? undefined : blockTime(head));
  if (sort === "relevance") return searchByRelevance(subgraph, query, filters, match!.ranks, direction, head);
  const relevance = query.q === undefined ? undefined : match?.ranks;

  if (match === undefined || match.ranks.size <= MAX_DOCUMENTS_IN_QUERY) {
    if (match !== undefined) filters.push({ documentHash_in: [...match.ranks.keys()] });
    const page = await fetchTaskPage(subgraph, {
      where: allOf(filters),
      orderBy: SORT_ORDER[sort].field,
      orderDirection: direction,
      first: query.first + 1,
      skip: query.skip,
      block: head?.number,
    });
    return {
      tasks: page.tasks.slice(0, query.first),
      relevance,
      hasMore: page.tasks.length > query.first,
      block: head ?? page.block,
      headSeen: page.block,
    };
  }

  // Too many documents to name in a query: every task matching the chain filters, intersected here.
  const { tasks: candidates, block: firstBlock } = await fetchTaskCandidates<Candidate & { documentHash: string }>(
    subgraph,
    { where: allOf(filters), fields: "documentHash reward claimDeadline", orderDirection: "asc", block: head?.number },
  );
  const block = head ?? firstBlock;
  const matching = candidates.filter((task) => match.ranks.has(task.documentHash));
  matching.sort(candidateOrder(sort, direction));
  const pageIds = matching.slice(query.skip, query.skip + query.first).map((task) => task.id);
  return {
    tasks: await fetchTasksByIds(subgraph, pageIds, block.number),
    relevance,
    hasMore: matching.length > query.skip + query.first,
    block,
    headSeen: firstBlock,
  };
}

export function registerTaskSearchRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const page = await search(services, query);
    const now = blockTime(page.block);
    const documents = await fetchDocumentSummaries(
      services.db,
      page.tasks.map((task) => task.documentHash),
    );
    return c.json(
      {
        items: page.tasks.map((task) => {
          const documentHash = task.documentHash.toLowerCase();
          return {
            task: toTaskSummary(task, now),
            document: documents.get(documentHash) ?? null,
            relevance: page.relevance?.get(documentHash) ?? null,
          };
        }),
        hasMore: page.hasMore,
        block: { indexed: blockReference(page.block) },
      },
      200,
    );
  });
}
