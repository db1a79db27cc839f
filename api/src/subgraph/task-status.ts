// A task's status as `statusOf` would return it, from what the indexer stores. The indexer keeps the stored status
// (`stateOf`): outcomes that depend only on the clock (a claim deadline passing, a claim lapsing, a review window or a
// hold running out) are never written by the contract, so they are applied here, at a given time, with the
// contract's rules (contracts/abstracts/TaskMarketCore.sol `_statusOf`; deadlines are inclusive). Reads take that time
// from the block they reflect, so the status and the rest of the answer describe the same moment.
import { TASK_STATUS_NAMES, type TaskStatusName } from "../../../src/protocol/terms.ts";

/** The statuses a task can be in once it exists (`None` is the status of an id never created). */
export const EXISTING_TASK_STATUS_NAMES = TASK_STATUS_NAMES.filter(
  (name): name is Exclude<TaskStatusName, "None"> => name !== "None",
);
export type ExistingTaskStatusName = (typeof EXISTING_TASK_STATUS_NAMES)[number];

/** What the indexer stores of a task's state and terms that the status depends on. */
export interface StoredTaskTimes {
  status: TaskStatusName;
  claimDeadline: number;
  executionDeadline: number;
  reviewDeadline: number;
}

/** `statusOf` at time `now` (Unix seconds) for a task stored as `task`. */
export function deriveTaskStatus(task: StoredTaskTimes, now: number): TaskStatusName {
  switch (task.status) {
    case "Posted":
      return now > task.claimDeadline ? "Expired" : "Posted";
    case "Claimed":
    case "InProgress":
      if (now <= task.executionDeadline) return task.status;
      // The claim lapsed: the task is open again until its claim deadline.
      return now > task.claimDeadline ? "Expired" : "Posted";
    case "Submitted":
    case "Disputed":
      return now > task.reviewDeadline ? "Verified" : task.status;
    default:
      return task.status;
  }
}

type TaskFilter = Record<string, unknown>;

/**
 * The indexer filter (`Task_filter`) for tasks whose `statusOf` at `now` is `status`: the stored statuses that lead
 * to it, with the deadlines that decide between them.
 */
export function statusFilter(status: ExistingTaskStatusName, now: number): TaskFilter[] {
  const at = String(now);
  switch (status) {
    case "Posted":
      return [
        { status: "Posted", claimDeadline_gte: at },
        { status_in: ["Claimed", "InProgress"], executionDeadline_lt: at, claimDeadline_gte: at },
      ];
    case "Claimed":
    case "InProgress":
      return [{ status, executionDeadline_gte: at }];
    case "Submitted":
    case "Disputed":
      return [{ status, reviewDeadline_gte: at }];
    case "Verified":
      // `Verified` is never stored (every decision settles in the same transaction), only derived.
      return [{ status: "Verified" }, { status_in: ["Submitted", "Disputed"], reviewDeadline_lt: at }];
    case "Expired":
      return [
        { status: "Expired" },
        { status: "Posted", claimDeadline_lt: at },
        { status_in: ["Claimed", "InProgress"], executionDeadline_lt: at, claimDeadline_lt: at },
      ];
    case "Settled":
    case "Cancelled":
      return [{ status }];
  }
}

/** A filter for tasks whose `statusOf` at `now` is any of `statuses`: one `or` to put inside an `and`. */
export function statusesFilter(statuses: readonly ExistingTaskStatusName[], now: number): TaskFilter {
  return { or: [...new Set(statuses)].flatMap((status) => statusFilter(status, now)) };
}
