// The payment ledger: one immutable `Payment` per movement of funds (docs/subgraph.md, "The payment ledger").
import { BigInt, Bytes, log } from "@graphprotocol/graph-ts";

import { Payment } from "../../generated/schema";
import { Context } from "./context";

export class PaymentDetails {
  task: string | null = null;
  dispute: string | null = null;
  debited: Bytes | null = null;
  credited: Bytes | null = null;

  static forTask(task: string): PaymentDetails {
    const details = new PaymentDetails();
    details.task = task;
    return details;
  }

  withDispute(dispute: string | null): PaymentDetails {
    this.dispute = dispute;
    return this;
  }

  withDebited(account: Bytes | null): PaymentDetails {
    this.debited = account;
    return this;
  }

  withCredited(account: Bytes | null): PaymentDetails {
    this.credited = account;
    return this;
  }
}

/**
 * Records `amount` of `token` moving from `from` to `to` (the same address for a movement inside a contract). A zero
 * amount moves nothing and records nothing; the payment is returned otherwise.
 */
export function recordPayment(
  ctx: Context,
  kind: string,
  from: Bytes,
  to: Bytes | null,
  token: Bytes,
  amount: BigInt,
  details: PaymentDetails,
): Payment | null {
  if (amount.isZero()) return null;
  const stats = ctx.stats();
  const payment = new Payment(ctx.nextRecordId());
  payment.kind = kind;
  payment.contract = ctx.contract;
  payment.from = from;
  payment.to = to;
  payment.token = token;
  payment.amount = amount;
  payment.debited = details.debited;
  payment.credited = details.credited;
  payment.task = details.task;
  payment.dispute = details.dispute;
  payment.sequence = stats.paymentCount;
  payment.timestamp = ctx.timestamp;
  payment.blockNumber = ctx.blockNumber;
  payment.logIndex = ctx.event.logIndex;
  payment.transaction = ctx.transactionHash();
  payment.save();
  stats.paymentCount = stats.paymentCount.plus(BigInt.fromI32(1));
  ctx.daily().payments += 1;
  return payment;
}

/** No task, dispute or accounts to name. */
export function noDetails(): PaymentDetails {
  return new PaymentDetails();
}

/**
 * A payment the contract could not push (a failed transfer) stays with it as `account`'s credit in `token`: the same
 * bookkeeping for every contract that keeps credits.
 */
export function creditAccount(ctx: Context, account: Bytes, token: Bytes, amount: BigInt): void {
  const credit = ctx.credit(ctx.contract, account, token);
  credit.amount = credit.amount.plus(amount);
  credit.totalCredited = credit.totalCredited.plus(amount);
  recordPayment(ctx, "Credit", account, ctx.contract, token, amount, noDetails().withCredited(account));
}

/** `account` withdraws its whole credit in `token` to `to` (every contract's `withdraw` pays the whole credit). */
export function withdrawCredit(ctx: Context, account: Bytes, token: Bytes, to: Bytes, amount: BigInt): void {
  const credit = ctx.credit(ctx.contract, account, token);
  if (credit.amount != amount) {
    log.warning("CreditWithdrawn of {} for {} in {} at {}, but the indexed credit is {}.", [
      amount.toString(),
      account.toHexString(),
      token.toHexString(),
      ctx.contract.toHexString(),
      credit.amount.toString(),
    ]);
  }
  credit.amount = BigInt.zero();
  credit.totalWithdrawn = credit.totalWithdrawn.plus(amount);
  recordPayment(ctx, "CreditWithdrawal", ctx.contract, to, token, amount, noDetails().withDebited(account));
}
