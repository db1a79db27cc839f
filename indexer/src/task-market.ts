// The TaskMarket data source: tasks, their escrow and every payment the market makes, the executors' and posters'
// records, and the market's settings. The event order inside a transaction is the contract's (see
// contracts/abstracts/TaskMarketCore.sol): a settlement emits `TaskSettled` (or `MilestoneSettled`), then
// `SettlementRefunded`, then `SubtaskFundsReturned` for a subtask's refund, then `VerifierPaid`; a failed push is
// followed by `PaymentCredited`. The handlers rely on that order where an event leaves out what an earlier one said.
import { BigInt, Bytes, log, store } from "@graphprotocol/graph-ts";

import {
  CancellationConsented,
  CheckpointPosted,
  ClaimLapsed,
  CreditWithdrawn,
  FeeRecipientUpdated,
  MilestoneSettled,
  OwnershipTransferStarted,
  OwnershipTransferred,
  PartyRated,
  Paused,
  PaymentCredited,
  ProtocolFeeUpdated,
  ProtocolFeesWithdrawn,
  RewardLowered,
  SettlementRefunded,
  SubmissionHeld,
  SubmissionRejected,
  SubmissionResolved,
  SubtaskCreated,
  SubtaskFundsReturned,
  TaskCancelled,
  TaskClaimed,
  TaskCreated,
  TaskExpired,
  TaskOptionsSet,
  TaskSettled,
  TaskStarted,
  TaskVerified,
  Unpaused,
  VerifierPaid,
  WorkSubmitted,
} from "../generated/TaskMarket/TaskMarket";
import { Checkpoint, Claim, Milestone, Submission, Task, VerificationConfig } from "../generated/schema";
import {
  BPS,
  DISPUTE_LOSS_PENALTY_BPS,
  FLAG_EXECUTOR_CONSENTED_TO_CANCEL,
  FLAG_EXECUTOR_RATED,
  FLAG_EXTENDED,
  FLAG_POSTER_CONSENTED_TO_CANCEL,
  FLAG_POSTER_RATED,
  FLAG_REJECTED,
  FLAG_VERIFIER_PAID,
  FLAGS_BOTH_CONSENTED,
  FLAGS_OF_THE_TASK,
  FLAGS_REJECTION,
  zeroAddress,
  zeroBytes32,
} from "./common/constants";
import { ownershipTransferStarted, ownershipTransferred, recordContractEvent } from "./common/contracts";
import { Context } from "./common/context";
import { executorKindName } from "./common/enums";
import { claimKey, milestoneKey, submissionKey, taskKey } from "./common/ids";
import { averageOf, sameBytes, shareOf, unpackMilestoneShares } from "./common/numbers";
import { creditAccount, noDetails, PaymentDetails, recordPayment, withdrawCredit } from "./common/payments";
import { outcomeWeight, recordCounter, recordOutcome, recordPenalty } from "./common/reputation";
import { currentClaim, isSubtask, latestSubmission, refreshFunding, setFlags, submissionAmount } from "./common/tasks";

const CONTRACT_NAME = "TaskMarket";

// ---------------------------------------------------------------------------------------------------------------------
// Creation and options
// ---------------------------------------------------------------------------------------------------------------------

