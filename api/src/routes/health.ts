// `/health` says the process is up; `/ready` says it can serve: its database answers, the chain's RPC endpoint
// answers, and the indexer answers without indexing errors. Load balancers route on `/ready`.
import { createRoute, z } from "@hono/zod-openapi";

import type { ApiApp } from "../app.ts";
import type { ApiServices } from "../services.ts";

const CheckSchema = z.object({ ok: z.boolean(), detail: z.string() });

const ReadinessSchema = z
  .object({
    ready: z.boolean(),
    checks: z.object({ database: CheckSchema, chain: CheckSchema, indexer: CheckSchema }),
  })
  .openapi("Readiness");

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Service"],
  summary: "Liveness: the process answers",
  responses: {
    200: { description: "Up", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } },
  },
});

const ready = createRoute({
  method: "get",
  path: "/ready",
  tags: ["Service"],
  summary: "Readiness: the database, the chain and the indexer all answer",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadinessSchema } } },
    503: {
      description: "Not ready; `checks` says what is not",
      content: { "application/json": { schema: ReadinessSchema } },
    },
  },
});

async function check(run: () => Promise<string>): Promise<{ ok: boolean; detail: string }> {
  try {
    return { ok: true, detail: await run() };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

export function registerHealthRoutes(app: ApiApp, services: ApiServices): void {
  app.openapi(health, (c) => c.json({ status: "ok" as const }, 200));
  app.openapi(ready, async (c) => {
    const [database, chain, indexer] = await Promise.all([
      check(async () => {
        await services.db.query("SELECT 1");
        return services.db.kind;
      }),
      check(async () => `block ${await services.chain.ping()} on chain ${services.chain.chainId}`),
      check(async () => {
        const head = await services.subgraph.head();
        if (head.hasIndexingErrors) throw new Error(`indexing failed; the head is block ${head.block.number}`);
        return `indexed to block ${head.block.number}`;
      }),
    ]);
    const body = { ready: database.ok && chain.ok && indexer.ok, checks: { database, chain, indexer } };
    return body.ready ? c.json(body, 200) : c.json(body, 503);
  });
}
