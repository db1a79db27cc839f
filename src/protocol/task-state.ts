// A task's live state as the market reports it. Every view is read at one block, so that the status, the stored
// state, the submission and the milestone progress describe the same moment: a client that read them at different
// blocks could see, say, a submission hash from after the status it shows.
import type { Address, Hex, PublicClient } from "viem";

import { taskMarketAbi } from "./abis.ts";
import { TaskStatus } from "./terms.ts";

/** `TaskState` as `stateOf` returns it: the status as last written, the executor and the deadlines. */
export interface StoredTaskState {
  status: TaskStatus;
  executor: Address;
  executionDeadline: number;
  reviewDeadline: number;
  flags: number;
}

/** The market's views of one task at one block. */
export interface TaskStateAt {
  /** `statusOf`: time-based outcomes (expiry, a lapsed claim, a silent review) applied at the block. */
  status: TaskStatus;
  state: StoredTaskState;
  /** `submissionOf`: the latest result hash (zero without a delegated verifier or before a submission). */
  submissionHash: Hex;
  milestonesVerified: number;
  heldAt: number;
  holdShareBps: number;
}

/** Task `taskId` of the market at `market` as of block `blockNumber`; undefined when the market has no such task. */
export async function readTaskState(
  client: PublicClient,
  market: Address,
  taskId: bigint,
  blockNumber: bigint,
): Promise<TaskStateAt | undefined> {
  const contract = { address: market, abi: taskMarketAbi, blockNumber } as const;
  const [status, state, submissionHash, progress] = await Promise.all([
    client.readContract({ ...contract, functionName: "statusOf", args: [taskId] }),
    client.readContract({ ...contract, functionName: "stateOf", args: [taskId] }),
    client.readContract({ ...contract, functionName: "submissionOf", args: [taskId] }),
    client.readContract({ ...contract, functionName: "progressOf", args: [taskId] }),
  ]);
  return taskStateFromViews(status, state, submissionHash, progress);
}

/** What the four views answered, decoded, as a {@link TaskStateAt}; undefined when the market has no such task. */
export function taskStateFromViews(
  status: number,
  state: {
    status: number;
    executor: Address;
    executionDeadline: number | bigint;
    reviewDeadline: number | bigint;
    flags: number | bigint;
  },
  submissionHash: Hex,
  progress: readonly [number | bigint, number | bigint, number | bigint],
): TaskStateAt | undefined {
  if (status === TaskStatus.None) return undefined;
  const [milestonesVerified, heldAt, holdShareBps] = progress;
  return {
    status: status as TaskStatus,
    state: {
      status: state.status as TaskStatus,
      executor: state.executor,
      executionDeadline: Number(state.executionDeadline),
      reviewDeadline: Number(state.reviewDeadline),
      flags: Number(state.flags),
    },
    submissionHash,
    milestonesVerified: Number(milestonesVerified),
    heldAt: Number(heldAt),
    holdShareBps: Number(holdShareBps),
  };
}
