// `GET /verify/{id}`: a verification record as `POST /verify` stored it — the checks, the verdict, the evidence
// document and the signed attestation, if any. Public: an attestation is harmless in anyone's hands (it is good for one
// submission round of one task, and only for the verdict it states).
import { createRoute } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import type { ApiServices } from "../../services.ts";
import { VerificationIdParamsSchema, VerificationRecordSchema, recordJson } from "./schemas.ts";

const route = createRoute({
  method: "get",
  path: "/verify/{id}",
  tags: ["Verification"],
  summary: "Read a verification record",
  description:
    "The record `POST /verify` returned: the round it checked (task, milestone, submission, review deadline), each " +
    "check's result, the verdict, the evidence document with its hash, and the signed attestation when one was made.",
  request: { params: VerificationIdParamsSchema },
  responses: {
    200: { description: "The record", content: { "application/json": { schema: VerificationRecordSchema } } },
    ...problemResponses(400, 404, 429, 503),
  },
});

export function registerVerificationReadRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const record = await services.verification.get(id);
    if (!record) throw new ApiProblem("not_found", `No verification ${id}.`);
    return c.json(recordJson(record), 200);
  });
}
