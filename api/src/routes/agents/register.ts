// POST /agents: register an executor — a person or an autonomous agent — in the ExecutorRegistry. The API prepares
// `register(kind, operator, capabilities, metadataURI)` for the executor's own wallet (the registry acts for
// `msg.sender`), with the capability names turned into the ids the registry stores; or it relays the registration the
// executor signed.
import { createRoute, z } from "@hono/zod-openapi";
import { getAddress, zeroAddress, type Address } from "viem";

import { PROTOCOL_ABIS } from "../../../../src/protocol/abis.ts";
import { sortedCapabilities } from "../../../../src/protocol/capabilities.ts";
import { ExecutorKind } from "../../../../src/protocol/terms.ts";
import type { ApiApp } from "../../app.ts";
import {
  broadcastSignedCall,
  decodeSignedCall,
  RelayedTransactionSchema,
  requireRelayKey,
  SignedTransactionSchema,
} from "../../chain/relay.ts";
import { readLive } from "../../chain/protocol-chain.ts";
import { EXECUTOR_KIND_NAMES } from "../../chain/transitions.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import { AddressSchema, PreparedTransactionSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";

/** `ExecutorRegistry.MAX_EXECUTOR_CAPABILITIES`. */
export const MAX_EXECUTOR_CAPABILITIES = 32;

const CAPABILITY_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:[-./][a-z0-9]+)*$/;

const CapabilityNameSchema = z
  .string()
  .max(64)
  .regex(CAPABILITY_NAME, "must be a namespaced, lower-case capability name such as lang:solidity")
  .openapi({ example: "lang:solidity" });

const RegisterAgentRequestSchema = z
  .object({
    executor: AddressSchema.optional().openapi({ description: "The account to register; it sends the transaction." }),
    kind: z.enum(["human", "agent"]).optional(),
    operator: AddressSchema.optional().openapi({
      description: "For an agent (required), the person or organisation accountable for it; optional for a human.",
    }),
    capabilities: z
      .array(CapabilityNameSchema)
      .max(MAX_EXECUTOR_CAPABILITIES)
      .optional()
      .openapi({ description: `Capability names, at most ${MAX_EXECUTOR_CAPABILITIES}, each once.` }),
    metadataURI: z.string().max(2048).optional().openapi({ description: "Where the executor's profile can be read." }),
    signedTransaction: SignedTransactionSchema.optional(),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.signedTransaction !== undefined) {
      for (const field of ["executor", "kind", "operator", "capabilities", "metadataURI"] as const) {
        if (body[field] !== undefined) {
          context.addIssue({
            code: "custom",
            path: [field],
            message: "must be left out when relaying signedTransaction",
          });
        }
      }
      return;
    }
    if (body.executor === zeroAddress) {
      context.addIssue({ code: "custom", path: ["executor"], message: "must not be the zero address" });
    }
    for (const field of ["executor", "kind", "capabilities"] as const) {
      if (body[field] === undefined) {
        context.addIssue({
          code: "custom",
          path: [field],
          message: "is required (or send signedTransaction alone to relay)",
        });
      }
    }
    if (body.kind === "agent" && (body.operator === undefined || body.operator === zeroAddress)) {
      context.addIssue({
        code: "custom",
        path: ["operator"],
        message: "is required for an agent and must not be zero",
      });
    }
    const names = body.capabilities ?? [];
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) {
        context.addIssue({ code: "custom", path: ["capabilities", index], message: `lists ${name} twice` });
      }
    });
  })
  .openapi("RegisterAgentRequest", {
    description:
      "`{executor, kind, operator?, capabilities, metadataURI?}` to prepare the registration, or `{signedTransaction}` " +
      "alone to relay a signed `register` call (API key with the `relay` scope).",
  });

const AgentRegistrationSchema = z
  .object({
    executor: z.string(),
    kind: z.enum(["human", "agent"]),
    operator: z.string().openapi({ description: "The zero address for a human without one." }),
    capabilities: z.array(z.object({ name: z.string(), id: z.string() })),
    metadataURI: z.string(),
    transactions: z.array(PreparedTransactionSchema),
  })
  .openapi("AgentRegistration");

const registerAgent = createRoute({
  method: "post",
  path: "/agents",
  tags: ["Agents"],
  summary: "Register an executor (a person or an agent): prepare its registration, or relay a signed one",
  description:
    "Prepares `ExecutorRegistry.register(kind, operator, capabilities, metadataURI)` for `executor` to send: the " +
    "registry registers `msg.sender`, so only the executor's own wallet can send it. Capability names become their " +
    "ids (keccak256 of the name), listed in ascending order. An agent must name its operator, the person or " +
    "organisation accountable for it. An account already registered is a 409 (profiles change with " +
    "`updateProfile`). With `{signedTransaction}` the API relays a signed `register` call instead (202).",
  security: [{}, { ApiKey: [] }] as { [name: string]: string[] }[],
  request: { body: { required: true, content: { "application/json": { schema: RegisterAgentRequestSchema } } } },
  responses: {
    200: { description: "Prepared", content: { "application/json": { schema: AgentRegistrationSchema } } },
    202: { description: "Relayed", content: { "application/json": { schema: RelayedTransactionSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 422, 429, 502, 503, 504),
  },
});

async function assertNotRegistered(services: ApiServices, executor: Address): Promise<void> {
  const profile = await readLive(() =>
    services.chain.client.readContract({
      address: services.chain.address("executorRegistry"),
      abi: PROTOCOL_ABIS.executorRegistry,
      functionName: "profileOf",
      args: [executor],
    }),
  );
  if (profile.registeredAt !== 0) {
    throw new ApiProblem(
      "conflict",
      `${executor} is already registered as ${EXECUTOR_KIND_NAMES[profile.kind] ?? "an executor"} (since ` +
        `${new Date(Number(profile.registeredAt) * 1000).toISOString()}); its profile changes with updateProfile.`,
      { extensions: { kind: EXECUTOR_KIND_NAMES[profile.kind] ?? null, active: profile.active } },
    );
  }
}

export function registerAgentRegisterRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(registerAgent, async (c) => {
    const body = c.req.valid("json");
    if (body.signedTransaction !== undefined) {
      await requireRelayKey(services, c);
      const call = await decodeSignedCall(services, body.signedTransaction, {
        contracts: ["executorRegistry"],
        functions: ["register"],
      });
      await assertNotRegistered(services, call.from);
      const transactionHash = await broadcastSignedCall(services, call);
      return c.json({ transactionHash, from: call.from, to: call.to, functionName: call.functionName }, 202);
    }
    const executor = body.executor!;
    const kind = body.kind!;
    const operator = body.operator ?? zeroAddress;
    const capabilities = sortedCapabilities(body.capabilities!);
    const metadataURI = body.metadataURI ?? "";
    await assertNotRegistered(services, executor);
    const transaction = services.chain.prepare(
      "executorRegistry",
      "register",
      [
        kind === "agent" ? ExecutorKind.Agent : ExecutorKind.Human,
        operator,
        capabilities.map((c) => c.id),
        metadataURI,
      ],
      {
        description:
          `Register ${executor} as ${kind === "agent" ? `an agent operated by ${operator}` : "a human executor"} ` +
          `offering ${capabilities.length} capabilit${capabilities.length === 1 ? "y" : "ies"}.`,
        from: executor,
      },
    );
    return c.json(
      {
        executor,
        kind,
        operator: getAddress(operator),
        capabilities,
        metadataURI,
        transactions: [transaction],
      },
      200,
    );
  });
}
