// What the three disputable modules (review, attestation, optimistic) share: contests, disputes, rulings, evidence and
// the deposits they move, following contracts/verification/DisputableModule.sol. Each module's mapping file passes its
// events' parameters here.
//
// Event order the handlers rely on: a contest's `ContestOpened` (or the optimistic `SubmissionChallenged`) comes before
// its `DisputeRaised`; the panel's `DisputeCreation` comes before the module's `ArbitrationStarted`; `ContestEnded`
// comes before the market's settlement events and before the attestation module's `VerifierSlashed`.
import { BigInt, Bytes, log } from "@graphprotocol/graph-ts";

import { Arbitrator, ArbitratorDispute, Dispute, Evidence, Task, VerificationConfig } from "../../generated/schema";
import { BPS, TREASURY_SHARE_BPS, zeroAddress } from "./constants";
import { recordContractEvent } from "./contracts";
import { Context } from "./context";
import { contestOutcomeName } from "./enums";
import { arbitratorDisputeKey, disputeKey } from "./ids";
import { sameBytes } from "./numbers";
import { creditAccount, PaymentDetails, recordPayment } from "./payments";
import { latestSubmission } from "./tasks";

/** Marks the task as verified by this module (the module's events are the proof), linking its configuration. */
export function markVerifiedBy(ctx: Context, task: Task, method: string): void {
  task.verificationMethod = method;
  if (task.verificationConfig === null) {
    const config = VerificationConfig.load(ctx.contract.concat(task.verifierConfigHash));
    if (config !== null) task.verificationConfig = config.id;
  }
}

function phaseRank(phase: string): i32 {
  if (phase == "Open") return 1;
  if (phase == "AwaitingRespondent") return 2;
  if (phase == "Arbitrating") return 3;
  if (phase == "Ruled") return 4;
  return 5;
}

/** The task's running contest in this module; null if it has none here. */
function runningDispute(ctx: Context, task: Task): Dispute | null {
  const id = task.currentDispute;
  if (id === null) return null;
  const dispute = Dispute.load(id);
  if (dispute === null || !dispute.module.equals(ctx.contract) || dispute.phase == "Ended") return null;
  return dispute;
}

/** The running contest a module event refers to: the module has one on record, so the indexer must too. */
function requireDispute(ctx: Context, task: Task, eventName: string): Dispute {
  const dispute = runningDispute(ctx, task);
  if (dispute === null) {
    log.critical("{} of module {} on task {}, but the indexer has no contest running there.", [
      eventName,
      ctx.contract.toHexString(),
      task.id,
    ]);
  }
  return changetype<Dispute>(dispute);
}

function newDispute(ctx: Context, task: Task, method: string): Dispute {
  task.disputeCount += 1;
  const dispute = new Dispute(disputeKey(ctx.contract, task.taskId, task.disputeCount));
  dispute.module = ctx.contract;
  dispute.method = method;
  dispute.task = task.id;
  const submission = latestSubmission(task);
  if (submission !== null) {
    dispute.submission = submission.id;
    dispute.milestone = submission.milestone;
  } else {
    dispute.milestone = task.milestonesVerified;
  }
  dispute.openedAt = ctx.timestamp;
  task.currentDispute = dispute.id;
  return dispute;
}

export function contestOpened(
  ctx: Context,
  method: string,
  taskId: BigInt,
  decisionShareBps: i32,
  rejection: boolean,
  windowEnd: BigInt,
): void {
  const task = ctx.task(taskId);
  markVerifiedBy(ctx, task, method);
  const dispute = newDispute(ctx, task, method);
  dispute.phase = "Open";
  dispute.rejection = rejection;
  dispute.decisionShareBps = decisionShareBps;
  dispute.deadline = windowEnd;
  dispute.windowEnd = windowEnd;
  dispute.save();
  ctx.save();
}

