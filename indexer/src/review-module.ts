// The ReviewModule data source: a named reviewer decides, and a rejection or partial acceptance may be contested
// before an arbitrator (docs/verification/review.md). The contest and dispute handling is shared with the other
// disputable modules in common/disputable.ts.
import { BigInt, Bytes } from "@graphprotocol/graph-ts";

import {
  ArbitrationFeeReclaimed,
  ArbitrationStarted,
  ContestEnded,
  ContestOpened,
  Dispute as DisputeEvent,
  DisputeRaised,
  EIP712DomainChanged,
  Evidence as EvidenceEvent,
  EvidenceSubmitted,
  MetaEvidence,
  PaymentCredited,
  ReviewConfigPublished,
  ReviewPartiallyAccepted,
  ReviewRejected,
  Ruling,
  VerifierFeeForwarded,
} from "../generated/ReviewModule/ReviewModule";
import { VerificationConfig } from "../generated/schema";
import {
  arbitrationFeeReclaimed,
  arbitrationStarted,
  contestEnded,
  contestOpened,
  disputeRaised,
  eip712DomainChanged,
  erc1497Dispute,
  erc1497Evidence,
  evidenceSubmitted,
  markVerifiedBy,
  metaEvidence,
  modulePaymentCredited,
  ruling,
  verifierFeeForwarded,
} from "./common/disputable";
import { Context } from "./common/context";
import { latestSubmission } from "./common/tasks";

const CONTRACT_NAME = "ReviewModule";
const METHOD = "Review";

export function handleReviewModuleContestOpened(event: ContestOpened): void {
  const p = event.params;
  contestOpened(new Context(event), METHOD, p.taskId, p.decisionShareBps, p.rejection, p.windowEnd);
}

export function handleReviewModuleDisputeRaised(event: DisputeRaised): void {
  const p = event.params;
  disputeRaised(new Context(event), METHOD, p.taskId, p.claimant, p.respondent, p.arbitrator, p.deposit, p.feeDeadline);
}

export function handleReviewModuleArbitrationStarted(event: ArbitrationStarted): void {
  const p = event.params;
  arbitrationStarted(new Context(event), p.taskId, p.arbitrator, p.arbitratorDisputeId, p.rulingDeadline);
}

export function handleReviewModuleRuling(event: Ruling): void {
  const p = event.params;
  ruling(new Context(event), p.arbitrator, p.disputeId, p.ruling);
}

export function handleReviewModuleContestEnded(event: ContestEnded): void {
  const p = event.params;
  contestEnded(new Context(event), p.taskId, p.outcome, p.executorShareBps);
}

export function handleReviewModuleEvidenceSubmitted(event: EvidenceSubmitted): void {
  const p = event.params;
  evidenceSubmitted(new Context(event), p.taskId, p.party, p.evidenceHash, p.evidenceURI);
}

export function handleReviewModuleEvidence(event: EvidenceEvent): void {
  const p = event.params;
  erc1497Evidence(new Context(event), CONTRACT_NAME, p.arbitrator, p.evidenceGroupId, p.party, p.evidence);
}

export function handleReviewModuleDispute(event: DisputeEvent): void {
  const p = event.params;
  erc1497Dispute(new Context(event), CONTRACT_NAME, p.arbitrator, p.disputeId, p.metaEvidenceId, p.evidenceGroupId);
}

export function handleReviewModuleMetaEvidence(event: MetaEvidence): void {
  metaEvidence(new Context(event), CONTRACT_NAME, event.params.metaEvidenceId, event.params.evidence);
}

export function handleReviewModuleEIP712DomainChanged(event: EIP712DomainChanged): void {
  eip712DomainChanged(new Context(event), CONTRACT_NAME);
}

export function handleReviewModuleVerifierFeeForwarded(event: VerifierFeeForwarded): void {
  const p = event.params;
  verifierFeeForwarded(new Context(event), p.token, p.to, p.amount);
}

export function handleReviewModuleArbitrationFeeReclaimed(event: ArbitrationFeeReclaimed): void {
  const p = event.params;
  arbitrationFeeReclaimed(new Context(event), p.arbitrator, p.disputeId, p.payer, p.amount);
}

export function handleReviewModulePaymentCredited(event: PaymentCredited): void {
  modulePaymentCredited(new Context(event), event.params.account, event.params.amount);
}

export function handleReviewConfigPublished(event: ReviewConfigPublished): void {
  const ctx = new Context(event);
  const configHash = event.params.configHash;
  const id = ctx.contract.concat(configHash);
  if (VerificationConfig.load(id) !== null) return;
  const c = event.params.config;
  const config = new VerificationConfig(id);
  config.module = ctx.contract;
  config.method = METHOD;
  config.configHash = configHash;
  config.reviewer = c.reviewer;
  config.arbitrator = c.arbitrator;
  config.contestWindow = c.contestWindow;
  config.publishedAt = ctx.timestamp;
  config.save();
}

export function handleReviewRejected(event: ReviewRejected): void {
  reviewDecision(new Context(event), event.params.taskId, event.params.reviewer, 0);
}

export function handleReviewPartiallyAccepted(event: ReviewPartiallyAccepted): void {
  reviewDecision(new Context(event), event.params.taskId, event.params.reviewer, event.params.executorShareBps);
}

/** The reviewer's decision, before it takes effect in the market (at once, or after its contest window). */
function reviewDecision(ctx: Context, taskId: BigInt, reviewer: Bytes, shareBps: i32): void {
  const task = ctx.task(taskId);
  markVerifiedBy(ctx, task, METHOD);
  const submission = latestSubmission(task);
  if (submission !== null) {
    submission.reviewer = reviewer;
    submission.reviewShareBps = shareBps;
    submission.save();
  }
  ctx.save();
}
