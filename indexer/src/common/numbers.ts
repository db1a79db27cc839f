// Number helpers that keep arithmetic exact: basis points become decimals through their text form, and milestone
// amounts are computed exactly as the market computes them.
import { BigDecimal, BigInt, Bytes } from "@graphprotocol/graph-ts";

import { BPS } from "./constants";

/** `bps / 10,000` as an exact decimal ("0.625" for 6,250). */
export function bpsToDecimal(bps: i32): BigDecimal {
  if (bps >= BPS) return BigDecimal.fromString((bps / BPS).toString() + "." + padded(bps % BPS, 4));
  return BigDecimal.fromString("0." + padded(bps, 4));
}

function padded(value: i32, digits: i32): string {
  let text = value.toString();
  while (text.length < digits) text = "0" + text;
  return text;
}

/** A ratio of two counts as a decimal with four places (rounded down); null when `count` is zero. */
export function averageOf(sum: i32, count: i32): BigDecimal | null {
  if (count == 0) return null;
  const scaled = (<i64>sum * 10_000) / <i64>count;
  return BigDecimal.fromString((scaled / 10_000).toString() + "." + padded(<i32>(scaled % 10_000), 4));
}

/** `amount × shareBps / 10,000`, rounded down; exactly `amount` at 10,000 (the market's `gross`). */
export function shareOf(amount: BigInt, shareBps: i32): BigInt {
  if (shareBps == BPS) return amount;
  return amount.times(BigInt.fromI32(shareBps)).div(BigInt.fromI32(BPS));
}

/**
 * The milestone shares packed in `TaskTerms.milestoneShares`: 16 lanes of 16 bits, the first in the most significant
 * bits, read up to the first zero lane (the market rejected any other layout at creation).
 */
export function unpackMilestoneShares(packed: Bytes): i32[] {
  const shares: i32[] = [];
  if (packed.length != 32) return shares;
  for (let lane = 0; lane < 16; lane++) {
    const share = ((<i32>packed[lane * 2]) << 8) | (<i32>packed[lane * 2 + 1]);
    if (share == 0) break;
    shares.push(share);
  }
  return shares;
}

/** What milestones before `index` paid: the sum of their rounded-down shares of `reward` (`_paidBefore`). */
export function paidBefore(reward: BigInt, shares: i32[], index: i32): BigInt {
  let paid = BigInt.zero();
  for (let i = 0; i < index && i < shares.length; i++) {
    paid = paid.plus(shareOf(reward, shares[i]));
  }
  return paid;
}

export function maxBigInt(a: BigInt, b: BigInt): BigInt {
  return a.gt(b) ? a : b;
}

export function minBigInt(a: BigInt, b: BigInt): BigInt {
  return a.lt(b) ? a : b;
}

/** Whether `a` is set and holds the same bytes as `b`. */
export function sameBytes(a: Bytes | null, b: Bytes): boolean {
  if (a === null) return false;
  return changetype<Bytes>(a).equals(b);
}
