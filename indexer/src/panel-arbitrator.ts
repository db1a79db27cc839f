// The PanelArbitrator data source: an ERC-792 arbitrator in which a panel of arbiters votes and the first ruling to
// reach a majority is final (docs/disputes.md, "PanelArbitrator"). Fees are credited to the arbiters who voted for the
// ruling, or back to the arbitrable when no majority formed, and withdrawn with `withdraw`.
import { BigInt, Bytes, log } from "@graphprotocol/graph-ts";

import {
  AppealDecision,
  AppealPossible,
  ArbiterAdded,
  ArbiterRemoved,
  ArbitrationFeeUpdated,
  DisputeClosedUnresolved,
  DisputeCreation,
  DisputeSolved,
  OwnershipTransferStarted,
  OwnershipTransferred,
  RulingDeliveryFailed,
  VoteCast,
  VotingPeriodUpdated,
  Withdrawn,
} from "../generated/PanelArbitrator/PanelArbitrator";
import { Arbiter, Arbitrator, ArbitratorDispute, Vote } from "../generated/schema";
import { zeroAddress } from "./common/constants";
import { ownershipTransferStarted, ownershipTransferred, recordContractEvent } from "./common/contracts";
import { Context } from "./common/context";
import { newArbitratorDispute } from "./common/disputable";
import { arbitratorDisputeKey, pairKey } from "./common/ids";
import { noDetails, PaymentDetails, recordPayment } from "./common/payments";

const CONTRACT_NAME = "PanelArbitrator";

function panelOf(ctx: Context): Arbitrator {
  let panel = Arbitrator.load(ctx.contract);
  if (panel === null) {
    panel = new Arbitrator(ctx.contract);
    panel.arbiterCount = 0;
    panel.disputeCount = 0;
  }
  return panel;
}

function disputeOf(ctx: Context, disputeId: BigInt): ArbitratorDispute {
  const record = ArbitratorDispute.load(arbitratorDisputeKey(ctx.contract, disputeId));
  if (record === null) {
    // `createDispute` emits `DisputeCreation` before anything can act on a dispute.
    log.critical("Dispute {} of the panel {} is not indexed.", [disputeId.toString(), ctx.contract.toHexString()]);
  }
  return changetype<ArbitratorDispute>(record);
}

function arbiterOf(ctx: Context, account: Bytes): Arbiter {
  const id = pairKey(ctx.contract, account);
  let arbiter = Arbiter.load(id);
  if (arbiter === null) {
    ctx.account(account);
    arbiter = new Arbiter(id);
    arbiter.arbitrator = ctx.contract;
    arbiter.account = account;
    arbiter.active = false;
    arbiter.votes = 0;
    arbiter.feesEarned = BigInt.zero();
    arbiter.addedAt = ctx.timestamp;
  }
  return arbiter;
}

/** Whether id `a` sorts before id `b` (history ids sort in chain order as unsigned bytes). */
function isBefore(a: Bytes, b: Bytes): boolean {
  const length = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < length; i++) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return a.length < b.length;
}

export function handleDisputeCreation(event: DisputeCreation): void {
  const ctx = new Context(event);
  const p = event.params;
  const panel = panelOf(ctx);
  const record = newArbitratorDispute(ctx, ctx.contract, p.disputeId, p.arbitrable);
  record.panel = panel.id;
  // `createDispute` takes exactly the current fee. The constructor's fee is in no event: until an event reveals it,
  // the arbitrable's own events (a disputable module's `ArbitrationStarted`, next in this transaction) fill it in.
  const fee = panel.arbitrationFee;
  record.fee = fee;
  const period = panel.votingPeriod;
  if (period !== null) record.votingDeadline = ctx.timestamp.plus(period);
  if (fee !== null) {
    recordPayment(ctx, "ArbitrationFee", p.arbitrable, ctx.contract, zeroAddress(), fee, noDetails());
    record.feeRecorded = true;
  }
  record.save();
  panel.disputeCount += 1;
  panel.save();
  ctx.save();
}

