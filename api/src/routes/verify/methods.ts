// `GET /verify/methods`: how tasks can be verified — the protocol's four methods with their modules and
// configurations — and what this service checks, with the limits its acceptance-test sandbox runs under and whether it
// signs (its verifier address, method id, attestation lifetime and EIP-712 domain).
import { createRoute, z } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { problemResponses } from "../../problems.ts";
import type { ApiServices } from "../../services.ts";

const MethodsSchema = z
  .object({
    service: z
      .object({
        method: z.string(),
        methodId: z
          .string()
          .openapi({ description: "keccak256 of `method`: the methodId of every attestation signed." }),
        signer: z
          .string()
          .nullable()
          .openapi({ description: "The verifier address; null when the service has no key." }),
        signs: z.boolean(),
        attestationTtlSeconds: z.number().int(),
        domain: z.record(z.string(), z.unknown()),
        outputEncodings: z.record(z.string(), z.string()),
        verdict: z.string(),
      })
      .openapi({ description: "This service: what it signs and how it reaches a verdict." }),
    methods: z.array(
      z.object({
        id: z.enum(["review", "attestation", "optimistic", "proof"]),
        module: z.string(),
        description: z.string(),
        configuration: z.record(z.string(), z.string()),
        service: z.string().openapi({ description: "What this service does for a task verified this way." }),
      }),
    ),
    checks: z
      .array(z.object({ id: z.string(), description: z.string() }).catchall(z.unknown()))
      .openapi({ description: "The automated checks, with their parameters and limits." }),
  })
  .openapi("VerificationMethods");

const route = createRoute({
  method: "get",
  path: "/verify/methods",
  tags: ["Verification"],
  summary: "List the verification methods and the service's automated checks",
  description:
    "The protocol's verification methods (review, attestation, optimistic, proof) with their modules and " +
    "configuration fields, and the checks `POST /verify` runs (output hash, JSON Schema, hash commitment, " +
    "acceptance suite) with their parameters and the sandbox's limits.",
  responses: {
    200: { description: "The methods", content: { "application/json": { schema: MethodsSchema } } },
    ...problemResponses(429),
  },
});

export function registerVerificationMethodsRoute(app: ApiApp, services: ApiServices): void {
  const methods = services.verification.methods();
  app.openapi(route, (c) => c.json(methods, 200));
}
