/**
 * The task types of `contracts/types/TaskTypes.sol`, for every TypeScript client of the contracts: the API, the SDK,
 * the scripts and the tests. Field order follows the Solidity struct, whose ABI encoding is hashed into each task's
 * commitment.
 */
import type { Address, Hex } from "viem";

export const ExecutorKind = { Any: 0, Human: 1, Agent: 2 } as const;
export type ExecutorKind = (typeof ExecutorKind)[keyof typeof ExecutorKind];

export const TaskStatus = {
  None: 0,
  Posted: 1,
  Claimed: 2,
  InProgress: 3,
  Submitted: 4,
  Verified: 5,
  Settled: 6,
  Cancelled: 7,
  Expired: 8,
  Disputed: 9,
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export type TaskStatusName = keyof typeof TaskStatus;

/** The status names in value order, so that `TASK_STATUS_NAMES[status]` names a `TaskStatus` value. */
export const TASK_STATUS_NAMES = Object.entries(TaskStatus)
  .sort(([, a], [, b]) => a - b)
  .map(([name]) => name) as [TaskStatusName, ...TaskStatusName[]];

/** The name of a `TaskStatus` value, e.g. `Posted`. */
export function taskStatusName(status: TaskStatus | number): TaskStatusName {
  const name = TASK_STATUS_NAMES[status];
  if (name === undefined) throw new RangeError(`no task status ${status}`);
  return name;
}

/** `TaskTerms`, field for field. */
export interface TaskTerms {
  poster: Address;
  token: Address;
  reward: bigint;
  claimBond: bigint;
  claimDeadline: number;
  executionWindow: number;
  reviewWindow: number;
  feeBps: number;
  executorKind: ExecutorKind;
  verifier: Address;
  verifierFee: bigint;
  verifierConfigHash: Hex;
  capabilitiesHash: Hex;
  documentHash: Hex;
  milestoneShares: Hex;
}

/**
 * `TaskOptions`, field for field: what `createTaskWithOptions` and `createSubtask` store beside a task's terms. Unlike
 * the terms, options are not passed back in later calls; the market reads them from storage.
 */
export interface TaskOptions {
  /** The assignment module that alone gives the task out; the zero address for a first-come claim. */
  assigner: Address;
  /** How much of the reward the executor may spend on subtasks; zero forbids subtasks. At most 2^96 - 1. */
  subtaskBudget: bigint;
  /** keccak256 of the ABI-encoded configuration of the assignment module for this task; zero without one. */
  assignerConfigHash: Hex;
}

/** `TaskFunding`: what has left a task's escrow before its settlement. */
export interface TaskFunding {
  /** Refunded to the poster when the task was first assigned below its reward. */
  released: bigint;
  /** Held by open subtasks or paid out through settled ones. */
  drawn: bigint;
  openSubtasks: number;
}

export const NO_OPTIONS: TaskOptions = {
  assigner: "0x0000000000000000000000000000000000000000",
  subtaskBudget: 0n,
  assignerConfigHash: `0x${"0".repeat(64)}`,
};

export const BPS = 10_000;
export const MAX_MILESTONES = 16;
export const NO_MILESTONES: Hex = `0x${"0".repeat(64)}`;

/**
 * Packs milestone shares (basis points, in order) into `TaskTerms.milestoneShares`: 16-bit lanes from the most
 * significant. The contract requires 2 to 16 non-zero shares summing to 10,000.
 */
export function packMilestoneShares(sharesBps: readonly number[]): Hex {
  if (sharesBps.length < 2 || sharesBps.length > MAX_MILESTONES) {
    throw new RangeError(`a task has 2 to ${MAX_MILESTONES} milestones, got ${sharesBps.length}`);
  }
  let total = 0;
  const lanes = sharesBps.map((share) => {
    if (!Number.isInteger(share) || share <= 0 || share > BPS) {
      throw new RangeError(`a milestone share is an integer from 1 to ${BPS} basis points, got ${share}`);
    }
    total += share;
    return share.toString(16).padStart(4, "0");
  });
  if (total !== BPS) throw new RangeError(`milestone shares must sum to ${BPS} basis points, got ${total}`);
  return `0x${lanes.join("").padEnd(64, "0")}`;
}

/** The shares packed in `TaskTerms.milestoneShares`, or an empty list for a single deliverable. */
export function unpackMilestoneShares(milestoneShares: Hex): number[] {
  const digits = milestoneShares.slice(2).padStart(64, "0");
  const shares: number[] = [];
  for (let lane = 0; lane < MAX_MILESTONES; lane++) {
    const share = Number.parseInt(digits.slice(lane * 4, lane * 4 + 4), 16);
    if (share === 0) break;
    shares.push(share);
  }
  return shares;
}

/**
 * The amount of each milestone of `reward`, as the contract pays it: each share rounded down, the last taking the
 * rest so that the milestones add up to the reward.
 */
export function milestoneAmounts(reward: bigint, milestoneShares: Hex): bigint[] {
  const shares = unpackMilestoneShares(milestoneShares);
  if (shares.length === 0) return [reward];
  const amounts = shares.slice(0, -1).map((share) => (BigInt(share) * reward) / BigInt(BPS));
  amounts.push(reward - amounts.reduce((sum, amount) => sum + amount, 0n));
  return amounts;
}
