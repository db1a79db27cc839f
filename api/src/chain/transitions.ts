// The lifecycle transitions the API prepares, one entry per market call: the statuses `statusOf` must report for it,
// who may send it, its parameters, and how its calldata is built. `PATCH /tasks/{id}/state`, `POST /agents/{id}/claim`
// and `POST /settle` all go through `checkTransition` before they prepare or relay anything, so that a transaction
// the market would refuse is answered with a 409 naming the task's state, or a 403 naming who may send it, instead of
// reverting in a wallet. The rules restate docs/protocol.md ("Transitions") and the market's own checks; the chain
// stays the judge, and the order of the checks is the market's: the status first, then the caller.
import { z } from "@hono/zod-openapi";
import { encodeFunctionData, erc20Abi, getAddress, zeroAddress, zeroHash, type Address, type Hex } from "viem";

import type { ProtocolContractKey } from "../../../scripts/deployment.ts";
import { PROTOCOL_ABIS } from "../../../src/protocol/abis.ts";
import {
  BPS,
  TaskStatus,
  unpackMilestoneShares,
  type TaskTerms,
  taskStatusName,
  type TaskStatusName,
} from "../../../src/protocol/terms.ts";
import { ApiProblem } from "../problems.ts";
import { Bytes32Schema, type PreparedTransaction } from "../schemas.ts";
import type { ApiServices } from "../services.ts";
import type { ExistingTaskStatusName } from "../subgraph/task-status.ts";
import { readLive, type LiveTask } from "./protocol-chain.ts";
import { readTaskTerms, type TaskOnChain } from "./task-terms.ts";

/** `TaskState.flags`, as contracts/abstracts/TaskMarketCore.sol defines them. */
export const TASK_FLAGS = {
  rejected: 1 << 0,
  posterConsentedToCancel: 1 << 1,
  executorConsentedToCancel: 1 << 2,
  posterRated: 1 << 3,
  executorRated: 1 << 4,
  rejectedAfterDeadline: 1 << 5,
  verifierPaid: 1 << 6,
  extended: 1 << 7,
} as const;

/** `TaskMarket.MAX_HOLD_DURATION`: how long after it was first placed a hold may last. */
export const MAX_HOLD_DURATION_SECONDS = 180 * 24 * 3600;

/** `IExecutorRegistry.Eligibility`, by value. */
export const ELIGIBILITY = ["Eligible", "NotRegistered", "Inactive", "KindMismatch", "MissingCapability"] as const;
export type Eligibility = (typeof ELIGIBILITY)[number];

export const EXECUTOR_KIND_NAMES = ["any", "human", "agent"] as const;

/*//////////////////////////////////////////////////////////////
                          THE TABLE
//////////////////////////////////////////////////////////////*/

export const TRANSITION_NAMES = [
  "claim",
  "start",
  "checkpoint",
  "submit",
  "submit-verified",
  "approve",
  "reject",
  "hold",
  "resolve",
  "cancel",
  "consent-cancel",
  "release",
  "refund-expired",
  "rate",
] as const;
export type TransitionName = (typeof TRANSITION_NAMES)[number];

/**
 * Who may send a transition:
 * - `claimant`: a registered executor eligible for the task, neither its poster nor its verifier (nor their agent);
 * - `executor`: the executor holding the claim;
 * - `verifier`: `terms.verifier`, or the poster when it is zero; a verification module decides through its own calls;
 * - `delegated-verifier`: a non-zero `terms.verifier` that is an account;
 * - `poster`, `parties` (the poster or the executor), `anyone`.
 */
export type SenderRule = "claimant" | "executor" | "verifier" | "delegated-verifier" | "poster" | "parties" | "anyone";

/** The market functions behind the transitions. */
export type MarketCall =
  | "claim"
  | "start"
  | "checkpoint"
  | "submit"
  | "submitVerified"
  | "approve"
  | "reject"
  | "hold"
  | "resolve"
  | "cancel"
  | "consentToCancel"
  | "release"
  | "refundExpired"
  | "rate";

/** What a transition is checked and built from. Terms are read only by the transitions that need them. */
export interface TransitionContext<P = unknown> {
  services: ApiServices;
  task: LiveTask;
  from: Address;
  params: P;
  /** The task's terms, options and capabilities, read from the indexer and confirmed live (once per request). */
  onChain(): Promise<TaskOnChain>;
}

