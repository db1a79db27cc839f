// The reputation score (docs/subgraph.md, "Reputation score"): value-weighted success with a prior.
//
// Every outcome of an executor's work enters with a weight: the amount at stake over the average reward of the tasks
// in its token (millionths of a typical task, capped at `MAX_OUTCOME_WEIGHT`). A settlement adds its weight times the
// executor's share to the successes and the rest to the failures; a lapsed claim adds its weight to the failures; a
// lost dispute adds its weight again as a penalty. The score is
//
//   (successes + PRIOR_WEIGHT × PRIOR_MEAN) / (successes + failures + penalties + PRIOR_WEIGHT)
//
// in integer arithmetic, so that it is the same on every indexer. Every change is recorded as a `ReputationEvent`.
import { BigInt, Bytes } from "@graphprotocol/graph-ts";

import { Account, ReputationEvent, Task } from "../../generated/schema";
import { BPS, MAX_OUTCOME_WEIGHT, PRIOR_MEAN_BPS, PRIOR_WEIGHT, WEIGHT_UNIT } from "./constants";
import { Context } from "./context";
import { bpsToDecimal, minBigInt } from "./numbers";

/** The weight of an outcome of `amount` in `token`, in millionths of the average task reward in that token. */
export function outcomeWeight(ctx: Context, token: Bytes, amount: BigInt): BigInt {
  const stats = ctx.token(token);
  if (stats.taskCount == 0 || stats.totalRewardPosted.isZero()) return BigInt.fromI64(WEIGHT_UNIT);
  const weight = amount
    .times(BigInt.fromI64(WEIGHT_UNIT))
    .times(BigInt.fromI32(stats.taskCount))
    .div(stats.totalRewardPosted);
  return minBigInt(weight, BigInt.fromI64(MAX_OUTCOME_WEIGHT));
}

/** The score, in basis points, of the weights given. */
export function scoreBps(success: BigInt, failure: BigInt, penalty: BigInt): i32 {
  const prior = BigInt.fromI64(PRIOR_WEIGHT);
  const priorSuccess = BigInt.fromI64((PRIOR_WEIGHT * PRIOR_MEAN_BPS) / BPS);
  const numerator = success.plus(priorSuccess).times(BigInt.fromI32(BPS));
  const denominator = success.plus(failure).plus(penalty).plus(prior);
  return numerator.div(denominator).toI32();
}

function rescore(account: Account): void {
  const bps = scoreBps(
    account.reputationSuccessWeight,
    account.reputationFailureWeight,
    account.reputationPenaltyWeight,
  );
  account.reputationScoreBps = bps;
  account.reputationScore = bpsToDecimal(bps);
}

function record(
  ctx: Context,
  account: Account,
  kind: string,
  task: Task | null,
  weight: BigInt,
  value: i32,
  scoreBefore: i32,
): void {
  const entry = new ReputationEvent(ctx.nextRecordId());
  entry.account = account.id;
  entry.kind = kind;
  if (task !== null) entry.task = task.id;
  entry.weight = weight;
  entry.value = value;
  entry.scoreBpsBefore = scoreBefore;
  entry.scoreBpsAfter = account.reputationScoreBps;
  entry.timestamp = ctx.timestamp;
  entry.blockNumber = ctx.blockNumber;
  entry.transaction = ctx.transactionHash();
  entry.save();
  const stats = ctx.stats();
  stats.reputationEventCount = stats.reputationEventCount.plus(BigInt.fromI32(1));
}

/** An outcome of the executor's work: `weight` split between success and failure by the executor's share. */
export function recordOutcome(
  ctx: Context,
  executor: Bytes,
  kind: string,
  task: Task,
  weight: BigInt,
  shareBps: i32,
): void {
  const account = ctx.account(executor);
  const before = account.reputationScoreBps;
  const success = weight.times(BigInt.fromI32(shareBps)).div(BigInt.fromI32(BPS));
  account.reputationSuccessWeight = account.reputationSuccessWeight.plus(success);
  account.reputationFailureWeight = account.reputationFailureWeight.plus(weight.minus(success));
  account.reputationOutcomes += 1;
  rescore(account);
  record(ctx, account, kind, task, weight, shareBps, before);
}

/** A penalty of `weight` (a lost dispute). */
export function recordPenalty(ctx: Context, executor: Bytes, kind: string, task: Task, weight: BigInt): void {
  const account = ctx.account(executor);
  const before = account.reputationScoreBps;
  account.reputationPenaltyWeight = account.reputationPenaltyWeight.plus(weight);
  rescore(account);
  record(ctx, account, kind, task, weight, 0, before);
}

/** A change to a record's counters that does not move the score (ratings, a poster's tasks, a dispute won). */
export function recordCounter(ctx: Context, address: Bytes, kind: string, task: Task | null, value: i32): void {
  const account = ctx.account(address);
  record(ctx, account, kind, task, BigInt.zero(), value, account.reputationScoreBps);
}
