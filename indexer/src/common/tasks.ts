// The market's task state, mirrored: flags, the reward the task pays now, milestone amounts and `unpaidRewardOf`, each
// computed with the formula of contracts/abstracts/TaskMarketCore.sol.
import { BigInt, Bytes } from "@graphprotocol/graph-ts";

import { Claim, Submission, Task } from "../../generated/schema";
import {
  FLAG_EXECUTOR_CONSENTED_TO_CANCEL,
  FLAG_EXECUTOR_RATED,
  FLAG_EXTENDED,
  FLAG_POSTER_CONSENTED_TO_CANCEL,
  FLAG_POSTER_RATED,
  FLAG_REJECTED,
  FLAG_REJECTED_AFTER_DEADLINE,
  FLAG_VERIFIER_PAID,
  zeroAddress,
} from "./constants";
import { claimKey, submissionKey } from "./ids";
import { paidBefore, shareOf } from "./numbers";

/** Writes `TaskState.flags` and the booleans that unpack it. */
export function setFlags(task: Task, flags: i32): void {
  task.flags = flags;
  task.rejected = (flags & FLAG_REJECTED) != 0;
  task.posterConsentedToCancel = (flags & FLAG_POSTER_CONSENTED_TO_CANCEL) != 0;
  task.executorConsentedToCancel = (flags & FLAG_EXECUTOR_CONSENTED_TO_CANCEL) != 0;
  task.posterRated = (flags & FLAG_POSTER_RATED) != 0;
  task.executorRated = (flags & FLAG_EXECUTOR_RATED) != 0;
  task.rejectedAfterDeadline = (flags & FLAG_REJECTED_AFTER_DEADLINE) != 0;
  task.verifierFeePaid = (flags & FLAG_VERIFIER_PAID) != 0;
  task.extended = (flags & FLAG_EXTENDED) != 0;
}

/** `_reward`: the terms' reward, less what was released at assignment and what subtasks drew from it. */
export function currentReward(task: Task): BigInt {
  if ((task.flags & FLAG_EXTENDED) == 0) return task.reward;
  return task.reward.minus(task.released).minus(task.drawn);
}

/** `_unpaidReward`, the formula of the `unpaidRewardOf` view. */
export function unpaidRewardOf(task: Task): BigInt {
  const reward = currentReward(task);
  const shares = task.milestoneSharesBps;
  if (shares.length == 0) return reward;
  const verified = task.milestonesVerified;
  if (verified == shares.length) return BigInt.zero();
  return reward.minus(paidBefore(reward, shares, verified));
}

/** The amount of the submission under review (`_settlementOf`): the reward, or the current milestone's part of it. */
export function submissionAmount(task: Task): BigInt {
  const reward = currentReward(task);
  const shares = task.milestoneSharesBps;
  if (shares.length == 0) return reward;
  const index = task.milestonesVerified;
  if (index + 1 >= shares.length) return reward.minus(paidBefore(reward, shares, index));
  return shareOf(reward, shares[index]);
}

/** Recomputes the fields derived from the funding record and the milestones paid. */
export function refreshFunding(task: Task): void {
  task.price = task.reward.minus(task.released);
  task.unpaidReward = unpaidRewardOf(task);
}

export function isSubtask(task: Task): boolean {
  return task.parent !== null;
}

/** The account that verifies: `terms.verifier`, or the poster when it is zero. */
export function verifierOf(task: Task): Bytes {
  return task.verifier == zeroAddress() ? task.poster : task.verifier;
}

export function latestSubmission(task: Task): Submission | null {
  const id = task.latestSubmission;
  if (id === null) return null;
  return Submission.load(id);
}

/** The current (or last) claim of the task. */
export function currentClaim(task: Task): Claim | null {
  if (task.claimCount == 0) return null;
  return Claim.load(claimKey(task.taskId, task.claimCount));
}

export function submissionId(task: Task, number: i32): string {
  return submissionKey(task.taskId, number);
}