export interface TransitionDefinition<P = unknown> {
  name: TransitionName;
  call: MarketCall;
  summary: string;
  allowedFrom: readonly ExistingTaskStatusName[];
  sender: SenderRule;
  /** The `params` of a request; a strict object. */
  params: z.ZodType<P>;
  /** Whether a request must carry `params`. */
  paramsRequired: boolean;
  /** The params a signed call carries, from its decoded arguments (after the task id). */
  paramsFromCall(args: readonly unknown[]): P;
  /** The index of the `TaskTerms` argument of the call, if it takes them. */
  termsArgument?: number;
  /** A reason the transition is not open in the task's state beyond its status (a refund already made). */
  closedBecause?(task: LiveTask): string | undefined;
  /** Preconditions that depend on the sender or the parameters; throws a 409 or 400 problem. */
  checkState?(context: TransitionContext<P>): Promise<void> | void;
  build(context: TransitionContext<P>): Promise<PreparedTransaction[]>;
}

const NoParams = z.object({}).strict().openapi("NoTransitionParams");

const CheckpointParams = z
  .object({
    percentComplete: z.number().int().min(0).max(100),
    progressHash: Bytes32Schema.openapi({ description: "The hash of the progress report." }),
    progressURI: z.string().max(2048).openapi({ description: "Where the progress report can be read." }),
  })
  .strict()
  .openapi("CheckpointParams");

const SubmitParams = z
  .object({
    resultHash: Bytes32Schema.openapi({ description: "The hash of the result, which a delegated verifier judges." }),
    resultURI: z.string().max(2048).openapi({ description: "Where the result can be read." }),
  })
  .strict()
  .openapi("SubmitParams");

const RejectParams = z
  .object({
    reasonHash: Bytes32Schema.optional().openapi({ description: "The hash of the reason; zero when left out." }),
  })
  .strict()
  .openapi("RejectParams");

const HoldParams = z
  .object({
    until: z
      .number()
      .int()
      .min(1)
      .max(2 ** 40 - 1)
      .openapi({ description: "Unix seconds: when the hold ends." }),
    defaultShareBps: z
      .number()
      .int()
      .min(0)
      .max(BPS)
      .openapi({ description: "The executor's share if the hold runs out undecided." }),
  })
  .strict()
  .openapi("HoldParams");

const ResolveParams = z
  .object({ executorShareBps: z.number().int().min(0).max(BPS) })
  .strict()
  .openapi("ResolveParams");

const RateParams = z
  .object({ rating: z.number().int().min(1).max(5) })
  .strict()
  .openapi("RateParams");

type Empty = Record<string, never>;

/** Keeps each definition's parameter type while the table holds them all. */
function define<P>(definition: TransitionDefinition<P>): TransitionDefinition<unknown> {
  return definition as unknown as TransitionDefinition<unknown>;
}

const WORKING = ["Claimed", "InProgress"] as const;
const UNDER_REVIEW = ["Submitted", "Disputed"] as const;

