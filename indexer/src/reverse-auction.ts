// The ReverseAuction data source: executors bid a price and an ETA, open or sealed, each depositing the claim bond (and
// a sealed bid's bid bond); the poster awards a bid or anyone finalizes with the automatic rule. The winner's claim
// bond leaves the module in the market's `TaskClaimed`; an unrevealed commitment's bid bond becomes the poster's
// credit here.
import { BigInt, Bytes, log } from "@graphprotocol/graph-ts";

import {
  AuctionAwarded,
  AuctionCancelled,
  AuctionConfigPublished,
  BidBondForfeited,
  BidCommitted,
  BidPlaced,
  BidRevealed,
  CreditWithdrawn,
  DependenciesMet,
  DependencyFailed,
  DepositWithdrawn,
} from "../generated/ReverseAuction/ReverseAuction";
import { Auction, Bid, Task } from "../generated/schema";
import { dependenciesMet, dependencyFailed, markAssignedBy, publishedConfig } from "./common/assignment";
import { Context } from "./common/context";
import { bidKey } from "./common/ids";
import { creditAccount, PaymentDetails, recordPayment, withdrawCredit } from "./common/payments";

const MODE = "ReverseAuction";

function auctionOf(ctx: Context, task: Task): Auction {
  let auction = Auction.load(task.id);
  if (auction === null) {
    auction = new Auction(task.id);
    auction.task = task.id;
    auction.module = ctx.contract;
    auction.token = task.token;
    auction.sealed = false;
    auction.bidCount = 0;
    auction.outcome = "None";
    task.auction = auction.id;
  }
  markAssignedBy(ctx, task, MODE);
  return auction;
}

function bidOf(ctx: Context, task: Task, auction: Auction, bidder: Bytes): Bid {
  const id = bidKey(task.taskId, bidder);
  let bid = Bid.load(id);
  if (bid === null) {
    ctx.account(bidder);
    bid = new Bid(id);
    bid.task = task.id;
    bid.auction = auction.id;
    bid.bidder = bidder;
    bid.status = "None";
    bid.sequence = BigInt.zero();
    bid.deposit = BigInt.zero();
    bid.bidBondForfeited = BigInt.zero();
    bid.createdAt = ctx.timestamp;
    auction.bidCount += 1;
  }
  bid.updatedAt = ctx.timestamp;
  return bid;
}

function existingBid(task: Task, bidder: Bytes): Bid {
  const bid = Bid.load(bidKey(task.taskId, bidder));
  if (bid === null) {
    // Every bid starts with `BidPlaced` or `BidCommitted`.
    log.critical("Bid of {} on task {} is not indexed.", [bidder.toHexString(), task.id]);
  }
  return changetype<Bid>(bid);
}

export function handleAuctionConfigPublished(event: AuctionConfigPublished): void {
  const ctx = new Context(event);
  const p = event.params;
  const c = p.config;
  const requirements = c.requirements;
  const config = publishedConfig(
    ctx,
    MODE,
    p.taskId,
    p.configHash,
    requirements.minCompleted,
    requirements.maxDisputesLostBps,
    requirements.dependencies,
  );
  config.biddingEnd = c.biddingEnd;
  config.revealEnd = c.revealEnd;
  config.bidBond = c.bidBond;
  config.priceWeightBps = c.priceWeightBps;
  config.awardWindow = c.awardWindow;
  config.save();
  const task = ctx.task(p.taskId);
  const auction = auctionOf(ctx, task);
  auction.sealed = !c.revealEnd.isZero();
  auction.save();
  ctx.save();
}

/** An open bid, or a lower price (and a new ETA) from a bidder already in. */
export function handleBidPlaced(event: BidPlaced): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const auction = auctionOf(ctx, task);
  const bid = bidOf(ctx, task, auction, p.bidder);
  bid.status = "Placed";
  bid.price = p.price;
  bid.eta = p.eta;
  bid.sequence = p.sequence;
  bid.deposit = bid.deposit.plus(p.deposit);
  bid.save();
  auction.save();
  recordPayment(ctx, "BidDeposit", p.bidder, ctx.contract, task.token, p.deposit, PaymentDetails.forTask(task.id));
  ctx.save();
}