export function handleTaskCreated(event: TaskCreated): void {
  const ctx = new Context(event);
  const params = event.params;
  const terms = params.terms;
  const token = changetype<Bytes>(terms.token);
  const poster = changetype<Bytes>(terms.poster);

  const task = new Task(taskKey(params.taskId));
  task.taskId = params.taskId;
  task.poster = poster;
  task.token = token;
  task.reward = terms.reward;
  task.claimBond = terms.claimBond;
  task.claimDeadline = terms.claimDeadline;
  task.executionWindow = terms.executionWindow;
  task.reviewWindow = terms.reviewWindow;
  task.feeBps = terms.feeBps;
  task.executorKind = executorKindName(terms.executorKind);
  task.verifier = terms.verifier;
  task.verifierFee = terms.verifierFee;
  task.verifierConfigHash = terms.verifierConfigHash;
  task.capabilitiesHash = terms.capabilitiesHash;
  task.documentHash = terms.documentHash;
  task.milestoneShares = terms.milestoneShares;
  task.milestoneSharesBps = unpackMilestoneShares(terms.milestoneShares);
  task.capabilities = params.capabilities;
  task.documentURI = params.documentURI;

  task.assigner = zeroAddress();
  task.subtaskBudget = BigInt.zero();
  task.assignerConfigHash = zeroBytes32();

  task.status = "Posted";
  task.executionDeadline = BigInt.zero();
  task.reviewDeadline = BigInt.zero();
  setFlags(task, 0);
  task.milestonesVerified = 0;
  task.heldAt = BigInt.zero();
  task.holdShareBps = 0;
  task.released = BigInt.zero();
  task.drawn = BigInt.zero();
  task.openSubtasks = 0;
  task.depth = 0;
  task.submissionHash = zeroBytes32();
  refreshFunding(task);

  const deposit = terms.reward.plus(terms.verifierFee);
  task.escrowRemaining = deposit;
  task.paidToExecutor = BigInt.zero();
  task.protocolFees = BigInt.zero();
  task.refunded = BigInt.zero();
  task.verifierFeeAmountPaid = BigInt.zero();
  task.bondsForfeited = BigInt.zero();
  task.bondsReturned = BigInt.zero();
  task.claimCount = 0;
  task.lapseCount = 0;
  task.submissionCount = 0;
  task.checkpointCount = 0;
  task.disputeCount = 0;
  task.pendingShareBps = BPS;

  task.assignmentMode = "FirstCome";
  if (task.verifier == zeroAddress()) {
    task.verificationMethod = "Poster";
  } else {
    const config = VerificationConfig.load(task.verifier.concat(task.verifierConfigHash));
    if (config !== null) {
      task.verificationMethod = config.method;
      task.verificationConfig = config.id;
    } else {
      task.verificationMethod = "Delegated";
    }
  }

  task.createdAt = ctx.timestamp;
  task.createdAtBlock = ctx.blockNumber;
  task.createdTransaction = ctx.transactionHash();
  task.updatedAt = ctx.timestamp;
  task.updatedAtBlock = ctx.blockNumber;
  ctx.addTask(task);

  for (let index = 0; index < task.milestoneSharesBps.length; index++) {
    const milestone = new Milestone(milestoneKey(params.taskId, index));
    milestone.task = task.id;
    milestone.index = index;
    milestone.shareBps = task.milestoneSharesBps[index];
    milestone.settled = false;
    milestone.save();
  }

  ctx.account(poster);
  ctx.posterRecord(poster).posted += 1;
  recordCounter(ctx, poster, "TaskPosted", task, 0);

  const tokenStats = ctx.token(token);
  tokenStats.taskCount += 1;
  tokenStats.totalRewardPosted = tokenStats.totalRewardPosted.plus(terms.reward);
  // A subtask's escrow comes from its parent's: `handleSubtaskCreated`, later in the same transaction, takes back what
  // is recorded here as a deposit.
  tokenStats.totalEscrowed = tokenStats.totalEscrowed.plus(deposit);
  tokenStats.escrowBalance = tokenStats.escrowBalance.plus(deposit);
  const posterToken = ctx.accountToken(poster, token);
  posterToken.escrowedAsPoster = posterToken.escrowedAsPoster.plus(deposit);
  const dailyToken = ctx.dailyToken(token);
  dailyToken.escrowed = dailyToken.escrowed.plus(deposit);

  const payment = recordPayment(
    ctx,
    "EscrowDeposit",
    poster,
    ctx.contract,
    token,
    deposit,
    PaymentDetails.forTask(task.id),
  );
  if (payment !== null) task.depositPayment = payment.id;

  ctx.stats().taskCount += 1;
  ctx.daily().tasksCreated += 1;
  ctx.save();
}

export function handleTaskOptionsSet(event: TaskOptionsSet): void {
  const ctx = new Context(event);
  const task = ctx.task(event.params.taskId);
  const options = event.params.options;
  task.assigner = options.assigner;
  task.subtaskBudget = options.subtaskBudget;
  task.assignerConfigHash = options.assignerConfigHash;
  // `_storeOptions` assigns the flags: the task was created in this transaction with none.
  setFlags(task, FLAG_EXTENDED);
  // Which module the assigner is becomes known from the module's own events about the task.
  task.assignmentMode = options.assigner == zeroAddress() ? "FirstCome" : "External";
  refreshFunding(task);
  ctx.save();
}

export function handleSubtaskCreated(event: SubtaskCreated): void {
  const ctx = new Context(event);
  const params = event.params;
  const parent = ctx.task(params.parentId);
  const subtask = ctx.task(params.subtaskId);
  const funding = params.funding;

  parent.drawn = parent.drawn.plus(funding);
  parent.openSubtasks += 1;
  parent.escrowRemaining = parent.escrowRemaining.minus(funding);
  refreshFunding(parent);

  subtask.parent = parent.id;
  subtask.parentPoster = parent.poster;
  subtask.depth = parent.depth + 1;
  subtask.subtaskFunding = funding;
  setFlags(subtask, FLAG_EXTENDED);
  refreshFunding(subtask);

  // `handleTaskCreated` recorded the subtask's escrow as a poster's deposit: no funds came in, they moved from the
  // parent's escrow. Undo it (the payment was written in this same transaction) and record the move instead.
  const deposit = subtask.depositPayment;
  if (deposit !== null) {
    store.remove("Payment", deposit.toHexString());
    subtask.depositPayment = null;
    const stats = ctx.stats();
    stats.paymentCount = stats.paymentCount.minus(BigInt.fromI32(1));
    ctx.daily().payments -= 1;
  }
  const token = subtask.token;
  const tokenStats = ctx.token(token);
  tokenStats.totalEscrowed = tokenStats.totalEscrowed.minus(funding);
  tokenStats.escrowBalance = tokenStats.escrowBalance.minus(funding);
  const coordinatorToken = ctx.accountToken(params.coordinator, token);
  coordinatorToken.escrowedAsPoster = coordinatorToken.escrowedAsPoster.minus(funding);
  const dailyToken = ctx.dailyToken(token);
  dailyToken.escrowed = dailyToken.escrowed.minus(funding);

  recordPayment(ctx, "SubtaskFunding", ctx.contract, ctx.contract, token, funding, PaymentDetails.forTask(subtask.id));
  ctx.stats().subtaskCount += 1;
  ctx.save();
}