export const TRANSITIONS: readonly TransitionDefinition[] = [
  define<Empty>({
    name: "claim",
    call: "claim",
    summary: "Claim an open task, locking its claim bond (an ERC-20 bond is approved first).",
    allowedFrom: ["Posted"],
    sender: "claimant",
    params: NoParams as z.ZodType<Empty>,
    paramsRequired: false,
    paramsFromCall: () => ({}),
    termsArgument: 1,
    build: async (context) => prepareClaim(context.services, await context.onChain(), context.from),
  }),
  define<Empty>({
    name: "start",
    call: "start",
    summary: "Mark a claimed task as in progress.",
    allowedFrom: ["Claimed"],
    sender: "executor",
    params: NoParams as z.ZodType<Empty>,
    paramsRequired: false,
    paramsFromCall: () => ({}),
    build: async ({ services, task, from }) => [
      services.chain.prepare("taskMarket", "start", [task.taskId], {
        description: `Start work on task ${task.taskId}.`,
        from,
      }),
    ],
  }),
  define<z.infer<typeof CheckpointParams>>({
    name: "checkpoint",
    call: "checkpoint",
    summary: "Post a progress checkpoint (percent complete, the hash and URI of a progress report).",
    allowedFrom: ["InProgress"],
    sender: "executor",
    params: CheckpointParams,
    paramsRequired: true,
    paramsFromCall: (args) => ({
      percentComplete: Number(args[0]),
      progressHash: args[1] as Hex,
      progressURI: args[2] as string,
    }),
    build: async ({ services, task, from, params }) => [
      services.chain.prepare(
        "taskMarket",
        "checkpoint",
        [task.taskId, params.percentComplete, params.progressHash, params.progressURI],
        { description: `Report task ${task.taskId} ${params.percentComplete}% complete.`, from },
      ),
    ],
  }),
  define<z.infer<typeof SubmitParams>>({
    name: "submit",
    call: "submit",
    summary: "Submit (or, after a rejection, resubmit) a result, or the current milestone's; the review window starts.",
    allowedFrom: WORKING,
    sender: "executor",
    params: SubmitParams,
    paramsRequired: true,
    paramsFromCall: (args) => ({ resultHash: args[1] as Hex, resultURI: args[2] as string }),
    termsArgument: 1,
    checkState: checkNoOpenSubtasks,
    build: async (context) => {
      const { terms } = await context.onChain();
      const { task, params, from } = context;
      return [
        context.services.chain.prepare(
          "taskMarket",
          "submit",
          [task.taskId, terms, params.resultHash, params.resultURI],
          { description: `Submit the result of ${milestoneLabel(task, terms)} of task ${task.taskId}.`, from },
        ),
      ];
    },
  }),
  define<z.infer<typeof SubmitParams>>({
    name: "submit-verified",
    call: "submitVerified",
    summary: "Submit a result on the executor's behalf and accept it at once (a delegated verifier that checked it).",
    allowedFrom: WORKING,
    sender: "delegated-verifier",
    params: SubmitParams,
    paramsRequired: true,
    paramsFromCall: (args) => ({ resultHash: args[1] as Hex, resultURI: args[2] as string }),
    termsArgument: 1,
    checkState: checkNoOpenSubtasks,
    build: async (context) => {
      const { terms } = await context.onChain();
      const { task, params, from } = context;
      return [
        context.services.chain.prepare(
          "taskMarket",
          "submitVerified",
          [task.taskId, terms, params.resultHash, params.resultURI],
          { description: `Submit and accept ${milestoneLabel(task, terms)} of task ${task.taskId}.`, from },
        ),
      ];
    },
  }),
  define<Empty>({
    name: "approve",
    call: "approve",
    summary: "Accept the submission under review: the executor is paid (the reward, or the current milestone's part).",
    allowedFrom: UNDER_REVIEW,
    sender: "verifier",
    params: NoParams as z.ZodType<Empty>,
    paramsRequired: false,
    paramsFromCall: () => ({}),
    termsArgument: 1,
    build: async (context) => {
      const { terms } = await context.onChain();
      const { task, from } = context;
      return [
        context.services.chain.prepare("taskMarket", "approve", [task.taskId, terms], {
          description: `Approve ${milestoneLabel(task, terms)} of task ${task.taskId} and pay the executor.`,
          from,
        }),
      ];
    },
  }),
  define<z.infer<typeof RejectParams>>({
    name: "reject",
    call: "reject",
    summary: "Reject the submission under review; the executor may resubmit until its execution deadline.",
    allowedFrom: UNDER_REVIEW,
    sender: "verifier",
    params: RejectParams,
    paramsRequired: false,
    paramsFromCall: (args) => ({ reasonHash: args[1] as Hex }),
    termsArgument: 1,
    build: async (context) => {
      const { terms } = await context.onChain();
      const { task, from, params } = context;
      return [
        context.services.chain.prepare("taskMarket", "reject", [task.taskId, terms, params.reasonHash ?? zeroHash], {
          description: `Reject the submission of task ${task.taskId}.`,
          from,
        }),
      ];
    },
  }),
  define<z.infer<typeof HoldParams>>({
    name: "hold",
    call: "hold",
    summary: "Put the submission on hold (Disputed) until a time, with a default share if the hold runs out.",
    allowedFrom: UNDER_REVIEW,
    sender: "delegated-verifier",
    params: HoldParams,
    paramsRequired: true,
    paramsFromCall: (args) => ({ until: Number(args[1]), defaultShareBps: Number(args[2]) }),
    termsArgument: 1,
    checkState: ({ task, params }) => {
      const heldAt = task.state.status === TaskStatus.Disputed ? task.heldAt : task.block.timestamp;
      const latest = heldAt + MAX_HOLD_DURATION_SECONDS;
      if (params.until <= task.block.timestamp || params.until > latest) {
        throw new ApiProblem(
          "invalid_request",
          `params.until must be after the chain's time (${task.block.timestamp}) and at most ${latest} ` +
            `(${MAX_HOLD_DURATION_SECONDS / 86_400} days after the hold was first placed).`,
        );
      }
    },
    build: async (context) => {
      const { terms } = await context.onChain();
      const { task, from, params } = context;
      return [
        context.services.chain.prepare(
          "taskMarket",
          "hold",
          [task.taskId, terms, params.until, params.defaultShareBps],
          { description: `Hold the submission of task ${task.taskId} until ${params.until}.`, from },
        ),
      ];
    },
  }),
  define<z.infer<typeof ResolveParams>>({
    name: "resolve",
    call: "resolve",
    summary: "Settle the submission with a share (basis points) for the executor and the rest for the poster.",
    allowedFrom: UNDER_REVIEW,
    sender: "delegated-verifier",
    params: ResolveParams,
    paramsRequired: true,
    paramsFromCall: (args) => ({ executorShareBps: Number(args[1]) }),
    termsArgument: 1,
    build: async (context) => {
      const { terms } = await context.onChain();
      const { task, from, params } = context;
      return [
        context.services.chain.prepare("taskMarket", "resolve", [task.taskId, terms, params.executorShareBps], {
          description: `Settle the submission of task ${task.taskId} with ${params.executorShareBps} bps for the executor.`,
          from,
        }),
      ];
    },
  }),
  define<Empty>({
    name: "cancel",
    call: "cancel",
    summary: "Cancel an open task (never claimed, or its claim lapsed) and refund the poster.",
    allowedFrom: ["Posted"],
    sender: "poster",
    params: NoParams as z.ZodType<Empty>,
    paramsRequired: false,
    paramsFromCall: () => ({}),
    termsArgument: 1,
    build: async (context) => {
      const { terms } = await context.onChain();
      return [
        context.services.chain.prepare("taskMarket", "cancel", [context.task.taskId, terms], {
          description: `Cancel task ${context.task.taskId} and refund its escrow to the poster.`,
          from: context.from,
        }),
      ];
    },
  }),
  define<Empty>({
    name: "consent-cancel",
    call: "consentToCancel",
    summary: "Agree to cancel a claimed task; the second party's consent cancels it (escrow to the poster, bond back).",
    allowedFrom: ["Claimed", "InProgress", "Submitted", "Disputed"],
    sender: "parties",
    params: NoParams as z.ZodType<Empty>,
    paramsRequired: false,
    paramsFromCall: () => ({}),
    termsArgument: 1,
    checkState: async (context) => {
      const { terms } = await context.onChain();
      const flag =
        context.from === terms.poster ? TASK_FLAGS.posterConsentedToCancel : TASK_FLAGS.executorConsentedToCancel;
      if ((context.task.state.flags & flag) !== 0) {
        throw new ApiProblem("conflict", `${context.from} has already agreed to cancel task ${context.task.taskId}.`, {
          extensions: { currentState: taskStatusName(context.task.status) },
        });
      }
    },
    build: async (context) => {
      const { terms } = await context.onChain();
      const other =
        context.from === terms.poster ? TASK_FLAGS.executorConsentedToCancel : TASK_FLAGS.posterConsentedToCancel;
      const completes = (context.task.state.flags & other) !== 0;
      return [
        context.services.chain.prepare("taskMarket", "consentToCancel", [context.task.taskId, terms], {
          description: completes
            ? `Agree to cancel task ${context.task.taskId}; the other party agreed already, so this cancels it.`
            : `Agree to cancel task ${context.task.taskId}; it is cancelled once the other party agrees too.`,
          from: context.from,
        }),
      ];
    },
  }),
  define<Empty>({
    name: "release",
    call: "release",
    summary: "Settle a submission whose review window (or hold) ran out without a decision. Anyone may send it.",
    allowedFrom: ["Verified"],
    sender: "anyone",
    params: NoParams as z.ZodType<Empty>,
    paramsRequired: false,
    paramsFromCall: () => ({}),
    termsArgument: 1,
    build: async (context) => {
      const { terms } = await context.onChain();
      const held = context.task.state.status === TaskStatus.Disputed;
      return [
        context.services.chain.prepare("taskMarket", "release", [context.task.taskId, terms], {
          description: held
            ? `Release ${milestoneLabel(context.task, terms)} of task ${context.task.taskId} at the hold's default ` +
              `share of ${context.task.holdShareBps} bps for the executor.`
            : `Release ${milestoneLabel(context.task, terms)} of task ${context.task.taskId} in full to the executor: ` +
              "its review window ended without a decision.",
        }),
      ];
    },
  }),
  define<Empty>({
    name: "refund-expired",
    call: "refundExpired",
    summary: "Refund the poster of a task that expired unclaimed (with any lapsed bond). Anyone may send it.",
    allowedFrom: ["Expired"],
    sender: "anyone",
    params: NoParams as z.ZodType<Empty>,
    paramsRequired: false,
    paramsFromCall: () => ({}),
    termsArgument: 1,
    closedBecause: (task) =>
      task.state.status === TaskStatus.Expired ? "its escrow has already been refunded" : undefined,
    build: async (context) => {
      const { terms } = await context.onChain();
      return [
        context.services.chain.prepare("taskMarket", "refundExpired", [context.task.taskId, terms], {
          description: `Refund the escrow of expired task ${context.task.taskId} to its poster.`,
        }),
      ];
    },
  }),
  define<z.infer<typeof RateParams>>({
    name: "rate",
    call: "rate",
    summary: "Rate the other side of a settled task from 1 to 5, once per side.",
    allowedFrom: ["Settled"],
    sender: "parties",
    params: RateParams,
    paramsRequired: true,
    paramsFromCall: (args) => ({ rating: Number(args[1]) }),
    termsArgument: 1,
    checkState: async (context) => {
      const { terms } = await context.onChain();
      const flag = context.from === terms.poster ? TASK_FLAGS.posterRated : TASK_FLAGS.executorRated;
      if ((context.task.state.flags & flag) !== 0) {
        throw new ApiProblem("conflict", `${context.from} has already rated task ${context.task.taskId}.`, {
          extensions: { currentState: taskStatusName(context.task.status) },
        });
      }
    },
    build: async (context) => {
      const { terms } = await context.onChain();
      const ratee = context.from === terms.poster ? "executor" : "poster";
      return [
        context.services.chain.prepare("taskMarket", "rate", [context.task.taskId, terms, context.params.rating], {
          description: `Rate the ${ratee} of task ${context.task.taskId} ${context.params.rating} out of 5.`,
          from: context.from,
        }),
      ];
    },
  }),
];

