// POST /agents/{id}/claim: claim an open task for executor `id`. Everything the market checks at a claim is checked
// live first — the task is Posted (so its claim deadline has not passed), it has no assignment module, the executor is
// registered, active, of the task's kind and offers the task's capabilities, and it is not a party of the task — so
// that the answer is a 409 or 403 saying what is wrong instead of a transaction that reverts. The prepared claim
// locks the bond: an ERC-20 bond is approved first, an ETH bond is the claim's value.
import { createRoute, z } from "@hono/zod-openapi";
import { getAddress } from "viem";

import type { ApiApp } from "../../app.ts";
import {
  RelayedTransactionSchema,
  relayTransition,
  requireRelayKey,
  SignedTransactionSchema,
} from "../../chain/relay.ts";
import { prepareTransition, transitionContext, transitionNamed } from "../../chain/transitions.ts";
import { problemResponses } from "../../problems.ts";
import { AddressParamsSchema, PreparedTransactionSchema, TaskIdSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";

const ClaimRequestSchema = z
  .object({
    taskId: TaskIdSchema.optional().openapi({ description: "The task to claim." }),
    signedTransaction: SignedTransactionSchema.optional(),
  })
  .strict()
  .superRefine((body, context) => {
    if ((body.taskId === undefined) === (body.signedTransaction === undefined)) {
      context.addIssue({
        code: "custom",
        path: body.taskId === undefined ? ["taskId"] : ["signedTransaction"],
        message:
          body.taskId === undefined
            ? "is required (or send signedTransaction alone to relay a signed claim)"
            : "must be left out when taskId is given: send one or the other",
      });
    }
  })
  .openapi("ClaimRequest", {
    description:
      "`{taskId}` to prepare the claim, or `{signedTransaction}` to relay a claim the executor signed (API key with " +
      "the `relay` scope).",
  });

const ClaimSchema = z
  .object({
    taskId: z.string(),
    executor: z.string(),
    currentState: z.string(),
    claimDeadline: z.number().int(),
    executionWindow: z.number().int().openapi({ description: "Seconds from the claim to submit." }),
    bond: z.object({ token: z.string(), amount: z.string() }),
    transactions: z.array(PreparedTransactionSchema),
  })
  .openapi("TaskClaim");

const claimTask = createRoute({
  method: "post",
  path: "/agents/{id}/claim",
  tags: ["Agents"],
  summary: "Claim an open task for an executor: prepare the claim, or relay a signed one",
  description:
    "`{id}` is the executor's address. Checks, live on the chain: the task is `Posted` (409 `invalid_transition` " +
    "with `currentState` otherwise, which covers a passed claim deadline: the task is then `Expired`); it has no " +
    "assignment module (409 `conflict` naming the module and how to claim through it); the executor is not the " +
    "poster or the verifier nor an agent operated by either (403); the registry finds it registered, active, of the " +
    "task's kind and offering every required capability (409 `conflict`, `eligibility` says which). Returns the " +
    "bond's `approve` for an ERC-20 bond, then `claim` (with the bond as value for ETH). `{signedTransaction}` " +
    "relays a claim signed by `{id}` after the same checks (202).",
  security: [{}, { ApiKey: [] }] as { [name: string]: string[] }[],
  request: {
    params: AddressParamsSchema,
    body: { required: true, content: { "application/json": { schema: ClaimRequestSchema } } },
  },
  responses: {
    200: { description: "Prepared", content: { "application/json": { schema: ClaimSchema } } },
    202: { description: "Relayed", content: { "application/json": { schema: RelayedTransactionSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 422, 429, 502, 503, 504),
  },
});

export function registerAgentClaimRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(claimTask, async (c) => {
    const { id: executor } = c.req.valid("param");
    const body = c.req.valid("json");
    if (body.signedTransaction !== undefined) {
      await requireRelayKey(services, c);
      return c.json(
        await relayTransition(services, body.signedTransaction, { transitions: ["claim"], sender: executor }),
        202,
      );
    }
    const taskId = body.taskId!;
    const task = await services.chain.readTask(taskId);
    const context = transitionContext(services, task, executor, {});
    const prepared = await prepareTransition(transitionNamed("claim"), context);
    const { terms } = await context.onChain();
    return c.json(
      {
        taskId: taskId.toString(),
        executor,
        currentState: prepared.currentState,
        claimDeadline: terms.claimDeadline,
        executionWindow: terms.executionWindow,
        bond: { token: getAddress(terms.token), amount: terms.claimBond.toString() },
        transactions: prepared.transactions,
      },
      200,
    );
  });
}