// ---------------------------------------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------------------------------------

export function handleTaskClaimed(event: TaskClaimed): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const executor = changetype<Bytes>(params.executor);

  task.executor = executor;
  task.status = "Claimed";
  task.executionDeadline = params.executionDeadline;
  task.reviewDeadline = BigInt.zero();
  setFlags(task, task.flags & FLAGS_OF_THE_TASK);
  task.claimCount += 1;
  task.claimedAt = ctx.timestamp;
  task.pendingShareBps = BPS;

  // The bond comes from the executor, through a module that passes it on in the same call (`GatedClaim`), unless an
  // assignment module handed over a deposit it held (`ApplicantAssigned`, `AuctionAwarded` earlier in this
  // transaction).
  const payer = sameBytes(task.moduleBondTransaction, ctx.transactionHash()) ? task.assigner : executor;

  const claim = new Claim(claimKey(params.taskId, task.claimCount));
  claim.task = task.id;
  claim.executor = executor;
  claim.number = task.claimCount;
  claim.bondPaidBy = payer;
  claim.bond = params.bond;
  claim.price = task.price;
  claim.executionDeadline = params.executionDeadline;
  claim.claimedAt = ctx.timestamp;
  claim.claimedAtBlock = ctx.blockNumber;
  claim.transaction = ctx.transactionHash();
  claim.lapsed = false;
  claim.save();

  ctx.account(executor).tasksClaimed += 1;
  const executorToken = ctx.accountToken(executor, task.token);
  executorToken.bondsLocked = executorToken.bondsLocked.plus(params.bond);
  const tokenStats = ctx.token(task.token);
  tokenStats.totalBondsLocked = tokenStats.totalBondsLocked.plus(params.bond);
  recordPayment(
    ctx,
    "ClaimBondLocked",
    payer,
    ctx.contract,
    task.token,
    params.bond,
    PaymentDetails.forTask(task.id).withDebited(executor),
  );

  ctx.stats().claimCount += 1;
  ctx.daily().tasksClaimed += 1;
  ctx.save();
}

export function handleClaimLapsed(event: ClaimLapsed): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const executor = changetype<Bytes>(params.executor);
  const forfeited = params.bondForfeited;
  // `_clearLapsedClaim`: the bond returns to the executor after a rejection at or after the deadline, and is forfeited
  // to the poster otherwise.
  const returned = task.rejectedAfterDeadline ? task.claimBond : BigInt.zero();
  if (!task.rejectedAfterDeadline && forfeited != task.claimBond) {
    log.warning("ClaimLapsed on task {} forfeits {} but the claim bond is {}.", [
      task.id,
      forfeited.toString(),
      task.claimBond.toString(),
    ]);
  }

  const record = ctx.executorRecord(executor);
  const weight = outcomeWeight(ctx, task.token, task.unpaidReward);
  if (params.afterRejection) {
    record.rejected += 1;
    recordOutcome(ctx, executor, "ClaimRejected", task, weight, 0);
  } else {
    record.expired += 1;
    recordOutcome(ctx, executor, "ClaimExpired", task, weight, 0);
  }

  const claim = currentClaim(task);
  if (claim !== null) {
    claim.lapsed = true;
    claim.lapsedAfterRejection = params.afterRejection;
    claim.bondForfeited = forfeited;
    claim.lapsedAt = ctx.timestamp;
    claim.save();
  }
  task.lapseCount += 1;
  task.bondsForfeited = task.bondsForfeited.plus(forfeited);
  task.bondsReturned = task.bondsReturned.plus(returned);

  const executorToken = ctx.accountToken(executor, task.token);
  executorToken.bondsForfeited = executorToken.bondsForfeited.plus(forfeited);
  executorToken.bondsReturned = executorToken.bondsReturned.plus(returned);
  const posterToken = ctx.accountToken(task.poster, task.token);
  posterToken.bondsReceived = posterToken.bondsReceived.plus(forfeited);
  const tokenStats = ctx.token(task.token);
  tokenStats.totalBondsForfeited = tokenStats.totalBondsForfeited.plus(forfeited);

  // A forfeited bond goes to the task's own poster, a subtask's too (`_returnEscrow`'s `bondToPoster`).
  recordPayment(
    ctx,
    "ClaimBondForfeited",
    ctx.contract,
    task.poster,
    task.token,
    forfeited,
    PaymentDetails.forTask(task.id).withDebited(executor),
  );
  recordPayment(
    ctx,
    "ClaimBondReturned",
    ctx.contract,
    executor,
    task.token,
    returned,
    PaymentDetails.forTask(task.id),
  );

  ctx.stats().claimsLapsed += 1;
  ctx.save();
}

