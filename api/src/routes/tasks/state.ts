// PATCH /tasks/{id}/state: move a task through its lifecycle. The body names a transition and its sender; the API
// reads the task's live state from the chain, answers 409 when the task's status does not allow the transition (with
// the status and the transitions it does allow) and 403 when the sender may not send it, and otherwise returns the
// transaction(s) for the sender's wallet. A body with `signedTransaction` instead relays a lifecycle call the sender
// signed itself, after the same checks.
import { createRoute, z } from "@hono/zod-openapi";

import {
  RelayedTransactionSchema,
  relayTransition,
  requireRelayKey,
  SignedTransactionSchema,
} from "../../chain/relay.ts";
import {
  prepareTransition,
  SENDER_RULES,
  TRANSITIONS,
  transitionContext,
  transitionNamed,
  type TransitionName,
} from "../../chain/transitions.ts";
import type { ApiApp } from "../../app.ts";
import { problemResponses } from "../../problems.ts";
import { AddressSchema, PreparedTransactionSchema, TaskIdParamsSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";

const TransitionRequestSchemas = TRANSITIONS.map((definition) =>
  z
    .object({
      transition: z.literal(definition.name),
      from: AddressSchema.openapi({ description: "The account that will send the transaction." }),
      params: definition.paramsRequired ? definition.params : definition.params.optional(),
    })
    .strict()
    .openapi({ title: definition.name, description: definition.summary }),
);

const RelayRequestSchema = z
  .object({
    transition: z
      .literal("relay")
      .optional()
      .openapi({ description: "Left out (or `relay`): the signed call itself says which transition it makes." }),
    signedTransaction: SignedTransactionSchema,
  })
  .strict()
  .openapi({ title: "relay" });

const TaskStateRequestSchema = z
  .discriminatedUnion(
    "transition",
    [...TransitionRequestSchemas, RelayRequestSchema] as unknown as [typeof RelayRequestSchema],
    {
      error: (issue) =>
        issue.code === "invalid_union"
          ? `must be one of ${TRANSITIONS.map((definition) => definition.name).join(", ")}; or leave it out and send ` +
            "signedTransaction to relay a signed call"
          : undefined,
    },
  )
  .openapi("TaskStateRequest");

const TaskTransitionSchema = z
  .object({
    taskId: z.string(),
    transition: z.string(),
    currentState: z.string().openapi({ description: "The task's status (`statusOf`) when it was checked." }),
    transactions: z.array(PreparedTransactionSchema),
  })
  .openapi("TaskTransition");

const transitionTable = [
  "| transition | allowed when the task is | sent by | params |",
  "| --- | --- | --- | --- |",
  ...TRANSITIONS.map((definition) => {
    const shape = (definition.params as unknown as { shape?: Record<string, unknown> }).shape ?? {};
    const params = Object.keys(shape).join(", ") || "none";
    return `| \`${definition.name}\` | ${definition.allowedFrom.join(", ")} | ${SENDER_RULES[definition.sender]} | ${params} |`;
  }),
].join("\n");

const taskState = createRoute({
  method: "patch",
  path: "/tasks/{id}/state",
  tags: ["Tasks"],
  summary: "Move a task through its lifecycle: prepare a transition, or relay a signed one",
  description:
    "`{transition, from, params}` prepares the transition for `from` to sign. The task's state is read live from " +
    "the chain (`statusOf`, with expiry, lapsed claims and silent review windows applied) and checked first: a " +
    "transition its status does not allow is a 409 `invalid_transition` with `currentState` and `allowed` (the " +
    "transitions open in that state); a sender who may not send it is a 403 `forbidden` naming who may. A task whose " +
    "verifier is a verification module is decided through that module, not by the poster; a task with an assignment " +
    "module is given out through it, not claimed here (409 naming the module). Transitions that pass the terms read " +
    "them from the indexer and confirm them on the chain.\n\n" +
    transitionTable +
    "\n\n`{signedTransaction}` relays a call of one of these market functions that its sender signed: the API " +
    "checks that it is signed for this chain, calls the market for this task with its terms, and passes the same " +
    "checks (the sender is recovered from the signature) and a simulation, then broadcasts it and answers 202 with " +
    "its hash. Relaying needs an API key with the `relay` scope.",
  security: [{}, { ApiKey: [] }] as { [name: string]: string[] }[],
  request: {
    params: TaskIdParamsSchema,
    body: { required: true, content: { "application/json": { schema: TaskStateRequestSchema } } },
  },
  responses: {
    200: { description: "Prepared", content: { "application/json": { schema: TaskTransitionSchema } } },
    202: { description: "Relayed", content: { "application/json": { schema: RelayedTransactionSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 422, 429, 502, 503, 504),
  },
});

export function registerTaskStateRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(taskState, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") as
      | { transition: TransitionName; from: `0x${string}`; params?: unknown }
      | { transition?: "relay"; signedTransaction: `0x${string}` };
    if ("signedTransaction" in body) {
      await requireRelayKey(services, c);
      return c.json(await relayTransition(services, body.signedTransaction, { taskId: id }), 202);
    }
    const definition = transitionNamed(body.transition);
    const task = await services.chain.readTask(id);
    const prepared = await prepareTransition(
      definition,
      transitionContext(services, task, body.from, body.params ?? {}),
    );
    return c.json({ taskId: id.toString(), ...prepared }, 200);
  });
}