/** The optimistic module's challenge: a contest that starts as a dispute, against a submission standing at 100 %. */
export function submissionChallenged(ctx: Context, taskId: BigInt, challenger: Bytes, bond: BigInt): void {
  const task = ctx.task(taskId);
  markVerifiedBy(ctx, task, "Optimistic");
  const dispute = newDispute(ctx, task, "Optimistic");
  ctx.account(challenger);
  dispute.phase = "AwaitingRespondent";
  dispute.rejection = false;
  dispute.decisionShareBps = BPS;
  dispute.claimant = challenger;
  dispute.claimantForExecutor = false;
  dispute.bond = bond;
  dispute.deadline = BigInt.zero();
  dispute.save();
  ctx.save();
}

export function disputeRaised(
  ctx: Context,
  method: string,
  taskId: BigInt,
  claimant: Bytes,
  respondent: Bytes,
  arbitrator: Bytes,
  deposit: BigInt,
  feeDeadline: BigInt,
): void {
  const task = ctx.task(taskId);
  const dispute = requireDispute(ctx, task, "DisputeRaised");
  const bondValue = dispute.bond;
  const bond = bondValue === null ? BigInt.zero() : bondValue;
  const claimantFee = deposit.minus(bond);

  ctx.account(claimant).disputesAsClaimant += 1;
  ctx.account(respondent).disputesAsRespondent += 1;
  dispute.claimant = claimant;
  dispute.respondent = respondent;
  // `_disputeDecision`: the executor argues for a larger share, the poster for a smaller one; a challenger always
  // argues against the executor.
  dispute.claimantForExecutor = method != "Optimistic" && task.executor !== null && claimant.equals(task.executor!);
  dispute.arbitrator = arbitrator;
  dispute.claimantDeposit = deposit;
  dispute.claimantFee = claimantFee;
  dispute.bond = bond;
  dispute.feeDeadline = feeDeadline;
  dispute.deadline = feeDeadline;
  dispute.phase = "AwaitingRespondent";
  dispute.raisedAt = ctx.timestamp;
  dispute.save();

  // The protocol's panel emits no event with its initial fee; what the claimant paid it is that fee.
  const panel = Arbitrator.load(arbitrator);
  if (panel !== null && panel.arbitrationFee === null) {
    panel.arbitrationFee = claimantFee;
    panel.save();
  }

  recordPayment(
    ctx,
    "DisputeDeposit",
    claimant,
    ctx.contract,
    zeroAddress(),
    deposit,
    PaymentDetails.forTask(task.id).withDispute(dispute.id),
  );
  ctx.stats().disputeCount += 1;
  ctx.daily().disputesRaised += 1;
  ctx.save();
}

