/**
 * The protocol's types and enums as a TypeScript client sees them, and typed readers over the market's views.
 *
 * The contracts are built by Hardhat, but `tsc` runs on a clean checkout before any build, so contract instances are
 * typed against a generic ABI and their reads return `unknown`. The types below give those reads a shape; they mirror
 * `contracts/types/TaskTypes.sol` and viem's decoding of it (integers up to 48 bits decode as `number`, wider ones as
 * `bigint`). `TaskTerms` and the enums come from src/protocol/terms.ts, the single definition every client shares.
 */
import type { ContractReturnType } from "@nomicfoundation/hardhat-viem/types";
import { zeroAddress } from "viem";
import type { Address, Hex } from "viem";

import { TaskStatus, type TaskTerms } from "../../../src/protocol/terms.js";

// The protocol's own types live in src/protocol/terms.ts, shared with every other client; re-exported here so that a
// test imports everything about the protocol from one place.
export {
  BPS,
  ExecutorKind,
  NO_MILESTONES,
  NO_OPTIONS,
  TaskStatus,
  milestoneAmounts,
  packMilestoneShares,
  unpackMilestoneShares,
  type TaskFunding,
  type TaskOptions,
  type TaskTerms,
} from "../../../src/protocol/terms.js";

export type TaskMarketContract = ContractReturnType<"TaskMarket">;
export type ExecutorRegistryContract = ContractReturnType<"ExecutorRegistry">;
export type MockERC20Contract = ContractReturnType<"MockERC20">;
export type RejectingExecutorContract = ContractReturnType<"RejectingExecutor">;

export const ETH: Address = zeroAddress;

export const Eligibility = {
  Eligible: 0,
  NotRegistered: 1,
  Inactive: 2,
  KindMismatch: 3,
  MissingCapability: 4,
} as const;
export type Eligibility = (typeof Eligibility)[keyof typeof Eligibility];

export interface TaskState {
  executor: Address;
  status: TaskStatus;
  executionDeadline: number;
  reviewDeadline: number;
  flags: number;
}

export interface ExecutorRecord {
  completed: number;
  expired: number;
  rejected: number;
  disputesWon: number;
  disputesLost: number;
  ratingSum: number;
  ratingCount: number;
}

export interface PosterRecord {
  posted: number;
  settled: number;
  cancelled: number;
  expired: number;
  ratingSum: number;
  ratingCount: number;
}

export const EMPTY_EXECUTOR_RECORD: ExecutorRecord = {
  completed: 0,
  expired: 0,
  rejected: 0,
  disputesWon: 0,
  disputesLost: 0,
  ratingSum: 0,
  ratingCount: 0,
};

export const EMPTY_POSTER_RECORD: PosterRecord = {
  posted: 0,
  settled: 0,
  cancelled: 0,
  expired: 0,
  ratingSum: 0,
  ratingCount: 0,
};

// Capability ids, their order and their list hash, as src/protocol/capabilities.ts computes them for the API and the
// SDK, under the names the tests use.
export {
  capabilityId,
  sortCapabilityIds as sortCapabilities,
  capabilitiesHash as hashCapabilities,
} from "../../../src/protocol/capabilities.js";

/** The fee the market keeps from `reward` at `feeBps`, rounded down as the contract does. */
export function feeOf(reward: bigint, feeBps: number): bigint {
  return (reward * BigInt(feeBps)) / 10_000n;
}

export async function statusOf(market: TaskMarketContract, taskId: bigint): Promise<TaskStatus> {
  return (await market.read.statusOf([taskId])) as TaskStatus;
}

export async function stateOf(market: TaskMarketContract, taskId: bigint): Promise<TaskState> {
  return (await market.read.stateOf([taskId])) as TaskState;
}

export async function executorRecordOf(market: TaskMarketContract, account: Address): Promise<ExecutorRecord> {
  return { ...((await market.read.executorRecordOf([account])) as ExecutorRecord) };
}

export async function posterRecordOf(market: TaskMarketContract, account: Address): Promise<PosterRecord> {
  return { ...((await market.read.posterRecordOf([account])) as PosterRecord) };
}

export async function earnedOf(market: TaskMarketContract, executor: Address, token: Address): Promise<bigint> {
  return (await market.read.earnedOf([executor, token])) as bigint;
}

export async function creditOf(market: TaskMarketContract, account: Address, token: Address): Promise<bigint> {
  return (await market.read.creditOf([account, token])) as bigint;
}

export async function accruedFeesOf(market: TaskMarketContract, token: Address): Promise<bigint> {
  return (await market.read.accruedFeesOf([token])) as bigint;
}

export async function matchesTerms(market: TaskMarketContract, taskId: bigint, terms: TaskTerms): Promise<boolean> {
  return (await market.read.matchesTerms([taskId, terms])) as boolean;
}

/** `progressOf`: the milestones settled so far, and when the current hold was placed and its default share. */
export interface TaskProgress {
  milestonesVerified: number;
  heldAt: number;
  holdShareBps: number;
}

export async function progressOf(market: TaskMarketContract, taskId: bigint): Promise<TaskProgress> {
  const [milestonesVerified, heldAt, holdShareBps] = (await market.read.progressOf([taskId])) as readonly [
    number,
    number,
    number,
  ];
  return { milestonesVerified, heldAt, holdShareBps };
}

export async function submissionOf(market: TaskMarketContract, taskId: bigint): Promise<Hex> {
  return (await market.read.submissionOf([taskId])) as Hex;
}

export async function unpaidRewardOf(market: TaskMarketContract, taskId: bigint, terms: TaskTerms): Promise<bigint> {
  return (await market.read.unpaidRewardOf([taskId, terms])) as bigint;
}
