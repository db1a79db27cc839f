// POST /escrow prepares the funding of a task's escrow for a document stored earlier (by POST /tasks): the same
// create-and-fund transactions, from the stored document and the terms. GET /escrow/{id}/release says whether the
// escrow of a task can be released now, when and by whom otherwise, and prepares the release when it can.
import { createRoute, z } from "@hono/zod-openapi";
import { getAddress, zeroAddress, type Address } from "viem";

import { TaskStatus, taskStatusName } from "../../../../src/protocol/terms.ts";
import type { ApiApp } from "../../app.ts";
import type { LiveTask } from "../../chain/protocol-chain.ts";
import {
  moduleVerifierDetail,
  prepareTransition,
  transitionContext,
  transitionNamed,
  verificationModuleOf,
  type TransitionContext,
} from "../../chain/transitions.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import { Bytes32Schema, PreparedTransactionSchema, TaskIdParamsSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";

import { TaskCreationFields, TaskCreationSchema, prepareTaskCreation, taskCreationJson } from "../tasks/create.ts";

/*//////////////////////////////////////////////////////////////
                          POST /escrow
//////////////////////////////////////////////////////////////*/

const FundEscrowRequestSchema = z
  .object({
    documentHash: Bytes32Schema.openapi({ description: "The commitment of a document stored with POST /tasks." }),
    ...TaskCreationFields,
  })
  .strict()
  .openapi("FundEscrowRequest");

const fundEscrow = createRoute({
  method: "post",
  path: "/escrow",
  tags: ["Settlement"],
  summary: "Prepare the funding of a task's escrow for a stored document",
  description:
    "For a document already stored (POST /tasks), by its `documentHash`: derives the terms from it and the request " +
    "exactly as POST /tasks does (the same fields, the same checks — `terms` may be the `terms` an earlier answer " +
    "returned, sent back as they are) and returns the transactions that create the task and fund its escrow of " +
    "reward + verifier fee: for an ERC-20 `approve` then `createTask` (or `createTaskWithOptions`), for ETH one " +
    "`createTask` with the escrow as value, after the module's `publishConfig` when `verification` names a module " +
    "configuration not published yet. Use it to fund a task from a stored document again, e.g. after the " +
    "protocol fee changed or a wallet dropped the first transactions. 404 when no such document is stored here.",
  request: { body: { required: true, content: { "application/json": { schema: FundEscrowRequestSchema } } } },
  responses: {
    200: { description: "Prepared", content: { "application/json": { schema: TaskCreationSchema } } },
    ...problemResponses(400, 404, 413, 422, 429, 502, 503, 504),
  },
});

/*//////////////////////////////////////////////////////////////
                      GET /escrow/{id}/release
//////////////////////////////////////////////////////////////*/

const EscrowReleaseSchema = z
  .object({
    taskId: z.string(),
    currentState: z.string(),
    releasable: z.boolean().openapi({ description: "Whether a release (or refund) can be sent now." }),
    outcome: z
      .enum(["executor-payout", "poster-refund"])
      .nullable()
      .openapi({ description: "Where the escrow goes when it is released; null when nothing is left to release." }),
    executorShareBps: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "For a payout: the executor's share of the amount under review." }),
    releasableAt: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Unix seconds from which anyone may send it, when not now; null when no time does." }),
    releasableBy: z.enum(["anyone"]).nullable(),
    decidedBy: z
      .string()
      .nullable()
      .openapi({ description: "Who may settle it sooner: the verifier under review, the poster of an open task." }),
    detail: z.string(),
    transactions: z.array(PreparedTransactionSchema),
    block: z.object({ number: z.number().int(), hash: z.string(), timestamp: z.number().int() }),
  })
  .openapi("EscrowRelease");

type EscrowRelease = z.infer<typeof EscrowReleaseSchema>;

const escrowRelease = createRoute({
  method: "get",
  path: "/escrow/{id}/release",
  tags: ["Settlement"],
  summary: "Whether, when and by whom a task's escrow can be released",
  description:
    "Read live from the chain. A submission whose review window (or hold) ran out can be released by anyone now: " +
    "`releasable` is true and `transactions` holds the prepared `release`. An unclaimed task past its claim deadline " +
    "is refunded to the poster by anyone (`refundExpired`). Under review, the escrow is released to the executor by " +
    "anyone from `releasableAt` (the end of the review window or hold) unless the verifier (`decidedBy`) decides " +
    "sooner; an open task is refunded from the day after its claim deadline unless claimed, or cancelled by its " +
    "poster sooner. While an executor works, nothing can be released; once the task is settled, cancelled or " +
    "refunded, nothing is left.",
  request: { params: TaskIdParamsSchema },
  responses: {
    200: { description: "The outlook", content: { "application/json": { schema: EscrowReleaseSchema } } },
    ...problemResponses(400, 404, 429, 502, 503, 504),
  },
});