export function handleVoteCast(event: VoteCast): void {
  const ctx = new Context(event);
  const p = event.params;
  const record = disputeOf(ctx, p.disputeId);
  const vote = new Vote(ctx.nextRecordId());
  vote.arbitratorDispute = record.id;
  vote.arbiter = p.arbiter;
  vote.ruling = p.ruling;
  vote.timestamp = ctx.timestamp;
  vote.transaction = ctx.transactionHash();
  vote.save();
  record.voteCount += 1;
  record.save();
  const arbiter = arbiterOf(ctx, p.arbiter);
  arbiter.votes += 1;
  arbiter.save();
  ctx.account(p.arbiter).votesCast += 1;
  ctx.save();
}

/**
 * A ruling reached the majority: `_shareFee` credits the fee to the arbiters who voted for it, in the order they voted,
 * `fee / winners` each and the remainder to the last.
 */
export function handleDisputeSolved(event: DisputeSolved): void {
  const ctx = new Context(event);
  const p = event.params;
  const record = disputeOf(ctx, p.disputeId);
  record.solved = true;
  record.ruling = p.ruling;
  record.votesForRuling = p.votesForRuling;

  const fee = record.fee;
  if (fee === null) {
    log.warning("Dispute {} of the panel was solved, but its fee is in no event: the arbiters' shares are unknown.", [
      p.disputeId.toString(),
    ]);
  } else if (!fee.isZero()) {
    const votes = record.votes.load();
    // In the order the votes were cast: ids sort in chain order.
    for (let i = 1; i < votes.length; i++) {
      const vote = votes[i];
      let j = i - 1;
      while (j >= 0 && isBefore(vote.id, votes[j].id)) {
        votes[j + 1] = votes[j];
        j--;
      }
      votes[j + 1] = vote;
    }
    const winners = p.votesForRuling;
    const share = fee.div(winners);
    let paid = BigInt.zero();
    let found = BigInt.zero();
    for (let i = 0; i < votes.length; i++) {
      if (votes[i].ruling != p.ruling) continue;
      found = found.plus(BigInt.fromI32(1));
      const amount = found == winners ? fee.minus(paid) : share;
      paid = paid.plus(amount);
      const voter = votes[i].arbiter;
      const credit = ctx.credit(ctx.contract, voter, zeroAddress());
      credit.amount = credit.amount.plus(amount);
      credit.totalCredited = credit.totalCredited.plus(amount);
      const arbiter = arbiterOf(ctx, voter);
      arbiter.feesEarned = arbiter.feesEarned.plus(amount);
      arbiter.save();
      const details = new PaymentDetails();
      details.dispute = record.dispute;
      details.credited = voter;
      recordPayment(ctx, "ArbiterFeeShare", ctx.contract, ctx.contract, zeroAddress(), amount, details);
    }
  }
  record.save();
  ctx.save();
}

export function handleRulingDeliveryFailed(event: RulingDeliveryFailed): void {
  const ctx = new Context(event);
  const record = disputeOf(ctx, event.params.disputeId);
  record.deliveryFailed = true;
  record.save();
  ctx.save();
}

/** No majority by the deadline: the fee is credited back to the arbitrable. */
export function handleDisputeClosedUnresolved(event: DisputeClosedUnresolved): void {
  const ctx = new Context(event);
  const p = event.params;
  const record = disputeOf(ctx, p.disputeId);
  record.closedUnresolved = true;
  if (record.fee === null) record.fee = p.refund;
  const arbitrable = record.arbitrable;
  const credit = ctx.credit(ctx.contract, arbitrable, zeroAddress());
  credit.amount = credit.amount.plus(p.refund);
  credit.totalCredited = credit.totalCredited.plus(p.refund);
  const details = new PaymentDetails();
  details.dispute = record.dispute;
  details.credited = arbitrable;
  recordPayment(ctx, "ArbitrationFeeRefund", ctx.contract, ctx.contract, zeroAddress(), p.refund, details);
  record.save();
  ctx.save();
}