const BY_NAME = new Map(TRANSITIONS.map((definition) => [definition.name, definition]));
const BY_CALL = new Map(TRANSITIONS.map((definition) => [definition.call as string, definition]));

export function transitionNamed(name: TransitionName): TransitionDefinition {
  return BY_NAME.get(name)!;
}

/** The transition a market call makes, if the API knows it. */
export function transitionForCall(functionName: string): TransitionDefinition | undefined {
  return BY_CALL.get(functionName);
}

/** Who may send each kind of transition, in words. */
export const SENDER_RULES: Record<SenderRule, string> = {
  claimant: "an eligible executor (not the poster or the verifier, nor their agent)",
  executor: "the executor",
  verifier: "the verifier (the poster unless the terms name one)",
  "delegated-verifier": "the delegated verifier",
  poster: "the poster",
  parties: "the poster or the executor",
  anyone: "anyone",
};

/*//////////////////////////////////////////////////////////////
                          CHECKS
//////////////////////////////////////////////////////////////*/

/** The transitions open in the task's live state (whoever sends them). */
export function transitionsAllowedIn(task: LiveTask): TransitionName[] {
  const status = taskStatusName(task.status);
  return TRANSITIONS.filter(
    (definition) =>
      (definition.allowedFrom as readonly TaskStatusName[]).includes(status) && !definition.closedBecause?.(task),
  ).map((definition) => definition.name);
}