async function releaseOutlook(
  services: ApiServices,
  task: LiveTask,
  context: TransitionContext,
): Promise<Omit<EscrowRelease, "taskId" | "currentState" | "block">> {
  const held = task.state.status === TaskStatus.Disputed;
  const shareBps = held ? task.holdShareBps : 10_000;
  const closed = { releasable: false, outcome: null, executorShareBps: null, releasableAt: null, releasableBy: null };
  const prepare = async (name: "release" | "refund-expired") =>
    (await prepareTransition(transitionNamed(name), context)).transactions;
  switch (taskStatusName(task.status)) {
    case "Verified":
      return {
        releasable: true,
        outcome: "executor-payout",
        executorShareBps: shareBps,
        releasableAt: null,
        releasableBy: "anyone",
        decidedBy: null,
        detail: held
          ? `The hold on the submission ended undecided: anyone may release it at its default share (${shareBps} bps).`
          : "The review window ended without a decision: anyone may release the submission to the executor.",
        transactions: await prepare("release"),
      };
    case "Submitted":
    case "Disputed": {
      const { terms } = await context.onChain();
      const verifier: Address = terms.verifier === zeroAddress ? terms.poster : terms.verifier;
      const module = verificationModuleOf(services, terms.verifier) !== undefined;
      return {
        releasable: false,
        outcome: "executor-payout",
        executorShareBps: shareBps,
        releasableAt: task.state.reviewDeadline + 1,
        releasableBy: "anyone",
        decidedBy: getAddress(verifier),
        detail:
          `The submission is ${held ? "on hold" : "under review"} until ${task.state.reviewDeadline}; after that ` +
          `anyone may release it${held ? ` at ${shareBps} bps for the executor` : " in full to the executor"}. ` +
          (module
            ? moduleVerifierDetail(services, task.taskId, terms.verifier)
            : `The verifier ${verifier} may approve (or reject) it sooner.`),
        transactions: [],
      };
    }
    case "Expired":
      if (task.state.status === TaskStatus.Expired) {
        return {
          ...closed,
          decidedBy: null,
          detail: "The task expired and its escrow was refunded.",
          transactions: [],
        };
      }
      return {
        releasable: true,
        outcome: "poster-refund",
        executorShareBps: null,
        releasableAt: null,
        releasableBy: "anyone",
        decidedBy: null,
        detail: "The task expired unclaimed (or its last claim lapsed): anyone may refund its escrow to the poster.",
        transactions: await prepare("refund-expired"),
      };
    case "Posted": {
      const { terms } = await context.onChain();
      return {
        releasable: false,
        outcome: "poster-refund",
        executorShareBps: null,
        releasableAt: terms.claimDeadline + 1,
        releasableBy: "anyone",
        decidedBy: getAddress(terms.poster),
        detail:
          `The task is open until its claim deadline ${terms.claimDeadline}; if nobody claims it by then, anyone ` +
          "may refund its escrow to the poster. The poster may cancel it sooner.",
        transactions: [],
      };
    }
    case "Claimed":
    case "InProgress":
      return {
        ...closed,
        decidedBy: null,
        detail:
          `The executor ${task.state.executor} is working on the task until ${task.state.executionDeadline}: the ` +
          "escrow stays held until a submission is decided, the claim lapses, or both parties agree to cancel.",
        transactions: [],
      };
    default:
      return {
        ...closed,
        decidedBy: null,
        detail: `The task is ${taskStatusName(task.status)}: nothing is left in its escrow.`,
        transactions: [],
      };
  }
}

export function registerEscrowRoutes(app: ApiApp, services: ApiServices): void {
  app.openapi(fundEscrow, async (c) => {
    const { documentHash, ...request } = c.req.valid("json");
    const stored = await services.documents.get(documentHash);
    if (!stored) {
      throw new ApiProblem(
        "not_found",
        `No task document with hash ${documentHash} is stored here; POST /tasks stores one and prepares its funding.`,
      );
    }
    const prepared = await prepareTaskCreation(services, stored.document, stored, request);
    return c.json(taskCreationJson(prepared, stored), 200);
  });

  app.openapi(escrowRelease, async (c) => {
    const { id } = c.req.valid("param");
    const task = await services.chain.readTask(id);
    const context = transitionContext(services, task, zeroAddress, {});
    const outlook = await releaseOutlook(services, task, context);
    return c.json(
      { taskId: id.toString(), currentState: taskStatusName(task.status), ...outlook, block: task.block },
      200,
    );
  });
}