/** A sealed commitment, or a replacement of one. */
export function handleBidCommitted(event: BidCommitted): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const auction = auctionOf(ctx, task);
  auction.sealed = true;
  const bid = bidOf(ctx, task, auction, p.bidder);
  bid.status = "Committed";
  bid.commitment = p.commitment;
  bid.sequence = p.sequence;
  bid.deposit = bid.deposit.plus(p.deposit);
  bid.save();
  auction.save();
  recordPayment(ctx, "BidDeposit", p.bidder, ctx.contract, task.token, p.deposit, PaymentDetails.forTask(task.id));
  ctx.save();
}

export function handleBidRevealed(event: BidRevealed): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const bid = existingBid(task, p.bidder);
  bid.status = "Placed";
  bid.price = p.price;
  bid.eta = p.eta;
  bid.updatedAt = ctx.timestamp;
  bid.save();
  ctx.save();
}

/** An unrevealed commitment's bid bond moves from its deposit to the poster's credit, inside the module. */
export function handleBidBondForfeited(event: BidBondForfeited): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const bid = existingBid(task, p.bidder);
  bid.status = "Forfeited";
  bid.deposit = bid.deposit.minus(p.amount);
  bid.bidBondForfeited = bid.bidBondForfeited.plus(p.amount);
  bid.updatedAt = ctx.timestamp;
  bid.save();
  const poster = changetype<Bytes>(p.poster);
  const credit = ctx.credit(ctx.contract, poster, task.token);
  credit.amount = credit.amount.plus(p.amount);
  credit.totalCredited = credit.totalCredited.plus(p.amount);
  recordPayment(
    ctx,
    "BidBondForfeited",
    ctx.contract,
    ctx.contract,
    task.token,
    p.amount,
    PaymentDetails.forTask(task.id).withDebited(p.bidder).withCredited(poster),
  );
  ctx.save();
}

/**
 * The winner's claim bond leaves its deposit for the market's `TaskClaimed`, later in this transaction, which records
 * it as paid by the module.
 */
export function handleAuctionAwarded(event: AuctionAwarded): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const auction = auctionOf(ctx, task);
  ctx.account(p.winner);
  auction.outcome = "Awarded";
  auction.winner = p.winner;
  auction.price = p.price;
  auction.automatic = p.automatic;
  auction.score = p.score;
  auction.awardedAt = ctx.timestamp;
  auction.save();
  const bid = existingBid(task, p.winner);
  bid.status = "Awarded";
  bid.deposit = bid.deposit.minus(task.claimBond);
  bid.updatedAt = ctx.timestamp;
  bid.save();
  task.moduleBondTransaction = ctx.transactionHash();
  ctx.save();
}

/** No valid bid at finalization, or a failed dependency: the market's `TaskCancelled` follows. */
export function handleAuctionCancelled(event: AuctionCancelled): void {
  const ctx = new Context(event);
  const task = ctx.task(event.params.taskId);
  const auction = auctionOf(ctx, task);
  auction.outcome = "Cancelled";
  auction.cancelledAt = ctx.timestamp;
  auction.save();
  ctx.save();
}

export function handleDepositWithdrawn(event: DepositWithdrawn): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const bid = existingBid(task, p.bidder);
  bid.deposit = bid.deposit.minus(p.amount);
  // A winner takes back only its bid bond and stays `Awarded`.
  if (bid.status != "Awarded") bid.status = "Withdrawn";
  bid.updatedAt = ctx.timestamp;
  bid.save();
  recordPayment(
    ctx,
    "BidDepositReturned",
    ctx.contract,
    p.bidder,
    changetype<Bytes>(p.token),
    p.amount,
    PaymentDetails.forTask(task.id),
  );
  ctx.save();
}

/** A poster withdraws the forfeited bid bonds credited to it. */
export function handleReverseAuctionCreditWithdrawn(event: CreditWithdrawn): void {
  const ctx = new Context(event);
  const p = event.params;
  withdrawCredit(ctx, changetype<Bytes>(p.account), changetype<Bytes>(p.token), p.to, p.amount);
  ctx.save();
}

export function handleReverseAuctionDependenciesMet(event: DependenciesMet): void {
  dependenciesMet(new Context(event), MODE, event.params.taskId, event.params.dependencies);
}

export function handleReverseAuctionDependencyFailed(event: DependencyFailed): void {
  dependencyFailed(new Context(event), MODE, event.params.taskId, event.params.dependency);
}