export function arbitrationStarted(
  ctx: Context,
  taskId: BigInt,
  arbitrator: Bytes,
  arbitratorDisputeId: BigInt,
  rulingDeadline: BigInt,
): void {
  const task = ctx.task(taskId);
  const dispute = requireDispute(ctx, task, "ArbitrationStarted");
  const bondValue = dispute.bond;
  const bond = bondValue === null ? BigInt.zero() : bondValue;
  const respondent = changetype<Bytes>(dispute.respondent);

  const key = arbitratorDisputeKey(arbitrator, arbitratorDisputeId);
  let record = ArbitratorDispute.load(key);
  if (record === null) {
    // An arbitrator the subgraph does not index: the module's events are all there is about the dispute.
    record = newArbitratorDispute(ctx, arbitrator, arbitratorDisputeId, ctx.contract);
  }
  record.dispute = dispute.id;

  // The respondent paid the arbitrator's cost at this moment plus the bond. The protocol's panel charges one fee for
  // every dispute, which changes only with an event: unknown here means it never changed, so it is what the claimant
  // paid. Another arbitrator's cost is read from the call itself when the respondent called the module directly.
  let fee = record.fee;
  if (fee === null) {
    const panel = Arbitrator.load(arbitrator);
    if (panel !== null) {
      fee = dispute.claimantFee;
      if (panel.arbitrationFee === null) {
        panel.arbitrationFee = fee;
        panel.save();
      }
    } else {
      const to = ctx.event.transaction.to;
      if (to !== null && to.equals(ctx.contract) && ctx.event.transaction.from.equals(respondent)) {
        fee = ctx.event.transaction.value.minus(bond);
      } else {
        log.warning(
          "ArbitrationStarted on task {}: the fee the respondent paid arbitrator {} is not in any event; only its bond is recorded.",
          [task.id, arbitrator.toHexString()],
        );
      }
    }
    record.fee = fee;
  }

  const details = PaymentDetails.forTask(task.id).withDispute(dispute.id);
  if (fee !== null) {
    dispute.respondentFee = fee;
    recordPayment(ctx, "DisputeDeposit", respondent, ctx.contract, zeroAddress(), fee.plus(bond), details);
    if (!record.feeRecorded) {
      recordPayment(ctx, "ArbitrationFee", ctx.contract, arbitrator, zeroAddress(), fee, details);
      record.feeRecorded = true;
    }
  } else {
    // The fee passed straight through to the arbitrator; what stays in the module is the bond.
    recordPayment(ctx, "DisputeDeposit", respondent, ctx.contract, zeroAddress(), bond, details);
  }
  record.save();

  dispute.phase = "Arbitrating";
  dispute.arbitratorDisputeId = arbitratorDisputeId;
  dispute.arbitratorDispute = key;
  dispute.rulingDeadline = rulingDeadline;
  dispute.deadline = rulingDeadline;
  dispute.arbitrationStartedAt = ctx.timestamp;
  dispute.save();
  ctx.save();
}

export function newArbitratorDispute(
  ctx: Context,
  arbitrator: Bytes,
  disputeId: BigInt,
  arbitrable: Bytes,
): ArbitratorDispute {
  const record = new ArbitratorDispute(arbitratorDisputeKey(arbitrator, disputeId));
  record.arbitrator = arbitrator;
  record.disputeId = disputeId;
  record.arbitrable = arbitrable;
  record.voteCount = 0;
  record.solved = false;
  record.delivered = false;
  record.deliveryFailed = false;
  record.closedUnresolved = false;
  record.feeRecorded = false;
  record.createdAt = ctx.timestamp;
  return record;
}

/** `rule`: the first ruling is the only one; ruling 0 leaves the contested decision standing. */
export function ruling(ctx: Context, arbitrator: Bytes, disputeId: BigInt, value: BigInt): void {
  const record = ArbitratorDispute.load(arbitratorDisputeKey(arbitrator, disputeId));
  let contest: string | null = null;
  if (record !== null) contest = record.dispute;
  if (record === null || contest === null) {
    log.critical("Ruling from {} on its dispute {}, which the indexer never saw start.", [
      arbitrator.toHexString(),
      disputeId.toString(),
    ]);
    return;
  }
  record.delivered = true;
  record.save();
  const dispute = changetype<Dispute>(Dispute.load(changetype<string>(contest)));
  dispute.phase = "Ruled";
  dispute.ruling = value;
  dispute.rulingShareBps = value.isZero() ? dispute.decisionShareBps : (value.toI32() - 1) * 1_000;
  dispute.ruledAt = ctx.timestamp;
  dispute.save();
  ctx.save();
}

/**
 * `_endContest` and `_closeLapsed`: the contest ends with `executorShareBps`, and the deposits are paid out as
 * `_settleDeposits` (or, for a lapsed contest, `_closeLapsed`) pays them.
 */