export function handleTaskStarted(event: TaskStarted): void {
  const ctx = new Context(event);
  const task = ctx.task(event.params.taskId);
  task.status = "InProgress";
  ctx.save();
}

export function handleCheckpointPosted(event: CheckpointPosted): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const checkpoint = new Checkpoint(ctx.nextRecordId());
  checkpoint.task = task.id;
  checkpoint.executor = params.executor;
  checkpoint.percentComplete = params.percentComplete;
  checkpoint.progressHash = params.progressHash;
  checkpoint.progressURI = params.progressURI;
  checkpoint.timestamp = ctx.timestamp;
  checkpoint.blockNumber = ctx.blockNumber;
  checkpoint.transaction = ctx.transactionHash();
  checkpoint.save();
  task.checkpointCount += 1;
  ctx.save();
}

// ---------------------------------------------------------------------------------------------------------------------
// Submissions and decisions
// ---------------------------------------------------------------------------------------------------------------------

export function handleWorkSubmitted(event: WorkSubmitted): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const executor = changetype<Bytes>(params.executor);
  // `submitVerified` emits the submission with a review deadline of now and settles it at once; `submit` starts a
  // review window, which is never zero.
  const byVerifier = params.reviewDeadline == ctx.timestamp;

  task.submissionCount += 1;
  const submission = new Submission(submissionKey(params.taskId, task.submissionCount));
  submission.task = task.id;
  submission.executor = executor;
  submission.number = task.submissionCount;
  submission.milestone = task.milestonesVerified;
  submission.resultHash = params.resultHash;
  submission.resultURI = params.resultURI;
  submission.reviewDeadline = params.reviewDeadline;
  submission.submittedAt = ctx.timestamp;
  submission.submittedAtBlock = ctx.blockNumber;
  submission.transaction = ctx.transactionHash();
  submission.submittedByVerifier = byVerifier;
  submission.proven = sameBytes(task.proofTransaction, ctx.transactionHash());
  submission.status = "UnderReview";
  if (byVerifier) {
    submission.decision = "Verified";
    submission.decidedBy = task.verifier;
  }
  submission.save();

  if (!byVerifier) {
    task.status = "Submitted";
    task.reviewDeadline = params.reviewDeadline;
  }
  // `submit` records the hash for a delegated verifier only; `submitVerified` always has one.
  if (task.verifier != zeroAddress()) task.submissionHash = params.resultHash;
  task.latestSubmission = submission.id;
  task.submittedAt = ctx.timestamp;
  task.pendingShareBps = BPS;

  ctx.account(executor).submissionCount += 1;
  ctx.stats().submissionCount += 1;
  ctx.daily().submissions += 1;
  ctx.save();
}

export function handleSubmissionRejected(event: SubmissionRejected): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);

  // `reject`: time spent on hold is given back before the deadline is compared; a rejection at or after it leaves no
  // time to resubmit.
  if (task.status == "Disputed") {
    task.executionDeadline = task.executionDeadline.plus(ctx.timestamp.minus(task.heldAt));
  }
  const late = ctx.timestamp.ge(task.executionDeadline);
  setFlags(task, task.flags | (late ? FLAGS_REJECTION : FLAG_REJECTED));
  task.status = "InProgress";
  task.reviewDeadline = BigInt.zero();

  const submission = latestSubmission(task);
  if (submission !== null) {
    submission.status = "Rejected";
    submission.decision = "Rejected";
    submission.decidedBy = params.verifier;
    submission.decidedAt = ctx.timestamp;
    submission.rejectionReason = params.reasonHash;
    submission.save();
  }
  ctx.save();
}

export function handleSubmissionHeld(event: SubmissionHeld): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);

  // `hold`: a hold may be moved, but its start stays where it was first placed.
  if (task.status != "Disputed") task.heldAt = ctx.timestamp;
  task.holdShareBps = params.defaultShareBps;
  task.status = "Disputed";
  task.reviewDeadline = params.until;

  const submission = latestSubmission(task);
  if (submission !== null) {
    submission.status = "Held";
    submission.heldUntil = params.until;
    submission.holdShareBps = params.defaultShareBps;
    submission.save();
  }
  ctx.save();
}

export function handleSubmissionResolved(event: SubmissionResolved): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const share = params.executorShareBps;

  // Resolving a held submission ends a dispute: the side with the larger share won it.
  if (task.status == "Disputed") {
    const executor = changetype<Bytes>(task.executor);
    const record = ctx.executorRecord(executor);
    if (2 * share >= BPS) {
      record.disputesWon += 1;
      recordCounter(ctx, executor, "DisputeWon", task, share);
    } else {
      record.disputesLost += 1;
      const weight = outcomeWeight(ctx, task.token, submissionAmount(task));
      const penalty = weight.times(BigInt.fromI64(DISPUTE_LOSS_PENALTY_BPS)).div(BigInt.fromI32(BPS));
      recordPenalty(ctx, executor, "DisputeLost", task, penalty);
    }
  }
  task.pendingShareBps = share;

  const submission = latestSubmission(task);
  if (submission !== null) {
    submission.decision = "Resolved";
    submission.decidedBy = params.verifier;
    submission.save();
  }
  ctx.save();
}