/** 409 `invalid_transition` naming the current state and the transitions open in it. */
export function invalidTransition(task: LiveTask, detail: string): ApiProblem {
  return new ApiProblem("invalid_transition", detail, {
    extensions: { currentState: taskStatusName(task.status), allowed: transitionsAllowedIn(task) },
  });
}

function assertOpen(definition: TransitionDefinition, task: LiveTask): void {
  const status = taskStatusName(task.status);
  if (!(definition.allowedFrom as readonly TaskStatusName[]).includes(status)) {
    throw invalidTransition(
      task,
      `Task ${task.taskId} is ${status}: "${definition.name}" needs it to be ${definition.allowedFrom.join(" or ")}.`,
    );
  }
  const closed = definition.closedBecause?.(task);
  if (closed) throw invalidTransition(task, `Task ${task.taskId} is ${status}, and ${closed}.`);
}

function forbidden(detail: string, allowedSenders: readonly Address[]): ApiProblem {
  return new ApiProblem("forbidden", detail, { extensions: { allowedSenders } });
}

/** What a verification module is for the parties, and where its decisions are made. */
const VERIFIER_MODULE_ROUTES: Partial<Record<ProtocolContractKey, string>> = {
  reviewModule:
    "its reviewer decides through the ReviewModule (approve, reject or acceptPartially with the task's ReviewConfig)",
  attestationModule:
    "a quorum of verifiers' attestations decides through the AttestationModule (POST /verify requests one)",
  optimisticModule:
    "the submission is accepted unless challenged through the OptimisticModule (POST /verify/{id}/challenge), " +
    "and anyone may release it once its review window ends",
  proofModule: "a valid proof submitted through the ProofModule settles it",
};

