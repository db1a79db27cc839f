// A task's `TaskTerms` and `TaskOptions`, which the market does not store: it keeps a digest of the terms and expects
// every call that needs them to pass them back. The indexer keeps the full terms from `TaskCreated` (and the options
// from `TaskOptionsSet`), so they are read there and then confirmed against the chain with `matchesTerms` and
// `optionsOf` at the block the caller reads the task's state at: a prepared transaction built on a wrong copy would
// only revert in the user's wallet. A disagreement means the indexer is wrong (or on another branch), never that the
// user is, so it is a 502, and a task the chain has but the indexer has not seen yet is a 503 worth retrying.
import { z } from "@hono/zod-openapi";
import { getAddress, zeroAddress, type Address, type Hex } from "viem";

import { PROTOCOL_ABIS } from "../../../src/protocol/abis.ts";
import { capabilitiesHash } from "../../../src/protocol/capabilities.ts";
import { ExecutorKind, type TaskOptions, type TaskTerms } from "../../../src/protocol/terms.ts";
import { ApiProblem } from "../problems.ts";
import type { ApiServices } from "../services.ts";
import type { IndexedBlock } from "../subgraph/subgraph-client.ts";
import { readLive } from "./protocol-chain.ts";

/*//////////////////////////////////////////////////////////////
                          JSON FORMS
//////////////////////////////////////////////////////////////*/

/** `TaskTerms` in JSON: uint128 amounts as decimal strings, the small integers as numbers, addresses checksummed. */
export const TaskTermsSchema = z
  .object({
    poster: z.string(),
    token: z.string().openapi({ description: "The zero address for ETH." }),
    reward: z.string(),
    claimBond: z.string(),
    claimDeadline: z.number().int().openapi({ description: "Unix seconds." }),
    executionWindow: z.number().int().openapi({ description: "Seconds." }),
    reviewWindow: z.number().int().openapi({ description: "Seconds." }),
    feeBps: z.number().int(),
    executorKind: z.number().int().openapi({ description: "`ExecutorKind`: 0 any, 1 human, 2 agent." }),
    verifier: z.string().openapi({ description: "The zero address when the poster reviews." }),
    verifierFee: z.string(),
    verifierConfigHash: z.string(),
    capabilitiesHash: z.string(),
    documentHash: z.string(),
    milestoneShares: z.string(),
  })
  .openapi("TaskTerms", {
    description: "The task's `TaskTerms`, field for field, as every market call that needs them takes them back.",
  });

export type TaskTermsJson = z.infer<typeof TaskTermsSchema>;

export const TaskOptionsSchema = z
  .object({
    assigner: z.string().openapi({ description: "The zero address for a first-come claim on the market." }),
    subtaskBudget: z.string(),
    assignerConfigHash: z.string(),
  })
  .openapi("TaskOptions", { description: "The task's `TaskOptions`: all zero for a task created without options." });

export type TaskOptionsJson = z.infer<typeof TaskOptionsSchema>;

export function termsToJson(terms: TaskTerms): TaskTermsJson {
  return {
    poster: getAddress(terms.poster),
    token: getAddress(terms.token),
    reward: terms.reward.toString(),
    claimBond: terms.claimBond.toString(),
    claimDeadline: terms.claimDeadline,
    executionWindow: terms.executionWindow,
    reviewWindow: terms.reviewWindow,
    feeBps: terms.feeBps,
    executorKind: terms.executorKind,
    verifier: getAddress(terms.verifier),
    verifierFee: terms.verifierFee.toString(),
    verifierConfigHash: terms.verifierConfigHash.toLowerCase(),
    capabilitiesHash: terms.capabilitiesHash.toLowerCase(),
    documentHash: terms.documentHash.toLowerCase(),
    milestoneShares: terms.milestoneShares.toLowerCase(),
  };
}

export function optionsToJson(options: TaskOptions): TaskOptionsJson {
  return {
    assigner: getAddress(options.assigner),
    subtaskBudget: options.subtaskBudget.toString(),
    assignerConfigHash: options.assignerConfigHash.toLowerCase(),
  };
}

/** Whether two copies of the terms are the same terms (hex compared without regard to case). */
export function sameTerms(a: TaskTerms, b: TaskTerms): boolean {
  const left = termsToJson(a);
  const right = termsToJson(b);
  return (Object.keys(left) as (keyof TaskTermsJson)[]).every((key) => left[key] === right[key]);
}

/*//////////////////////////////////////////////////////////////
                      THE TASK AS THE INDEXER HAS IT
//////////////////////////////////////////////////////////////*/

/** What reading the terms takes: the chain and the indexer (the verification service holds no more). */
export type ChainAndIndexer = Pick<ApiServices, "chain" | "subgraph">;

/** A task's immutable side: its terms, options, capability list and document URI. */
export interface TaskOnChain {
  taskId: bigint;
  terms: TaskTerms;
  options: TaskOptions;
  /** The capability ids, strictly ascending: what `claim` and the assignment modules take back. */
  capabilities: Hex[];
  documentURI: string;
  /** The indexer's head when the terms were read. */
  indexedBlock: IndexedBlock;
}

interface IndexedTaskRow {
  poster: { id: string };
  token: string;
  reward: string;
  claimBond: string;
  claimDeadline: string;
  executionWindow: string;
  reviewWindow: string;
  feeBps: number;
  executorKind: keyof typeof ExecutorKind;
  verifier: string;
  verifierFee: string;
  verifierConfigHash: string;
  capabilitiesHash: string;
  documentHash: string;
  milestoneShares: string;
  capabilities: string[];
  documentURI: string;
  assigner: string;
  subtaskBudget: string;
  assignerConfigHash: string;
}

