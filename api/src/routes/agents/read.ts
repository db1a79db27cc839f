// `GET /agents/{id}`: an account's profile as the indexer has it — its executor registration (kind, operator,
// capabilities, metadata, whether it is active), the market's executor and poster records, its reputation figures,
// its activity and what it earned, escrowed and was refunded per token. Any address the protocol has named has a
// profile, registered or not; an address it never saw is a 404.
import { createRoute } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import { AddressParamsSchema, ReadBlockSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";
import { AccountProfileSchema, fetchAccountProfile, toAccountProfile } from "../../subgraph/account-queries.ts";
import { blockReference } from "../../subgraph/task-views.ts";

const AgentReadSchema = AccountProfileSchema.extend({ block: ReadBlockSchema }).openapi("AgentRead");

const route = createRoute({
  method: "get",
  path: "/agents/{id}",
  tags: ["Agents"],
  summary: "Read an executor's or any account's profile, records and reputation",
  description:
    "The profile of an address the protocol has seen: its executor registration (null if it never registered), the " +
    "market's executor and poster records, its reputation score with the weights it is computed from, its activity " +
    "and its figures per token. 404 for an address the protocol has never named.",
  request: { params: AddressParamsSchema },
  responses: {
    200: { description: "The account", content: { "application/json": { schema: AgentReadSchema } } },
    ...problemResponses(400, 404, 502, 503, 504),
  },
});

export function registerAgentReadRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { account, block } = await fetchAccountProfile(services.subgraph, id);
    if (account === null) throw new ApiProblem("not_found", `The protocol has never seen the account ${id}.`);
    return c.json({ ...toAccountProfile(account), block: { indexed: blockReference(block) } }, 200);
  });
}