/** How a task with an assignment module is given out. */
const ASSIGNER_ROUTES: Partial<Record<ProtocolContractKey, string>> = {
  gatedClaim:
    "claim it through the GatedClaim module (claim with the task's GateConfig), which checks its reputation gate " +
    "and dependencies",
  applicationBoard: "apply on the ApplicationBoard (submitApplication); the poster assigns one of the applicants",
  reverseAuction:
    "bid in the ReverseAuction (bid, or commitBid then revealBid when sealed); the poster awards it or anyone " +
    "finalizes the auction",
};

/**
 * The deployment's verification module at `verifier`, if it is one. Its decisions are made through the module's own
 * calls; any other verifier, a person's account or a smart account, sends the market's decisions itself.
 */
export function verificationModuleOf(services: ApiServices, verifier: Address): ProtocolContractKey | undefined {
  const module = services.chain.contractAt(verifier);
  return module !== undefined && module in VERIFIER_MODULE_ROUTES ? module : undefined;
}

/** Why decisions on a task with a verification module cannot be sent to the market by a person. */
export function moduleVerifierDetail(services: ApiServices, taskId: bigint, verifier: Address): string {
  const module = services.chain.contractAt(verifier);
  const route = module ? VERIFIER_MODULE_ROUTES[module] : undefined;
  return (
    `Task ${taskId} is verified by the contract ${verifier}` +
    (module ? ` (${module})` : "") +
    `: only it may make this call on the market; ${route ?? "its decisions are made through that contract"}.`
  );
}

/** 409 for a task that only its assignment module gives out, naming the module and how to use it. */
export function assignerProblem(services: ApiServices, taskId: bigint, assigner: Address, task?: LiveTask): ApiProblem {
  const module = services.chain.contractAt(assigner);
  const route = module ? ASSIGNER_ROUTES[module] : undefined;
  return new ApiProblem(
    "conflict",
    `Task ${taskId} cannot be claimed on the market: it is given out by its assignment module ${assigner}` +
      (module ? ` (${module})` : "") +
      `; ${route ?? "ask that contract"}.`,
    {
      extensions: {
        assigner,
        assignmentModule: module ?? null,
        ...(task ? { currentState: taskStatusName(task.status) } : {}),
      },
    },
  );
}

