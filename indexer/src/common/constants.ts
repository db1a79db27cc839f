// Constants shared by the mappings: the contracts' own (bit flags, basis points, the disputable modules' rules), and
// the parameters of the reputation score, which docs/subgraph.md documents.
import { Address, BigInt, Bytes } from "@graphprotocol/graph-ts";

export const BPS: i32 = 10_000;
export const SECONDS_PER_DAY: i64 = 86_400;

// `TaskMarketCore` flags of `TaskState.flags`.
export const FLAG_REJECTED: i32 = 1 << 0;
export const FLAG_POSTER_CONSENTED_TO_CANCEL: i32 = 1 << 1;
export const FLAG_EXECUTOR_CONSENTED_TO_CANCEL: i32 = 1 << 2;
export const FLAG_POSTER_RATED: i32 = 1 << 3;
export const FLAG_EXECUTOR_RATED: i32 = 1 << 4;
export const FLAG_REJECTED_AFTER_DEADLINE: i32 = 1 << 5;
export const FLAG_VERIFIER_PAID: i32 = 1 << 6;
export const FLAG_EXTENDED: i32 = 1 << 7;
/** What a new claim keeps of the previous claim's flags. */
export const FLAGS_OF_THE_TASK: i32 = FLAG_VERIFIER_PAID | FLAG_EXTENDED;
export const FLAGS_REJECTION: i32 = FLAG_REJECTED | FLAG_REJECTED_AFTER_DEADLINE;
export const FLAGS_BOTH_CONSENTED: i32 = FLAG_POSTER_CONSENTED_TO_CANCEL | FLAG_EXECUTOR_CONSENTED_TO_CANCEL;

/** `DisputableModule.TREASURY_SHARE_BPS`: the share of a losing bond paid to the market's fee recipient. */
export const TREASURY_SHARE_BPS: i32 = 1_000;

/** The id of the `ProtocolStats` singleton. */
export const PROTOCOL_STATS_ID = "protocol";

// The reputation score (docs/subgraph.md, "Reputation score"). Weights are in millionths of a typical task: an
// outcome's weight is its amount over the average reward of tasks in its token, capped, so that value counts and no
// single task dominates; a prior of `PRIOR_WEIGHT` typical tasks at `PRIOR_MEAN_BPS` keeps one task from giving a
// perfect score.
export const WEIGHT_UNIT: i64 = 1_000_000;
export const MAX_OUTCOME_WEIGHT: i64 = 5 * WEIGHT_UNIT;
export const PRIOR_WEIGHT: i64 = 3 * WEIGHT_UNIT;
export const PRIOR_MEAN_BPS: i64 = 5_000;
/** A lost dispute costs its submission's weight again, on top of the share it lost. */
export const DISPUTE_LOSS_PENALTY_BPS: i64 = 10_000;

export function zeroAddress(): Bytes {
  return changetype<Bytes>(Address.zero());
}

export function zeroBytes32(): Bytes {
  return changetype<Bytes>(Bytes.fromHexString("0x0000000000000000000000000000000000000000000000000000000000000000"));
}

export function bigInt(value: i64): BigInt {
  return BigInt.fromI64(value);
}
