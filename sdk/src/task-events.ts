// The events that tell a task's story: the market's, the verification modules' and the assignment modules' (bids,
// applications, awards), each event signature once. A log belongs to a task when one of its arguments names it
// (`taskId`, or `parentId`/`subtaskId` for subtask events).
import type { Abi, AbiEvent, Address, Hash } from "viem";
import { formatAbiItem } from "viem/utils";

import {
  applicationBoardAbi,
  attestationModuleAbi,
  gatedClaimAbi,
  optimisticModuleAbi,
  proofModuleAbi,
  reverseAuctionAbi,
  reviewModuleAbi,
  taskMarketAbi,
} from "../../src/protocol/abis.ts";

/** The contracts whose events `watchTask` follows, by deployment key. */
export const TASK_EVENT_SOURCES = {
  taskMarket: taskMarketAbi,
  reviewModule: reviewModuleAbi,
  attestationModule: attestationModuleAbi,
  optimisticModule: optimisticModuleAbi,
  proofModule: proofModuleAbi,
  gatedClaim: gatedClaimAbi,
  applicationBoard: applicationBoardAbi,
  reverseAuction: reverseAuctionAbi,
} as const;
export type TaskEventSource = keyof typeof TASK_EVENT_SOURCES;

/** Every event of those contracts, each signature once. */
export const TASK_EVENTS_ABI: Abi = (() => {
  const events = new Map<string, AbiEvent>();
  for (const abi of Object.values(TASK_EVENT_SOURCES) as readonly Abi[]) {
    for (const item of abi) if (item.type === "event") events.set(formatAbiItem(item), item);
  }
  return [...events.values()];
})();

/** The arguments that name a task in the events above. */
const TASK_ARGUMENTS = ["taskId", "parentId", "subtaskId"] as const;

/** One event of a task, decoded. */
export interface TaskEvent {
  eventName: string;
  args: Record<string, unknown>;
  /** Which contract emitted it. */
  source: TaskEventSource;
  address: Address;
  blockNumber: bigint;
  transactionHash: Hash;
  logIndex: number;
}

/** Whether decoded event arguments name `taskId`. */
export function namesTask(args: unknown, taskId: bigint): boolean {
  if (typeof args !== "object" || args === null) return false;
  const record = args as Record<string, unknown>;
  return TASK_ARGUMENTS.some((name) => record[name] === taskId);
}