async function checkSender(definition: TransitionDefinition, context: TransitionContext): Promise<void> {
  const { task, from, services } = context;
  const action = `"${definition.name}" on task ${task.taskId}`;
  switch (definition.sender) {
    case "anyone":
      return;
    case "executor": {
      const executor = task.state.executor;
      if (from !== executor) throw forbidden(`Only the executor ${executor} may send ${action}.`, [executor]);
      return;
    }
    case "claimant":
      await checkClaimant(services, task, await context.onChain(), from);
      return;
  }
  const { terms } = await context.onChain();
  switch (definition.sender) {
    case "poster":
      if (from !== terms.poster) throw forbidden(`Only the poster ${terms.poster} may send ${action}.`, [terms.poster]);
      return;
    case "parties": {
      const parties = [terms.poster, task.state.executor];
      if (!parties.includes(from)) {
        throw forbidden(
          `Only the poster ${terms.poster} or the executor ${task.state.executor} may send ${action}.`,
          parties,
        );
      }
      return;
    }
    case "verifier":
    case "delegated-verifier": {
      if (terms.verifier === zeroAddress) {
        if (definition.sender === "delegated-verifier") {
          throw new ApiProblem(
            "conflict",
            `Task ${task.taskId} has no delegated verifier, so ${action} is not possible: its poster decides with ` +
              `"approve" or "reject".`,
            { extensions: { currentState: taskStatusName(task.status) } },
          );
        }
        if (from !== terms.poster) {
          throw forbidden(`Only the poster ${terms.poster}, who reviews this task, may send ${action}.`, [
            terms.poster,
          ]);
        }
        return;
      }
      if (verificationModuleOf(services, terms.verifier) !== undefined) {
        throw forbidden(moduleVerifierDetail(services, task.taskId, terms.verifier), [terms.verifier]);
      }
      if (from !== terms.verifier) {
        throw forbidden(`Only the task's verifier ${terms.verifier} may send ${action}.`, [terms.verifier]);
      }
      return;
    }
  }
}

/**
 * Whether `executor` may claim the task on the market now, by the market's rules: the task has no assignment module;
 * the executor is not a party of it nor an agent of one (403); the registry finds it registered, active, of the
 * task's kind and offering every capability the task requires (409 `conflict` with `eligibility` naming the reason).
 */
export async function checkClaimant(
  services: ApiServices,
  task: LiveTask,
  onChain: TaskOnChain,
  executor: Address,
): Promise<void> {
  const { terms, options } = onChain;
  if (options.assigner !== zeroAddress) throw assignerProblem(services, task.taskId, options.assigner, task);
  const parties = [terms.poster, ...(terms.verifier === zeroAddress ? [] : [terms.verifier])];
  if (parties.includes(executor)) {
    throw forbidden(`${executor} is a party of task ${task.taskId} (its poster or verifier) and may not claim it.`, []);
  }
  const registry = {
    address: services.chain.address("executorRegistry"),
    abi: PROTOCOL_ABIS.executorRegistry,
  } as const;
  const blockNumber = BigInt(task.block.number);
  const [eligibility, operator, profile, offered] = await readLive(() =>
    Promise.all([
      services.chain.client.readContract({
        ...registry,
        functionName: "eligibilityOf",
        args: [executor, terms.executorKind, onChain.capabilities],
        blockNumber,
      }),
      services.chain.client.readContract({ ...registry, functionName: "operatorOf", args: [executor], blockNumber }),
      services.chain.client.readContract({ ...registry, functionName: "profileOf", args: [executor], blockNumber }),
      services.chain.client.readContract({
        ...registry,
        functionName: "capabilitiesOf",
        args: [executor],
        blockNumber,
      }),
    ]),
  );
  const reason = ELIGIBILITY[eligibility] ?? "NotRegistered";
  if (reason !== "Eligible") {
    const offeredIds = new Set(offered.map((id) => id.toLowerCase()));
    const missing = onChain.capabilities.filter((id) => !offeredIds.has(id));
    const details: Record<Exclude<Eligibility, "Eligible">, string> = {
      NotRegistered: `${executor} is not a registered executor; register it first (POST /agents).`,
      Inactive: `${executor} is registered but inactive; it must reactivate itself (setActive(true)) to claim.`,
      KindMismatch:
        `Task ${task.taskId} is for ${EXECUTOR_KIND_NAMES[terms.executorKind]} executors; ${executor} is ` +
        `registered as ${EXECUTOR_KIND_NAMES[profile.kind] ?? "unknown"}.`,
      MissingCapability: `${executor} does not offer ${missing.length} of the capabilities task ${task.taskId} requires.`,
    };
    throw new ApiProblem("conflict", details[reason], {
      extensions: {
        eligibility: reason,
        currentState: taskStatusName(task.status),
        ...(reason === "MissingCapability" ? { missingCapabilities: missing } : {}),
      },
    });
  }
  if (operator !== zeroAddress && parties.includes(getAddress(operator))) {
    throw forbidden(
      `${executor} is an agent operated by ${operator}, a party of task ${task.taskId}, and may not claim it.`,
      [],
    );
  }
}