export function contestEnded(ctx: Context, taskId: BigInt, outcomeValue: i32, executorShareBps: i32): void {
  const task = ctx.task(taskId);
  const dispute = requireDispute(ctx, task, "ContestEnded");
  const outcome = contestOutcomeName(outcomeValue);
  const rank = phaseRank(dispute.phase);
  const eth = zeroAddress();
  const details = PaymentDetails.forTask(task.id).withDispute(dispute.id);

  if (rank >= 2) {
    const claimant = changetype<Bytes>(dispute.claimant);
    const feeValue = dispute.claimantFee;
    const claimantFee = feeValue === null ? BigInt.zero() : feeValue;
    const bondValue = dispute.bond;
    const bond = bondValue === null ? BigInt.zero() : bondValue;
    const respondentValue = dispute.respondent;
    const respondent = respondentValue === null ? zeroAddress() : respondentValue;
    const claimantDeposit = claimantFee.plus(bond);

    if (outcome == "Lapsed") {
      recordPayment(ctx, "DisputeDepositReturned", ctx.contract, claimant, eth, claimantDeposit, details);
      if (rank >= 3) recordPayment(ctx, "DisputeDepositReturned", ctx.contract, respondent, eth, bond, details);
    } else if (outcome == "RespondentDefaulted" || (outcome == "Agreed" && rank == 2)) {
      recordPayment(ctx, "DisputeDepositReturned", ctx.contract, claimant, eth, claimantDeposit, details);
      if (outcome == "RespondentDefaulted") dispute.winner = claimant;
    } else if (outcome == "ArbitratorSilent") {
      recordPayment(ctx, "DisputeDepositReturned", ctx.contract, claimant, eth, claimantDeposit, details);
      recordPayment(ctx, "DisputeDepositReturned", ctx.contract, respondent, eth, bond, details);
    } else if (outcome == "Agreed") {
      const half = claimantFee.div(BigInt.fromI32(2));
      recordPayment(ctx, "DisputeDepositReturned", ctx.contract, claimant, eth, half.plus(bond), details);
      recordPayment(ctx, "DisputeAward", ctx.contract, respondent, eth, claimantFee.minus(half).plus(bond), details);
    } else {
      // A ruling: the side the final share favours takes both deposits, less the treasury's share of the bond.
      const executorWins = 2 * executorShareBps >= BPS;
      const claimantForExecutor = dispute.claimantForExecutor;
      const winner = executorWins == claimantForExecutor ? claimant : respondent;
      const treasuryCut = bond.times(BigInt.fromI32(TREASURY_SHARE_BPS)).div(BigInt.fromI32(BPS));
      const feeRecipient = ctx.stats().feeRecipient;
      recordPayment(ctx, "TreasuryShare", ctx.contract, feeRecipient, eth, treasuryCut, details);
      const award = claimantFee.plus(bond.times(BigInt.fromI32(2))).minus(treasuryCut);
      recordPayment(ctx, "DisputeAward", ctx.contract, winner, eth, award, details);
      dispute.winner = winner;
    }
  }

  dispute.phase = "Ended";
  dispute.outcome = outcome;
  dispute.finalShareBps = executorShareBps;
  dispute.endedAt = ctx.timestamp;
  dispute.save();
  task.currentDispute = null;
  ctx.save();
}

export function evidenceSubmitted(
  ctx: Context,
  taskId: BigInt,
  party: Bytes,
  evidenceHash: Bytes,
  evidenceURI: string,
): void {
  const task = ctx.task(taskId);
  ctx.account(party);
  const evidence = new Evidence(ctx.nextRecordId());
  const dispute = runningDispute(ctx, task);
  if (dispute !== null) evidence.dispute = dispute.id;
  evidence.task = task.id;
  evidence.module = ctx.contract;
  evidence.party = party;
  evidence.evidenceHash = evidenceHash;
  evidence.evidenceURI = evidenceURI;
  evidence.timestamp = ctx.timestamp;
  evidence.blockNumber = ctx.blockNumber;
  evidence.transaction = ctx.transactionHash();
  evidence.save();
  ctx.save();
}