export function handleTaskVerified(event: TaskVerified): void {
  const ctx = new Context(event);
  const task = ctx.task(event.params.taskId);
  // `release`: in full after a review window, at the hold's default share after a hold.
  task.pendingShareBps = task.status == "Disputed" ? task.holdShareBps : BPS;
  const submission = latestSubmission(task);
  if (submission !== null) {
    submission.decision = "Released";
    submission.save();
  }
  ctx.save();
}

// ---------------------------------------------------------------------------------------------------------------------
// Settlement
// ---------------------------------------------------------------------------------------------------------------------

/**
 * What every settlement shares: the executor's payout and the protocol fee, the submission and milestone records, the
 * totals and the reputation outcome. `amount` is the submission's amount; the refund of its rest is recorded by the
 * caller (`MilestoneSettled` carries it, `SettlementRefunded` follows `TaskSettled`).
 */
function settleSubmission(
  ctx: Context,
  task: Task,
  executor: Bytes,
  amount: BigInt,
  payout: BigInt,
  fee: BigInt,
  isLast: boolean,
): void {
  const token = task.token;
  const gross = payout.plus(fee);
  const share = task.pendingShareBps;
  if (shareOf(amount, share) != gross) {
    log.warning("Settlement of task {}: payout {} + fee {} is not {} bps of {}.", [
      task.id,
      payout.toString(),
      fee.toString(),
      share.toString(),
      amount.toString(),
    ]);
  }
  const milestoneIndex = task.milestonesVerified;

  task.paidToExecutor = task.paidToExecutor.plus(payout);
  task.protocolFees = task.protocolFees.plus(fee);
  task.escrowRemaining = task.escrowRemaining.minus(gross);
  if (task.milestoneSharesBps.length > 0) task.milestonesVerified = milestoneIndex + 1;

  const submission = latestSubmission(task);
  if (submission !== null) {
    submission.status = "Settled";
    if (submission.decision === null) {
      submission.decision = "Approved";
      submission.decidedBy = task.verifier == zeroAddress() ? task.poster : task.verifier;
    }
    submission.decidedAt = ctx.timestamp;
    submission.executorShareBps = share;
    submission.amount = amount;
    submission.payout = payout;
    submission.fee = fee;
    submission.refund = amount.minus(gross);
    submission.save();
    if (isLast) task.acceptedSubmission = submission.id;
  }
  if (task.milestoneSharesBps.length > 0) {
    const milestone = Milestone.load(milestoneKey(task.taskId, milestoneIndex));
    if (milestone !== null) {
      milestone.settled = true;
      if (submission !== null) milestone.submission = submission.id;
      milestone.executor = executor;
      milestone.amount = amount;
      milestone.payout = payout;
      milestone.fee = fee;
      milestone.refund = amount.minus(gross);
      milestone.executorShareBps = share;
      milestone.settledAt = ctx.timestamp;
      milestone.transaction = ctx.transactionHash();
      milestone.save();
    }
  }

  const executorToken = ctx.accountToken(executor, token);
  executorToken.earned = executorToken.earned.plus(payout);
  executorToken.valueSettledAsExecutor = executorToken.valueSettledAsExecutor.plus(gross);
  executorToken.feesPaidAsExecutor = executorToken.feesPaidAsExecutor.plus(fee);
  const posterToken = ctx.accountToken(task.poster, token);
  posterToken.paidAsPoster = posterToken.paidAsPoster.plus(gross);
  const tokenStats = ctx.token(token);
  tokenStats.totalPaidToExecutors = tokenStats.totalPaidToExecutors.plus(payout);
  tokenStats.totalProtocolFees = tokenStats.totalProtocolFees.plus(fee);
  tokenStats.accruedFees = tokenStats.accruedFees.plus(fee);
  tokenStats.escrowBalance = tokenStats.escrowBalance.minus(gross);
  const dailyToken = ctx.dailyToken(token);
  dailyToken.paidToExecutors = dailyToken.paidToExecutors.plus(payout);
  dailyToken.protocolFees = dailyToken.protocolFees.plus(fee);

  recordPayment(ctx, "ExecutorPayout", ctx.contract, executor, token, payout, PaymentDetails.forTask(task.id));
  recordPayment(
    ctx,
    "ProtocolFee",
    ctx.contract,
    ctx.contract,
    token,
    fee,
    PaymentDetails.forTask(task.id).withDebited(executor),
  );

  const weight = outcomeWeight(ctx, token, amount);
  let kind = "MilestoneSettled";
  if (isLast) kind = payout.isZero() ? "SettledWithoutPayout" : "Completed";
  recordOutcome(ctx, executor, kind, task, weight, share);
  task.pendingShareBps = BPS;
}

/**
 * Records a refund out of the task's escrow to its poster. A subtask's refunds go where `SubtaskFundsReturned` says
 * (its parent's escrow, or up the chain), so for a subtask only the task's own figures change here.
 */
