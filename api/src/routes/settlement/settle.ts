// POST /settle prepares whatever settles a task now, given its live state; GET /settle/{id} is a task's settlement as
// the indexer has recorded it: where its escrow went, payment by payment.
import { createRoute, z } from "@hono/zod-openapi";
import { zeroAddress, type Address } from "viem";

import { TaskStatus, taskStatusName, type TaskStatusName } from "../../../../src/protocol/terms.ts";
import type { ApiApp } from "../../app.ts";
import type { LiveTask } from "../../chain/protocol-chain.ts";
import {
  RelayedTransactionSchema,
  relayTransition,
  requireRelayKey,
  SignedTransactionSchema,
} from "../../chain/relay.ts";
import { notIndexedProblem } from "../../chain/task-terms.ts";
import {
  invalidTransition,
  moduleVerifierDetail,
  prepareTransition,
  transitionContext,
  transitionNamed,
  verificationModuleOf,
  type TransitionName,
} from "../../chain/transitions.ts";
import { problemResponses } from "../../problems.ts";
import {
  AddressSchema,
  PreparedTransactionSchema,
  ReadBlockSchema,
  TaskIdParamsSchema,
  TaskIdSchema,
} from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";
import { deriveTaskStatus } from "../../subgraph/task-status.ts";
import { addressOrNull, checksum, toNumber, toNumberOrNull } from "../../subgraph/values.ts";

/*//////////////////////////////////////////////////////////////
                          POST /settle
//////////////////////////////////////////////////////////////*/

const SETTLING_TRANSITIONS = ["release", "approve", "refund-expired"] as const satisfies readonly TransitionName[];

const SettleRequestSchema = z
  .object({
    taskId: TaskIdSchema.optional(),
    from: AddressSchema.optional().openapi({
      description: "Who will send it. Needed only to check a sender; an approval is prepared for the verifier.",
    }),
    signedTransaction: SignedTransactionSchema.optional(),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.signedTransaction !== undefined) {
      for (const field of ["taskId", "from"] as const) {
        if (body[field] !== undefined) {
          context.addIssue({
            code: "custom",
            path: [field],
            message: "must be left out when relaying signedTransaction",
          });
        }
      }
    } else if (body.taskId === undefined) {
      context.addIssue({
        code: "custom",
        path: ["taskId"],
        message: "is required (or send signedTransaction alone to relay a signed settlement)",
      });
    }
  })
  .openapi("SettleRequest", {
    description: "`{taskId, from?}` to prepare the settlement, or `{signedTransaction}` to relay a signed one.",
  });

const SettlementActionSchema = z
  .object({
    taskId: z.string(),
    action: z.enum(SETTLING_TRANSITIONS),
    currentState: z.string(),
    transactions: z.array(PreparedTransactionSchema),
  })
  .openapi("SettlementAction");

