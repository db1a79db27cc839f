// `POST /verify`: checks the output of a task's submission under review against the task's automated criteria and,
// for a task verified by the AttestationModule, returns the attestation the service signed. Needs an API key with the
// `verify` scope: the key is recorded with every signature in the audit log.
import { createRoute } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { problemResponses } from "../../problems.ts";
import { requireApiKey } from "../../security/api-keys.ts";
import type { ApiServices } from "../../services.ts";
import type { SubmittedOutput } from "../../verification/verification-service.ts";
import { VerificationRecordSchema, VerifyRequestSchema, recordJson } from "./schemas.ts";

export function registerVerifyRoute(app: ApiApp, services: ApiServices): void {
  const route = createRoute({
    method: "post",
    path: "/verify",
    tags: ["Verification"],
    summary: "Verify a submission and sign its attestation",
    description:
      "Checks the submitted output of the task's submission under review: its hash against the chain's submission " +
      "hash (JSON: keccak256 of the RFC 8785 canonical JSON; text: of its UTF-8 bytes; hex or base64: of the bytes), " +
      "then the task document's output_schema, a hash commitment and the acceptance tests (in a QuickJS sandbox). " +
      "For a task verified by the AttestationModule whose verifier set has this service's key as an active, bonded " +
      "member, the result is signed as an EIP-712 `Attestation` built from live chain state and the checks alone, " +
      "and anyone may submit it with `submitVerdict` (`attestation.transaction` for a quorum of one). Idempotent per " +
      "task, milestone, submission and signer: a repeated request returns the same record and signature (200 rather " +
      "than 201). Nothing is signed for an inconclusive result (a suite that does not load, times out or runs out " +
      "of memory); the next request runs the checks again.",
    security: [{ ApiKey: [] }],
    middleware: [requireApiKey(services, "verify")] as const,
    request: { body: { required: true, content: { "application/json": { schema: VerifyRequestSchema } } } },
    responses: {
      201: { description: "Verified now", content: { "application/json": { schema: VerificationRecordSchema } } },
      200: {
        description: "Verified before: the stored record",
        content: { "application/json": { schema: VerificationRecordSchema } },
      },
      ...problemResponses(400, 401, 403, 404, 409, 413, 422, 429, 502, 503, 504),
    },
  });

  app.openapi(route, async (c) => {
    const { taskId, output } = c.req.valid("json");
    const { record, created } = await services.verification.verify({
      taskId,
      // The schema has checked the shape; a JSON value is whatever JSON the body held.
      output: output as SubmittedOutput,
      apiKeyId: c.get("apiKey")?.id,
    });
    return c.json(recordJson(record), created ? 201 : 200);
  });
}