const TERMS_SELECTION = `task(id: $id) {
  poster { id } token reward claimBond claimDeadline executionWindow reviewWindow feeBps executorKind verifier
  verifierFee verifierConfigHash capabilitiesHash documentHash milestoneShares capabilities documentURI
  assigner subtaskBudget assignerConfigHash
}`;

/** How long a client should wait before asking again about a task the indexer has not caught up with. */
const NOT_INDEXED_RETRY_AFTER_SECONDS = 2;

function termsFromRow(row: IndexedTaskRow): TaskTerms {
  const executorKind = ExecutorKind[row.executorKind];
  if (executorKind === undefined) {
    throw new ApiProblem("upstream_failed", `The indexer reports an unknown executor kind "${row.executorKind}".`);
  }
  return {
    poster: getAddress(row.poster.id),
    token: getAddress(row.token),
    reward: BigInt(row.reward),
    claimBond: BigInt(row.claimBond),
    claimDeadline: Number(row.claimDeadline),
    executionWindow: Number(row.executionWindow),
    reviewWindow: Number(row.reviewWindow),
    feeBps: row.feeBps,
    executorKind,
    verifier: getAddress(row.verifier),
    verifierFee: BigInt(row.verifierFee),
    verifierConfigHash: row.verifierConfigHash.toLowerCase() as Hex,
    capabilitiesHash: row.capabilitiesHash.toLowerCase() as Hex,
    documentHash: row.documentHash.toLowerCase() as Hex,
    milestoneShares: row.milestoneShares.toLowerCase() as Hex,
  };
}

/**
 * The terms, options and capabilities of task `taskId`, read from the indexer and confirmed on the chain at
 * `blockNumber` (the latest block without one).
 *
 * - 404 when neither the indexer nor the chain knows the task.
 * - 503 `unavailable` with `Retry-After` when the chain has it and the indexer has not indexed it yet.
 * - 502 `upstream_failed` when the indexer's copy does not hash to the chain's commitment.
 */
export async function readTaskTerms(
  services: ChainAndIndexer,
  taskId: bigint,
  options: { blockNumber?: bigint } = {},
): Promise<TaskOnChain> {
  const answer = await services.subgraph.query<{ task: IndexedTaskRow | null }>(
    TERMS_SELECTION,
    { id: taskId.toString() },
    "($id: ID!)",
  );
  const row = answer.data.task;
  if (row === null) throw await notIndexedProblem(services, taskId);

  const terms = termsFromRow(row);
  const capabilities = row.capabilities.map((id) => id.toLowerCase() as Hex);
  const taskOptions: TaskOptions = {
    assigner: getAddress(row.assigner),
    subtaskBudget: BigInt(row.subtaskBudget),
    assignerConfigHash: row.assignerConfigHash.toLowerCase() as Hex,
  };
  if (capabilitiesHash(capabilities) !== terms.capabilitiesHash) {
    throw new ApiProblem(
      "upstream_failed",
      `The indexer's capability list of task ${taskId} does not hash to the capabilitiesHash of its terms.`,
    );
  }

  const market = { address: services.chain.address("taskMarket"), abi: PROTOCOL_ABIS.taskMarket } as const;
  const blockNumber = options.blockNumber;
  const [matches, liveOptions] = await readLive(() =>
    Promise.all([
      services.chain.client.readContract({
        ...market,
        functionName: "matchesTerms",
        args: [taskId, terms],
        blockNumber,
      }),
      services.chain.client.readContract({ ...market, functionName: "optionsOf", args: [taskId], blockNumber }),
    ]),
  );
  if (!matches) {
    throw new ApiProblem(
      "upstream_failed",
      `The indexer's copy of the terms of task ${taskId} does not match the market's commitment; the indexer may be ` +
        "on another branch of the chain. Retry later.",
      { headers: { "Retry-After": String(NOT_INDEXED_RETRY_AFTER_SECONDS) } },
    );
  }
  if (
    liveOptions.assigner.toLowerCase() !== taskOptions.assigner.toLowerCase() ||
    liveOptions.subtaskBudget !== taskOptions.subtaskBudget ||
    liveOptions.assignerConfigHash.toLowerCase() !== taskOptions.assignerConfigHash
  ) {
    throw new ApiProblem(
      "upstream_failed",
      `The indexer's copy of the options of task ${taskId} does not match the market's.`,
    );
  }
  return {
    taskId,
    terms,
    options: taskOptions,
    capabilities,
    documentURI: row.documentURI,
    indexedBlock: answer.block,
  };
}

/** 503 when the market has task `taskId` (the indexer is behind), 404 when it does not. */
export async function notIndexedProblem(services: ChainAndIndexer, taskId: bigint): Promise<ApiProblem> {
  const status = await readLive(() =>
    services.chain.client.readContract({
      address: services.chain.address("taskMarket"),
      abi: PROTOCOL_ABIS.taskMarket,
      functionName: "statusOf",
      args: [taskId],
    }),
  );
  if (status === 0) return new ApiProblem("not_found", `The market has no task ${taskId}.`);
  return new ApiProblem(
    "unavailable",
    `Task ${taskId} exists on the chain but is not indexed yet; retry in a few seconds.`,
    { headers: { "Retry-After": String(NOT_INDEXED_RETRY_AFTER_SECONDS) } },
  );
}

/** Whether `address` holds code at `blockNumber`: a verification or assignment module rather than an account. */
export async function isContract(services: ApiServices, address: Address, blockNumber?: bigint): Promise<boolean> {
  if (address === zeroAddress) return false;
  if (services.chain.contractAt(address) !== undefined) return true;
  const code = await readLive(() => services.chain.client.getCode({ address, blockNumber }));
  return code !== undefined && code !== "0x";
}