function refundToPoster(ctx: Context, task: Task, kind: string, amount: BigInt): void {
  task.refunded = task.refunded.plus(amount);
  task.escrowRemaining = task.escrowRemaining.minus(amount);
  if (isSubtask(task) || amount.isZero()) return;
  const posterToken = ctx.accountToken(task.poster, task.token);
  posterToken.refundedAsPoster = posterToken.refundedAsPoster.plus(amount);
  const tokenStats = ctx.token(task.token);
  tokenStats.totalRefunded = tokenStats.totalRefunded.plus(amount);
  tokenStats.escrowBalance = tokenStats.escrowBalance.minus(amount);
  const dailyToken = ctx.dailyToken(task.token);
  dailyToken.refunded = dailyToken.refunded.plus(amount);
  recordPayment(ctx, kind, ctx.contract, task.poster, task.token, amount, PaymentDetails.forTask(task.id));
}

/** A subtask that ended (settled, cancelled, expired) is no longer open on its parent (`_returnEscrow`). */
function closeOnParent(ctx: Context, task: Task): void {
  const parentId = task.parent;
  if (parentId === null) return;
  const parent = ctx.task(BigInt.fromString(parentId));
  parent.openSubtasks -= 1;
}

function endCurrentClaim(task: Task, timestamp: BigInt, status: string): void {
  const claim = currentClaim(task);
  if (claim === null || claim.lapsed) return;
  claim.endedAt = timestamp;
  claim.endStatus = status;
  claim.save();
}

export function handleTaskSettled(event: TaskSettled): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const executor = changetype<Bytes>(params.executor);
  const amount = submissionAmount(task);

  settleSubmission(ctx, task, executor, amount, params.payout, params.fee, true);

  // `_settleSubmission` writes the status only: nothing else in the stored state changes once the task is settled.
  task.status = "Settled";
  task.endedAt = ctx.timestamp;
  refreshFunding(task);
  endCurrentClaim(task, ctx.timestamp, "Settled");

  if (!params.payout.isZero()) ctx.executorRecord(executor).completed += 1;
  ctx.posterRecord(task.poster).settled += 1;
  recordCounter(ctx, task.poster, "TaskSettledAsPoster", task, 0);

  const bond = params.bondReturned;
  task.bondsReturned = task.bondsReturned.plus(bond);
  const executorToken = ctx.accountToken(executor, task.token);
  executorToken.bondsReturned = executorToken.bondsReturned.plus(bond);
  recordPayment(ctx, "ClaimBondReturned", ctx.contract, executor, task.token, bond, PaymentDetails.forTask(task.id));

  closeOnParent(ctx, task);
  ctx.stats().tasksSettled += 1;
  ctx.daily().tasksSettled += 1;
  ctx.save();
}

export function handleSettlementRefunded(event: SettlementRefunded): void {
  const ctx = new Context(event);
  const task = ctx.task(event.params.taskId);
  refundToPoster(ctx, task, "SettlementRefund", event.params.refund);
  ctx.save();
}

export function handleMilestoneSettled(event: MilestoneSettled): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const executor = changetype<Bytes>(params.executor);
  const amount = params.payout.plus(params.fee).plus(params.refund);

  if (params.milestone.toI32() != task.milestonesVerified) {
    log.warning("MilestoneSettled on task {} settles milestone {}, the indexer expected {}.", [
      task.id,
      params.milestone.toString(),
      task.milestonesVerified.toString(),
    ]);
    task.milestonesVerified = params.milestone.toI32();
  }
  settleSubmission(ctx, task, executor, amount, params.payout, params.fee, false);

  // `_startNextMilestone`: back to work on the next milestone with a fresh window and the rejection marks cleared.
  task.status = "InProgress";
  task.executionDeadline = ctx.timestamp.plus(task.executionWindow);
  task.reviewDeadline = BigInt.zero();
  setFlags(task, task.flags & ~FLAGS_REJECTION);
  refreshFunding(task);

  refundToPoster(ctx, task, "SettlementRefund", params.refund);
  ctx.save();
}

export function handleVerifierPaid(event: VerifierPaid): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const verifier = changetype<Bytes>(params.verifier);
  const amount = params.amount;

  // The flag is stored with a rejection, a hold or a milestone's settlement; the last settlement writes the status
  // only, so a settled task never stores it.
  if (task.status != "Settled") setFlags(task, task.flags | FLAG_VERIFIER_PAID);
  task.verifierFeeAmountPaid = task.verifierFeeAmountPaid.plus(amount);
  task.escrowRemaining = task.escrowRemaining.minus(amount);

  const verifierAccount = ctx.account(verifier);
  verifierAccount.lastVerifierFeeTask = task.id;
  verifierAccount.lastVerifierFeeTransaction = ctx.transactionHash();
  const verifierToken = ctx.accountToken(verifier, task.token);
  verifierToken.verifierFeesEarned = verifierToken.verifierFeesEarned.plus(amount);
  const posterToken = ctx.accountToken(task.poster, task.token);
  posterToken.paidAsPoster = posterToken.paidAsPoster.plus(amount);
  const tokenStats = ctx.token(task.token);
  tokenStats.totalVerifierFees = tokenStats.totalVerifierFees.plus(amount);
  tokenStats.escrowBalance = tokenStats.escrowBalance.minus(amount);

  recordPayment(ctx, "VerifierFee", ctx.contract, verifier, task.token, amount, PaymentDetails.forTask(task.id));
  ctx.save();
}

