// `GET /reputation/{id}/history`: every change to an account's records or score, newest first — what happened
// (a completion, a lapse, a dispute, a rating, a task posted…), the task, the outcome's weight and the score before
// and after.
import { createRoute, z } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import { AddressParamsSchema, PaginationQuerySchema, ReadBlockSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";
import {
  REPUTATION_EVENT_KINDS,
  ReputationEventSchema,
  fetchReputationHistory,
  toReputationEvent,
} from "../../subgraph/account-queries.ts";
import { listParam, nameOf } from "../../subgraph/query-params.ts";
import { AddressJson, blockReference } from "../../subgraph/task-views.ts";
import { checksum } from "../../subgraph/values.ts";

const HistoryQuerySchema = z
  .object({
    kind: listParam(
      nameOf(REPUTATION_EVENT_KINDS, "reputation event kind"),
      `Only events of these kinds (${REPUTATION_EVENT_KINDS.join(", ")}).`,
      "Completed",
    ).optional(),
    first: PaginationQuerySchema.shape.first,
    skip: PaginationQuerySchema.shape.skip,
  })
  .strict();

const HistorySchema = z
  .object({
    account: AddressJson,
    items: z.array(ReputationEventSchema),
    hasMore: z.boolean(),
    block: ReadBlockSchema,
  })
  .openapi("ReputationHistory");

const route = createRoute({
  method: "get",
  path: "/reputation/{id}/history",
  tags: ["Reputation"],
  summary: "List an account's reputation events, newest first",
  description:
    "The account's `ReputationEvent`s in reverse chain order, paginated, optionally only some kinds (repeated or " +
    "comma-separated). 404 for an address the protocol has never named.",
  request: { params: AddressParamsSchema, query: HistoryQuerySchema },
  responses: {
    200: { description: "One page of events", content: { "application/json": { schema: HistorySchema } } },
    ...problemResponses(400, 404, 502, 503, 504),
  },
});

export function registerReputationHistoryRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const history = await fetchReputationHistory(services.subgraph, {
      address: id,
      kinds: query.kind === undefined ? undefined : [...new Set(query.kind)],
      first: query.first + 1,
      skip: query.skip,
    });
    if (!history.exists) throw new ApiProblem("not_found", `The protocol has never seen the account ${id}.`);
    return c.json(
      {
        account: checksum(id),
        items: history.events.slice(0, query.first).map(toReputationEvent),
        hasMore: history.events.length > query.first,
        block: { indexed: blockReference(history.block) },
      },
      200,
    );
  });
}