async function checkNoOpenSubtasks(context: TransitionContext): Promise<void> {
  const { task, services } = context;
  if ((task.state.flags & TASK_FLAGS.extended) === 0) return;
  const funding = await readLive(() =>
    services.chain.client.readContract({
      address: services.chain.address("taskMarket"),
      abi: PROTOCOL_ABIS.taskMarket,
      functionName: "fundingOf",
      args: [task.taskId],
      blockNumber: BigInt(task.block.number),
    }),
  );
  if (funding.openSubtasks !== 0) {
    throw new ApiProblem(
      "conflict",
      `Task ${task.taskId} has ${funding.openSubtasks} open subtask(s); it can be submitted once every one has ended.`,
      { extensions: { currentState: taskStatusName(task.status), openSubtasks: funding.openSubtasks } },
    );
  }
}

/*//////////////////////////////////////////////////////////////
                    PREPARING AND CHECKING
//////////////////////////////////////////////////////////////*/

/** A context for `task`, reading its terms at most once and only if a check or the call needs them. */
export function transitionContext<P>(
  services: ApiServices,
  task: LiveTask,
  from: Address,
  params: P,
  onChain?: TaskOnChain,
): TransitionContext<P> {
  let terms: Promise<TaskOnChain> | undefined = onChain ? Promise.resolve(onChain) : undefined;
  return {
    services,
    task,
    from,
    params,
    onChain: () => (terms ??= readTaskTerms(services, task.taskId, { blockNumber: BigInt(task.block.number) })),
  };
}

/** The market's checks of `definition` for `context`, in the market's order: status (409), sender (403), the rest. */
export async function checkTransition(definition: TransitionDefinition, context: TransitionContext): Promise<void> {
  assertOpen(definition, context.task);
  await checkSender(definition, context);
  await definition.checkState?.(context);
}

export interface PreparedTransition {
  transition: TransitionName;
  currentState: TaskStatusName;
  transactions: PreparedTransaction[];
}

/** Checks `definition` against the live task and prepares its transaction(s) for `context.from`. */
export async function prepareTransition(
  definition: TransitionDefinition,
  context: TransitionContext,
): Promise<PreparedTransition> {
  await checkTransition(definition, context);
  return {
    transition: definition.name,
    currentState: taskStatusName(context.task.status),
    transactions: await definition.build(context),
  };
}

/*//////////////////////////////////////////////////////////////
                          BUILDING BLOCKS
//////////////////////////////////////////////////////////////*/

/** An ERC-20 `approve` of `amount` to `spender`, for `from` to send before the call that pulls it. */
export function prepareTokenApproval(
  services: ApiServices,
  token: Address,
  spender: Address,
  amount: bigint,
  description: string,
  from: Address,
): PreparedTransaction {
  return {
    chainId: services.chain.chainId,
    to: token,
    data: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [spender, amount] }),
    value: "0",
    description,
    from,
  };
}

/** The claim of a task by `executor`: the bond's approval first for an ERC-20 bond, the bond as value for ETH. */
export function prepareClaim(services: ApiServices, onChain: TaskOnChain, executor: Address): PreparedTransaction[] {
  const { terms, capabilities, taskId } = onChain;
  const market = services.chain.address("taskMarket");
  const transactions: PreparedTransaction[] = [];
  const ethBond = terms.token === zeroAddress;
  if (!ethBond && terms.claimBond > 0n) {
    transactions.push(
      prepareTokenApproval(
        services,
        terms.token,
        market,
        terms.claimBond,
        `Allow the market to take the claim bond of task ${taskId}: ${terms.claimBond} base units of ${terms.token}.`,
        executor,
      ),
    );
  }
  transactions.push(
    services.chain.prepare("taskMarket", "claim", [taskId, terms, capabilities], {
      value: ethBond ? terms.claimBond : 0n,
      description:
        terms.claimBond === 0n
          ? `Claim task ${taskId} (no claim bond).`
          : `Claim task ${taskId}, locking a claim bond of ${terms.claimBond} ${ethBond ? "wei" : `base units of ${terms.token}`}.`,
      from: executor,
    }),
  );
  return transactions;
}

/** "milestone 2 of 3" for a task paid in milestones, "the submission" otherwise. */
function milestoneLabel(task: LiveTask, terms: TaskTerms): string {
  const count = unpackMilestoneShares(terms.milestoneShares).length;
  return count === 0 ? "the submission" : `milestone ${task.milestonesVerified + 1} of ${count}`;
}