export function handleWithdrawn(event: Withdrawn): void {
  const ctx = new Context(event);
  const p = event.params;
  const account = changetype<Bytes>(p.account);
  const credit = ctx.credit(ctx.contract, account, zeroAddress());
  if (credit.amount != p.amount) {
    log.warning("Withdrawn {} by {} from the panel, but the indexed credit is {}.", [
      p.amount.toString(),
      account.toHexString(),
      credit.amount.toString(),
    ]);
  }
  // `withdraw` pays the whole credit.
  credit.amount = BigInt.zero();
  credit.totalWithdrawn = credit.totalWithdrawn.plus(p.amount);
  recordPayment(
    ctx,
    "CreditWithdrawal",
    ctx.contract,
    account,
    zeroAddress(),
    p.amount,
    noDetails().withDebited(account),
  );
  ctx.save();
}

export function handleArbiterAdded(event: ArbiterAdded): void {
  const ctx = new Context(event);
  const panel = panelOf(ctx);
  const arbiter = arbiterOf(ctx, event.params.arbiter);
  arbiter.active = true;
  arbiter.addedAt = ctx.timestamp;
  arbiter.removedAt = null;
  arbiter.save();
  panel.arbiterCount += 1;
  panel.save();
  ctx.save();
}

export function handleArbiterRemoved(event: ArbiterRemoved): void {
  const ctx = new Context(event);
  const panel = panelOf(ctx);
  const arbiter = arbiterOf(ctx, event.params.arbiter);
  arbiter.active = false;
  arbiter.removedAt = ctx.timestamp;
  arbiter.save();
  panel.arbiterCount -= 1;
  panel.save();
  ctx.save();
}

export function handleArbitrationFeeUpdated(event: ArbitrationFeeUpdated): void {
  const ctx = new Context(event);
  const p = event.params;
  const panel = panelOf(ctx);
  panel.arbitrationFee = p.newFee;
  panel.save();
  recordContractEvent(
    ctx,
    CONTRACT_NAME,
    "ArbitrationFeeUpdated",
    "previousFee=" + p.previousFee.toString() + ", newFee=" + p.newFee.toString(),
    null,
  ).save();
  ctx.save();
}

export function handleVotingPeriodUpdated(event: VotingPeriodUpdated): void {
  const ctx = new Context(event);
  const p = event.params;
  const panel = panelOf(ctx);
  panel.votingPeriod = p.newPeriod;
  panel.save();
  recordContractEvent(
    ctx,
    CONTRACT_NAME,
    "VotingPeriodUpdated",
    "previousPeriod=" + p.previousPeriod.toString() + ", newPeriod=" + p.newPeriod.toString(),
    null,
  ).save();
  ctx.save();
}

// The panel's rulings are final: ERC-792's appeal events are part of its ABI but never emitted. Recorded if they are.
export function handleAppealPossible(event: AppealPossible): void {
  const ctx = new Context(event);
  const p = event.params;
  recordContractEvent(
    ctx,
    CONTRACT_NAME,
    "AppealPossible",
    "disputeId=" + p.disputeId.toString() + ", arbitrable=" + p.arbitrable.toHexString(),
    null,
  ).save();
  ctx.save();
}

export function handleAppealDecision(event: AppealDecision): void {
  const ctx = new Context(event);
  const p = event.params;
  recordContractEvent(
    ctx,
    CONTRACT_NAME,
    "AppealDecision",
    "disputeId=" + p.disputeId.toString() + ", arbitrable=" + p.arbitrable.toHexString(),
    null,
  ).save();
  ctx.save();
}

export function handlePanelArbitratorOwnershipTransferStarted(event: OwnershipTransferStarted): void {
  const ctx = new Context(event);
  ownershipTransferStarted(ctx, CONTRACT_NAME, event.params.previousOwner, event.params.newOwner);
  ctx.save();
}

export function handlePanelArbitratorOwnershipTransferred(event: OwnershipTransferred): void {
  const ctx = new Context(event);
  ownershipTransferred(ctx, CONTRACT_NAME, event.params.previousOwner, event.params.newOwner);
  ctx.save();
}