// ---------------------------------------------------------------------------------------------------------------------
// Cancellation, expiry, assignment price and subtask returns
// ---------------------------------------------------------------------------------------------------------------------

export function handleCancellationConsented(event: CancellationConsented): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const consent =
    changetype<Bytes>(params.party) == task.poster
      ? FLAG_POSTER_CONSENTED_TO_CANCEL
      : FLAG_EXECUTOR_CONSENTED_TO_CANCEL;
  setFlags(task, task.flags | consent);
  ctx.save();
}

export function handleTaskCancelled(event: TaskCancelled): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  // Both consents are on record only for a mutual cancellation: `cancel` needs the task open, where a claim that
  // lapsed with both consents would have been cancelled already.
  const mutual = (task.flags & FLAGS_BOTH_CONSENTED) == FLAGS_BOTH_CONSENTED;

  task.status = "Cancelled";
  task.endedAt = ctx.timestamp;
  refundToPoster(ctx, task, "CancellationRefund", params.refund);

  if (mutual) {
    const executor = changetype<Bytes>(task.executor);
    const bond = params.bondReturned;
    task.bondsReturned = task.bondsReturned.plus(bond);
    const executorToken = ctx.accountToken(executor, task.token);
    executorToken.bondsReturned = executorToken.bondsReturned.plus(bond);
    recordPayment(ctx, "ClaimBondReturned", ctx.contract, executor, task.token, bond, PaymentDetails.forTask(task.id));
    const submission = latestSubmission(task);
    if (submission !== null && (submission.status == "UnderReview" || submission.status == "Held")) {
      submission.status = "Cancelled";
      submission.save();
    }
  }
  // Otherwise a returned bond belongs to a lapsed claim, recorded with its `ClaimLapsed`.
  endCurrentClaim(task, ctx.timestamp, "Cancelled");

  ctx.posterRecord(task.poster).cancelled += 1;
  recordCounter(ctx, task.poster, "TaskCancelledAsPoster", task, 0);
  closeOnParent(ctx, task);
  ctx.stats().tasksCancelled += 1;
  ctx.daily().tasksCancelled += 1;
  ctx.save();
}

export function handleTaskExpired(event: TaskExpired): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  task.status = "Expired";
  task.endedAt = ctx.timestamp;
  // A forfeited bond is recorded with the `ClaimLapsed` that precedes this event.
  refundToPoster(ctx, task, "ExpiryRefund", params.refund);
  endCurrentClaim(task, ctx.timestamp, "Expired");

  ctx.posterRecord(task.poster).expired += 1;
  recordCounter(ctx, task.poster, "TaskExpiredAsPoster", task, 0);
  closeOnParent(ctx, task);
  ctx.stats().tasksExpired += 1;
  ctx.daily().tasksExpired += 1;
  ctx.save();
}

export function handleRewardLowered(event: RewardLowered): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  task.released = params.released;
  refreshFunding(task);
  refundToPoster(ctx, task, "RewardReleased", params.released);
  ctx.save();
}

export function handleSubtaskFundsReturned(event: SubtaskFundsReturned): void {
  const ctx = new Context(event);
  const params = event.params;
  const parent = ctx.task(params.parentId);
  const subtask = ctx.task(params.subtaskId);
  const amount = params.amount;
  const to = changetype<Bytes>(params.to);
  const token = subtask.token;

  if (to == ctx.contract) {
    // Back into the parent's escrow: the parent may fund other subtasks with it, or pays it out at its settlement.
    parent.drawn = parent.drawn.minus(amount);
    parent.escrowRemaining = parent.escrowRemaining.plus(amount);
    refreshFunding(parent);
  } else {
    // The parent had ended: the funds went on up the chain to the poster of the first task that is not a subtask.
    const posterToken = ctx.accountToken(to, token);
    posterToken.refundedAsPoster = posterToken.refundedAsPoster.plus(amount);
    const tokenStats = ctx.token(token);
    tokenStats.totalRefunded = tokenStats.totalRefunded.plus(amount);
    tokenStats.escrowBalance = tokenStats.escrowBalance.minus(amount);
    const dailyToken = ctx.dailyToken(token);
    dailyToken.refunded = dailyToken.refunded.plus(amount);
  }
  recordPayment(ctx, "SubtaskReturn", ctx.contract, to, token, amount, PaymentDetails.forTask(subtask.id));
  ctx.save();
}

// ---------------------------------------------------------------------------------------------------------------------
// Ratings
// ---------------------------------------------------------------------------------------------------------------------