/** The ERC-1497 `Evidence` twin of `EvidenceSubmitted` (the group id is the task id). */
export function erc1497Evidence(
  ctx: Context,
  contractName: string,
  arbitrator: Bytes,
  evidenceGroupId: BigInt,
  party: Bytes,
  evidence: string,
): void {
  recordContractEvent(
    ctx,
    contractName,
    "Evidence",
    "arbitrator=" +
      arbitrator.toHexString() +
      ", evidenceGroupId=" +
      evidenceGroupId.toString() +
      ", party=" +
      party.toHexString() +
      ", evidence=" +
      evidence,
    evidenceGroupId.toString(),
  ).save();
  ctx.save();
}

/** The ERC-1497 `Dispute` link of an arbitrator's dispute to its task (evidence group). */
export function erc1497Dispute(
  ctx: Context,
  contractName: string,
  arbitrator: Bytes,
  disputeId: BigInt,
  metaEvidenceId: BigInt,
  evidenceGroupId: BigInt,
): void {
  recordContractEvent(
    ctx,
    contractName,
    "Dispute",
    "arbitrator=" +
      arbitrator.toHexString() +
      ", disputeId=" +
      disputeId.toString() +
      ", metaEvidenceId=" +
      metaEvidenceId.toString() +
      ", evidenceGroupId=" +
      evidenceGroupId.toString(),
    evidenceGroupId.toString(),
  ).save();
  ctx.save();
}

export function metaEvidence(ctx: Context, contractName: string, metaEvidenceId: BigInt, evidence: string): void {
  const contract = recordContractEvent(
    ctx,
    contractName,
    "MetaEvidence",
    "metaEvidenceId=" + metaEvidenceId.toString() + ", evidence=" + evidence,
    null,
  );
  contract.metaEvidenceURI = evidence;
  contract.save();
  ctx.save();
}

export function eip712DomainChanged(ctx: Context, contractName: string): void {
  recordContractEvent(ctx, contractName, "EIP712DomainChanged", "", null).save();
  ctx.save();
}

/**
 * A verifier fee the module passes on. The event does not name the task: it is the one the market paid the fee for
 * earlier in the same transaction (`VerifierPaid`).
 */
export function verifierFeeForwarded(ctx: Context, token: Bytes, to: Bytes, amount: BigInt): void {
  const module = ctx.account(ctx.contract);
  let taskId: string | null = null;
  if (sameBytes(module.lastVerifierFeeTransaction, ctx.transactionHash())) taskId = module.lastVerifierFeeTask;
  const details = new PaymentDetails();
  details.task = taskId;
  const recipient = ctx.accountToken(to, token);
  let isPoster = false;
  if (taskId !== null) {
    const task = ctx.task(BigInt.fromString(taskId));
    isPoster = task.poster.equals(to);
  }
  // The optimistic module returns the fee to the poster: nobody reviewed.
  if (isPoster) recipient.refundedAsPoster = recipient.refundedAsPoster.plus(amount);
  else recipient.verifierFeesEarned = recipient.verifierFeesEarned.plus(amount);
  recordPayment(ctx, "VerifierFeeForwarded", ctx.contract, to, token, amount, details);
  ctx.save();
}

export function arbitrationFeeReclaimed(
  ctx: Context,
  arbitrator: Bytes,
  disputeId: BigInt,
  payer: Bytes,
  amount: BigInt,
): void {
  const record = ArbitratorDispute.load(arbitratorDisputeKey(arbitrator, disputeId));
  const details = new PaymentDetails();
  if (record !== null) {
    record.feeReclaimed = amount;
    record.save();
    details.dispute = record.dispute;
  }
  ctx.account(payer);
  recordPayment(ctx, "ArbitrationFeeRefund", ctx.contract, payer, zeroAddress(), amount, details);
  ctx.save();
}

/** An ETH payment of the module failed and was credited (`_pay`). */
export function modulePaymentCredited(ctx: Context, account: Bytes, amount: BigInt): void {
  creditAccount(ctx, account, zeroAddress(), amount);
  ctx.save();
}
