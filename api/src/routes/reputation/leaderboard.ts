// `GET /reputation/leaderboard`: executors ranked by reputation score (optionally one kind), or posters ranked by how
// many of their tasks were settled, a page at a time.
import { createRoute, z } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { problemResponses } from "../../problems.ts";
import { PaginationQuerySchema, ReadBlockSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";
import {
  ExecutorRecordSchema,
  PosterRecordSchema,
  ReputationFiguresSchema,
  fetchLeaderboard,
  toExecutorRecord,
  toPosterRecord,
  toReputationFigures,
} from "../../subgraph/account-queries.ts";
import { nameOf } from "../../subgraph/query-params.ts";
import { AddressJson, ExecutorKindNameSchema, blockReference } from "../../subgraph/task-views.ts";
import { checksum } from "../../subgraph/values.ts";

const LeaderboardQuerySchema = z
  .object({
    role: nameOf(["executor", "poster"] as const, "role")
      .optional()
      .openapi({
        description:
          "`executor` (the default): registered executors by reputation score. `poster`: accounts that posted a " +
          "task, by how many of their tasks were settled.",
      }),
    kind: nameOf(["Human", "Agent"] as const, "executor kind")
      .optional()
      .openapi({ description: "Only executors of this kind: human or agent (with role executor)." }),
    first: PaginationQuerySchema.shape.first,
    skip: PaginationQuerySchema.shape.skip,
  })
  .strict()
  .superRefine((query, context) => {
    if (query.kind !== undefined && query.role === "poster") {
      context.addIssue({ code: "custom", path: ["kind"], message: "kind ranks executors: use it with role=executor" });
    }
  });

const LeaderboardEntrySchema = z
  .object({
    rank: z.number().int().openapi({ description: "1 for the first entry of the first page." }),
    account: AddressJson,
    executorKind: ExecutorKindNameSchema.nullable().openapi({
      description: "Null for an account that never registered.",
    }),
    active: z.boolean(),
    reputation: ReputationFiguresSchema,
    executorRecord: ExecutorRecordSchema,
    posterRecord: PosterRecordSchema,
  })
  .openapi("LeaderboardEntry");

const LeaderboardSchema = z
  .object({
    role: z.enum(["executor", "poster"]),
    items: z.array(LeaderboardEntrySchema),
    hasMore: z.boolean(),
    block: ReadBlockSchema,
  })
  .openapi("Leaderboard");

const route = createRoute({
  method: "get",
  path: "/reputation/leaderboard",
  tags: ["Reputation"],
  summary: "Rank executors by reputation score, or posters by settled tasks",
  description:
    "Registered executors by reputation score, highest first (an executor without outcomes scores 5,000, the " +
    "prior), optionally only humans or agents; or, with `role=poster`, the accounts that posted tasks by how many " +
    "of them were settled. Ties go to the higher address.",
  request: { query: LeaderboardQuerySchema },
  responses: {
    200: { description: "One page of the leaderboard", content: { "application/json": { schema: LeaderboardSchema } } },
    ...problemResponses(400, 502, 503, 504),
  },
});

export function registerLeaderboardRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const role = query.role ?? "executor";
    const { accounts, block } = await fetchLeaderboard(services.subgraph, {
      role,
      kind: query.kind,
      first: query.first + 1,
      skip: query.skip,
    });
    return c.json(
      {
        role,
        items: accounts.slice(0, query.first).map((account, index) => ({
          rank: query.skip + index + 1,
          account: checksum(account.id),
          executorKind: account.isExecutor ? account.executorKind : null,
          active: account.active,
          reputation: toReputationFigures(account),
          executorRecord: toExecutorRecord(account.executorRecord),
          posterRecord: toPosterRecord(account.posterRecord),
        })),
        hasMore: accounts.length > query.first,
        block: { indexed: blockReference(block) },
      },
      200,
    );
  });
}