const settle = createRoute({
  method: "post",
  path: "/settle",
  tags: ["Settlement"],
  summary: "Settle a task now: prepare the release, the approval or the refund its live state calls for",
  description:
    "Reads the task's live state and prepares what settles it now:\n\n" +
    "- `Verified` (a review window or a hold ran out without a decision): `release`, by anyone — the executor is " +
    "paid in full after a review window, or the hold's default share after a hold.\n" +
    "- `Submitted`, or `Disputed` within its hold: `approve` by the verifier — the poster when the terms name no " +
    "verifier, else the delegated reviewer. A task verified by a module is decided through the module: 409 naming " +
    "it and when anyone may release the submission instead.\n" +
    "- `Expired` and not refunded yet: `refundExpired`, by anyone — the escrow returns to the poster.\n" +
    "- Any other state: 409 `invalid_transition` naming it (`Posted`, `Claimed` and `InProgress` have nothing to " +
    "settle; `Settled`, `Cancelled` and a refunded `Expired` are over).\n\n" +
    "`from`, when given, must be allowed to send the prepared call (403 otherwise). `{signedTransaction}` relays a " +
    "signed `release`, `approve` or `refundExpired` after the same checks (202; API key with the `relay` scope).",
  security: [{}, { ApiKey: [] }] as { [name: string]: string[] }[],
  request: { body: { required: true, content: { "application/json": { schema: SettleRequestSchema } } } },
  responses: {
    200: { description: "Prepared", content: { "application/json": { schema: SettlementActionSchema } } },
    202: { description: "Relayed", content: { "application/json": { schema: RelayedTransactionSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 422, 429, 502, 503, 504),
  },
});

/** The transition that settles `task` now, and who sends it; a 409 when nothing does. */
async function settlingTransition(
  services: ApiServices,
  task: LiveTask,
  from: Address | undefined,
  context: ReturnType<typeof transitionContext>,
): Promise<{ name: (typeof SETTLING_TRANSITIONS)[number]; from: Address }> {
  const status = taskStatusName(task.status);
  switch (status) {
    case "Verified":
      return { name: "release", from: from ?? zeroAddress };
    case "Expired":
      if (task.state.status === TaskStatus.Expired) {
        throw invalidTransition(task, `Task ${task.taskId} expired and its escrow has already been refunded.`);
      }
      return { name: "refund-expired", from: from ?? zeroAddress };
    case "Submitted":
    case "Disputed": {
      const { terms } = await context.onChain();
      if (verificationModuleOf(services, terms.verifier) !== undefined) {
        throw invalidTransition(
          task,
          `${moduleVerifierDetail(services, task.taskId, terms.verifier)} If it has not decided by ` +
            `${task.state.reviewDeadline}, anyone may release the submission after that time (POST /settle again).`,
        );
      }
      const verifier = terms.verifier === zeroAddress ? terms.poster : terms.verifier;
      return { name: "approve", from: from ?? verifier };
    }
    default:
      throw invalidTransition(task, `Task ${task.taskId} is ${status}: ${NOTHING_TO_SETTLE[status]}`);
  }
}

const NOTHING_TO_SETTLE: Partial<Record<TaskStatusName, string>> = {
  Posted: "nobody has claimed it, so there is nothing to settle (its poster may cancel it).",
  Claimed: "its executor has not submitted anything to settle yet.",
  InProgress: "its executor has not submitted anything to settle yet.",
  Settled: "it is settled already.",
  Cancelled: "it was cancelled and its escrow refunded.",
};

/*//////////////////////////////////////////////////////////////
                          GET /settle/{id}
//////////////////////////////////////////////////////////////*/

const AmountSchema = z.string().openapi({ description: "Base units of the task's token, in decimal." });

const PaymentSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ description: "`PaymentKind` of the indexer, e.g. EscrowDeposit, ExecutorPayout." }),
    from: z.string(),
    to: z.string().nullable(),
    token: z.string(),
    amount: AmountSchema,
    timestamp: z.number().int(),
    blockNumber: z.number().int(),
    transactionHash: z.string(),
  })
  .openapi("Payment");

const TaskSettlementSchema = z
  .object({
    taskId: z.string(),
    status: z.string().openapi({ description: "`statusOf` at the time of the indexed block." }),
    poster: z.string(),
    executor: z.string().nullable(),
    token: z.string(),
    reward: AmountSchema,
    price: AmountSchema.openapi({ description: "The reward less what was released to the poster at assignment." }),
    escrowRemaining: AmountSchema,
    paidToExecutor: AmountSchema.openapi({ description: "Net of protocol fees, over every settlement." }),
    protocolFees: AmountSchema,
    refunded: AmountSchema.openapi({ description: "Returned to the poster (or up a subtask chain)." }),
    unpaidReward: AmountSchema,
    verifierFee: z.object({ amount: AmountSchema, paid: AmountSchema, verifier: z.string().nullable() }),
    claimBond: z.object({ amount: AmountSchema, forfeited: AmountSchema, returned: AmountSchema }),
    milestones: z.object({ count: z.number().int(), settled: z.number().int() }),
    endedAt: z.number().int().nullable(),
    payments: z.array(PaymentSchema),
    block: ReadBlockSchema,
  })
  .openapi("TaskSettlement");

const readSettlement = createRoute({
  method: "get",
  path: "/settle/{id}",
  tags: ["Settlement"],
  summary: "A task's settlement: where its escrow went, payment by payment",
  description:
    "From the indexer: the task's status (derived at the indexed block's time), what the escrow still holds, what " +
    "was paid to the executor (net of fees), the protocol fees, the refunds to the poster, the verifier fee and the " +
    "claim bond's fate, and every `Payment` of the ledger that concerns the task, in chain order (deposits, bonds, " +
    "payouts, fees, refunds, credits). `block.indexed` is the block the whole answer reflects. A task the chain has " +
    "but the indexer has not reached yet is a 503 worth retrying.",
  request: { params: TaskIdParamsSchema },
  responses: {
    200: { description: "The settlement", content: { "application/json": { schema: TaskSettlementSchema } } },
    ...problemResponses(400, 404, 429, 502, 503, 504),
  },
});