export function handlePartyRated(event: PartyRated): void {
  const ctx = new Context(event);
  const params = event.params;
  const task = ctx.task(params.taskId);
  const ratee = changetype<Bytes>(params.ratee);
  const rating = params.rating;
  if (changetype<Bytes>(params.rater) == task.poster) {
    setFlags(task, task.flags | FLAG_POSTER_RATED);
    task.executorRating = rating;
    const record = ctx.executorRecord(ratee);
    record.ratingSum += rating;
    record.ratingCount += 1;
    ctx.account(ratee).executorRating = averageOf(record.ratingSum, record.ratingCount);
    recordCounter(ctx, ratee, "RatedAsExecutor", task, rating);
  } else {
    setFlags(task, task.flags | FLAG_EXECUTOR_RATED);
    task.posterRating = rating;
    const record = ctx.posterRecord(ratee);
    record.ratingSum += rating;
    record.ratingCount += 1;
    ctx.account(ratee).posterRating = averageOf(record.ratingSum, record.ratingCount);
    recordCounter(ctx, ratee, "RatedAsPoster", task, rating);
  }
  ctx.save();
}

// ---------------------------------------------------------------------------------------------------------------------
// Credits and fees
// ---------------------------------------------------------------------------------------------------------------------

export function handleTaskMarketPaymentCredited(event: PaymentCredited): void {
  const ctx = new Context(event);
  const p = event.params;
  // The push recorded just before failed: the funds stayed in the market as the account's credit.
  creditAccount(ctx, changetype<Bytes>(p.account), changetype<Bytes>(p.token), p.amount);
  ctx.save();
}

export function handleTaskMarketCreditWithdrawn(event: CreditWithdrawn): void {
  const ctx = new Context(event);
  const p = event.params;
  withdrawCredit(ctx, changetype<Bytes>(p.account), changetype<Bytes>(p.token), p.to, p.amount);
  ctx.save();
}

export function handleProtocolFeesWithdrawn(event: ProtocolFeesWithdrawn): void {
  const ctx = new Context(event);
  const params = event.params;
  const token = changetype<Bytes>(params.token);
  const tokenStats = ctx.token(token);
  if (tokenStats.accruedFees != params.amount) {
    log.warning("ProtocolFeesWithdrawn of {} in {}, but the indexed accrued fees are {}.", [
      params.amount.toString(),
      token.toHexString(),
      tokenStats.accruedFees.toString(),
    ]);
  }
  tokenStats.accruedFees = BigInt.zero();
  tokenStats.totalFeesWithdrawn = tokenStats.totalFeesWithdrawn.plus(params.amount);
  // The recipient of the withdrawal is the market's fee recipient now.
  ctx.stats().feeRecipient = params.recipient;
  recordPayment(ctx, "ProtocolFeesWithdrawn", ctx.contract, params.recipient, token, params.amount, noDetails());
  ctx.save();
}

// ---------------------------------------------------------------------------------------------------------------------
// Administration
// ---------------------------------------------------------------------------------------------------------------------

export function handleProtocolFeeUpdated(event: ProtocolFeeUpdated): void {
  const ctx = new Context(event);
  const params = event.params;
  ctx.stats().protocolFeeBps = params.newFeeBps;
  recordContractEvent(
    ctx,
    CONTRACT_NAME,
    "ProtocolFeeUpdated",
    "previousFeeBps=" + params.previousFeeBps.toString() + ", newFeeBps=" + params.newFeeBps.toString(),
    null,
  ).save();
  ctx.save();
}

export function handleFeeRecipientUpdated(event: FeeRecipientUpdated): void {
  const ctx = new Context(event);
  const params = event.params;
  ctx.stats().feeRecipient = params.newRecipient;
  recordContractEvent(
    ctx,
    CONTRACT_NAME,
    "FeeRecipientUpdated",
    "previousRecipient=" +
      params.previousRecipient.toHexString() +
      ", newRecipient=" +
      params.newRecipient.toHexString(),
    null,
  ).save();
  ctx.save();
}

export function handlePaused(event: Paused): void {
  const ctx = new Context(event);
  ctx.stats().paused = true;
  const contract = recordContractEvent(
    ctx,
    CONTRACT_NAME,
    "Paused",
    "account=" + event.params.account.toHexString(),
    null,
  );
  contract.paused = true;
  contract.save();
  ctx.save();
}

export function handleUnpaused(event: Unpaused): void {
  const ctx = new Context(event);
  ctx.stats().paused = false;
  const contract = recordContractEvent(
    ctx,
    CONTRACT_NAME,
    "Unpaused",
    "account=" + event.params.account.toHexString(),
    null,
  );
  contract.paused = false;
  contract.save();
  ctx.save();
}

export function handleTaskMarketOwnershipTransferStarted(event: OwnershipTransferStarted): void {
  const ctx = new Context(event);
  ownershipTransferStarted(ctx, CONTRACT_NAME, event.params.previousOwner, event.params.newOwner);
  ctx.save();
}

export function handleTaskMarketOwnershipTransferred(event: OwnershipTransferred): void {
  const ctx = new Context(event);
  ownershipTransferred(ctx, CONTRACT_NAME, event.params.previousOwner, event.params.newOwner);
  ctx.save();
}
