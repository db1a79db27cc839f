// The OptimisticModule data source: a submission stands unless someone challenges it, with a bond, before an
// arbitrator (docs/verification/optimistic.md). The contest and dispute handling is shared with the other disputable
// modules in common/disputable.ts.
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
  OptimisticConfigPublished,
  PaymentCredited,
  Ruling,
  SubmissionChallenged,
  VerifierFeeForwarded,
} from "../generated/OptimisticModule/OptimisticModule";
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
  metaEvidence,
  modulePaymentCredited,
  ruling,
  submissionChallenged,
  verifierFeeForwarded,
} from "./common/disputable";
import { Context } from "./common/context";

const CONTRACT_NAME = "OptimisticModule";
const METHOD = "Optimistic";

export function handleOptimisticModuleContestOpened(event: ContestOpened): void {
  const p = event.params;
  contestOpened(new Context(event), METHOD, p.taskId, p.decisionShareBps, p.rejection, p.windowEnd);
}

export function handleOptimisticModuleDisputeRaised(event: DisputeRaised): void {
  const p = event.params;
  disputeRaised(new Context(event), METHOD, p.taskId, p.claimant, p.respondent, p.arbitrator, p.deposit, p.feeDeadline);
}

export function handleOptimisticModuleArbitrationStarted(event: ArbitrationStarted): void {
  const p = event.params;
  arbitrationStarted(new Context(event), p.taskId, p.arbitrator, p.arbitratorDisputeId, p.rulingDeadline);
}

export function handleOptimisticModuleRuling(event: Ruling): void {
  const p = event.params;
  ruling(new Context(event), p.arbitrator, p.disputeId, p.ruling);
}

export function handleOptimisticModuleContestEnded(event: ContestEnded): void {
  const p = event.params;
  contestEnded(new Context(event), p.taskId, p.outcome, p.executorShareBps);
}

export function handleOptimisticModuleEvidenceSubmitted(event: EvidenceSubmitted): void {
  const p = event.params;
  evidenceSubmitted(new Context(event), p.taskId, p.party, p.evidenceHash, p.evidenceURI);
}

export function handleOptimisticModuleEvidence(event: EvidenceEvent): void {
  const p = event.params;
  erc1497Evidence(new Context(event), CONTRACT_NAME, p.arbitrator, p.evidenceGroupId, p.party, p.evidence);
}

export function handleOptimisticModuleDispute(event: DisputeEvent): void {
  const p = event.params;
  erc1497Dispute(new Context(event), CONTRACT_NAME, p.arbitrator, p.disputeId, p.metaEvidenceId, p.evidenceGroupId);
}

export function handleOptimisticModuleMetaEvidence(event: MetaEvidence): void {
  metaEvidence(new Context(event), CONTRACT_NAME, event.params.metaEvidenceId, event.params.evidence);
}

export function handleOptimisticModuleEIP712DomainChanged(event: EIP712DomainChanged): void {
  eip712DomainChanged(new Context(event), CONTRACT_NAME);
}

export function handleOptimisticModuleVerifierFeeForwarded(event: VerifierFeeForwarded): void {
  const p = event.params;
  verifierFeeForwarded(new Context(event), p.token, p.to, p.amount);
}

export function handleOptimisticModuleArbitrationFeeReclaimed(event: ArbitrationFeeReclaimed): void {
  const p = event.params;
  arbitrationFeeReclaimed(new Context(event), p.arbitrator, p.disputeId, p.payer, p.amount);
}

export function handleOptimisticModulePaymentCredited(event: PaymentCredited): void {
  modulePaymentCredited(new Context(event), event.params.account, event.params.amount);
}

export function handleOptimisticConfigPublished(event: OptimisticConfigPublished): void {
  const ctx = new Context(event);
  const configHash = event.params.configHash;
  const id = ctx.contract.concat(configHash);
  if (VerificationConfig.load(id) !== null) return;
  const c = event.params.config;
  const config = new VerificationConfig(id);
  config.module = ctx.contract;
  config.method = METHOD;
  config.configHash = configHash;
  config.arbitrator = c.arbitrator;
  config.challengeBond = c.challengeBond;
  config.publishedAt = ctx.timestamp;
  config.save();
}

export function handleSubmissionChallenged(event: SubmissionChallenged): void {
  const p = event.params;
  submissionChallenged(new Context(event), p.taskId, p.challenger, p.bond);
}