interface SettlementRow {
  status: TaskStatusName;
  claimDeadline: string;
  executionDeadline: string;
  reviewDeadline: string;
  token: string;
  reward: string;
  price: string;
  verifier: string;
  verifierFee: string;
  verifierFeeAmountPaid: string;
  escrowRemaining: string;
  paidToExecutor: string;
  protocolFees: string;
  refunded: string;
  unpaidReward: string;
  claimBond: string;
  bondsForfeited: string;
  bondsReturned: string;
  milestonesVerified: number;
  milestoneSharesBps: number[];
  endedAt: string | null;
  poster: { id: string };
  executor: { id: string } | null;
  payments: {
    id: string;
    kind: string;
    from: string;
    to: string | null;
    token: string;
    amount: string;
    timestamp: string;
    blockNumber: string;
    transaction: string;
  }[];
}

/** A task's payments are bounded: a deposit, a bond per claim, a few entries per settlement and milestone. */
const MAX_PAYMENTS = 1000;

const SETTLEMENT_SELECTION = `task(id: $id) {
  status claimDeadline executionDeadline reviewDeadline token reward price verifier verifierFee verifierFeeAmountPaid
  escrowRemaining paidToExecutor protocolFees refunded unpaidReward claimBond bondsForfeited bondsReturned
  milestonesVerified milestoneSharesBps endedAt poster { id } executor { id }
  payments(first: ${MAX_PAYMENTS}, orderBy: sequence, orderDirection: asc) {
    id kind from to token amount timestamp blockNumber transaction
  }
}`;

export function registerSettleRoutes(app: ApiApp, services: ApiServices): void {
  app.openapi(settle, async (c) => {
    const body = c.req.valid("json");
    if (body.signedTransaction !== undefined) {
      await requireRelayKey(services, c);
      return c.json(
        await relayTransition(services, body.signedTransaction, { transitions: SETTLING_TRANSITIONS }),
        202,
      );
    }
    const taskId = body.taskId!;
    const task = await services.chain.readTask(taskId);
    const context = transitionContext(services, task, body.from ?? zeroAddress, {});
    const action = await settlingTransition(services, task, body.from, context);
    const prepared = await prepareTransition(transitionNamed(action.name), { ...context, from: action.from });
    return c.json(
      {
        taskId: taskId.toString(),
        action: action.name,
        currentState: prepared.currentState,
        transactions: prepared.transactions,
      },
      200,
    );
  });

  app.openapi(readSettlement, async (c) => {
    const { id } = c.req.valid("param");
    const answer = await services.subgraph.query<{ task: SettlementRow | null }>(
      SETTLEMENT_SELECTION,
      { id: id.toString() },
      "($id: ID!)",
    );
    const row = answer.data.task;
    if (row === null) throw await notIndexedProblem(services, id);
    const now = answer.block.timestamp ?? Math.floor(Date.now() / 1000);
    const status = deriveTaskStatus(
      {
        status: row.status,
        claimDeadline: toNumber(row.claimDeadline),
        executionDeadline: toNumber(row.executionDeadline),
        reviewDeadline: toNumber(row.reviewDeadline),
      },
      now,
    );
    return c.json(
      {
        taskId: id.toString(),
        status,
        poster: checksum(row.poster.id),
        executor: addressOrNull(row.executor?.id),
        token: checksum(row.token),
        reward: row.reward,
        price: row.price,
        escrowRemaining: row.escrowRemaining,
        paidToExecutor: row.paidToExecutor,
        protocolFees: row.protocolFees,
        refunded: row.refunded,
        unpaidReward: row.unpaidReward,
        verifierFee: {
          amount: row.verifierFee,
          paid: row.verifierFeeAmountPaid,
          verifier: addressOrNull(row.verifier),
        },
        claimBond: { amount: row.claimBond, forfeited: row.bondsForfeited, returned: row.bondsReturned },
        milestones: { count: row.milestoneSharesBps.length, settled: row.milestonesVerified },
        endedAt: toNumberOrNull(row.endedAt),
        payments: row.payments.map((payment) => ({
          id: payment.id.toLowerCase(),
          kind: payment.kind,
          from: checksum(payment.from),
          to: payment.to === null ? null : checksum(payment.to),
          token: checksum(payment.token),
          amount: payment.amount,
          timestamp: toNumber(payment.timestamp),
          blockNumber: toNumber(payment.blockNumber),
          transactionHash: payment.transaction.toLowerCase(),
        })),
        block: { indexed: { number: answer.block.number, hash: answer.block.hash } },
      },
      200,
    );
  });
}
