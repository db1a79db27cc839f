// The AttestationModule data source: M of a verifier set's bonded verifiers sign a verdict, which may be contested
// before an arbitrator; an overturned verdict slashes its signers (docs/verification/attestation.md). The contest and
// dispute handling is shared with the other disputable modules in common/disputable.ts.
import { BigInt, Bytes, log } from "@graphprotocol/graph-ts";

import {
  ArbitrationFeeReclaimed,
  ArbitrationStarted,
  AttestationAccepted,
  AttestationConfigPublished,
  ContestEnded,
  ContestOpened,
  Dispute as DisputeEvent,
  DisputeRaised,
  EIP712DomainChanged,
  Evidence as EvidenceEvent,
  EvidenceSubmitted,
  MetaEvidence,
  PaymentCredited,
  Ruling,
  VerifierAdded,
  VerifierBonded,
  VerifierBondWithdrawn,
  VerifierFeeForwarded,
  VerifierRemoved,
  VerifierSetAdminTransferred,
  VerifierSetCreated,
  VerifierSlashed,
} from "../generated/AttestationModule/AttestationModule";
import { Attestation, Dispute, VerificationConfig, Verifier, VerifierSet, VerifierSlash } from "../generated/schema";
import { BPS, zeroAddress } from "./common/constants";
import { Context } from "./common/context";
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
import { disputeKey, verifierKey } from "./common/ids";
import { PaymentDetails, recordPayment } from "./common/payments";

const CONTRACT_NAME = "AttestationModule";
const METHOD = "Attestation";

export function handleAttestationModuleContestOpened(event: ContestOpened): void {
  const p = event.params;
  contestOpened(new Context(event), METHOD, p.taskId, p.decisionShareBps, p.rejection, p.windowEnd);
}

export function handleAttestationModuleDisputeRaised(event: DisputeRaised): void {
  const p = event.params;
  disputeRaised(new Context(event), METHOD, p.taskId, p.claimant, p.respondent, p.arbitrator, p.deposit, p.feeDeadline);
}

export function handleAttestationModuleArbitrationStarted(event: ArbitrationStarted): void {
  const p = event.params;
  arbitrationStarted(new Context(event), p.taskId, p.arbitrator, p.arbitratorDisputeId, p.rulingDeadline);
}

export function handleAttestationModuleRuling(event: Ruling): void {
  const p = event.params;
  ruling(new Context(event), p.arbitrator, p.disputeId, p.ruling);
}

export function handleAttestationModuleContestEnded(event: ContestEnded): void {
  const p = event.params;
  contestEnded(new Context(event), p.taskId, p.outcome, p.executorShareBps);
}

export function handleAttestationModuleEvidenceSubmitted(event: EvidenceSubmitted): void {
  const p = event.params;
  evidenceSubmitted(new Context(event), p.taskId, p.party, p.evidenceHash, p.evidenceURI);
}

export function handleAttestationModuleEvidence(event: EvidenceEvent): void {
  const p = event.params;
  erc1497Evidence(new Context(event), CONTRACT_NAME, p.arbitrator, p.evidenceGroupId, p.party, p.evidence);
}

export function handleAttestationModuleDispute(event: DisputeEvent): void {
  const p = event.params;
  erc1497Dispute(new Context(event), CONTRACT_NAME, p.arbitrator, p.disputeId, p.metaEvidenceId, p.evidenceGroupId);
}

export function handleAttestationModuleMetaEvidence(event: MetaEvidence): void {
  metaEvidence(new Context(event), CONTRACT_NAME, event.params.metaEvidenceId, event.params.evidence);
}

export function handleAttestationModuleEIP712DomainChanged(event: EIP712DomainChanged): void {
  eip712DomainChanged(new Context(event), CONTRACT_NAME);
}

export function handleAttestationModuleVerifierFeeForwarded(event: VerifierFeeForwarded): void {
  const p = event.params;
  verifierFeeForwarded(new Context(event), p.token, p.to, p.amount);
}

export function handleAttestationModuleArbitrationFeeReclaimed(event: ArbitrationFeeReclaimed): void {
  const p = event.params;
  arbitrationFeeReclaimed(new Context(event), p.arbitrator, p.disputeId, p.payer, p.amount);
}

export function handleAttestationModulePaymentCredited(event: PaymentCredited): void {
  modulePaymentCredited(new Context(event), event.params.account, event.params.amount);
}

export function handleAttestationConfigPublished(event: AttestationConfigPublished): void {
  const ctx = new Context(event);
  const configHash = event.params.configHash;
  const id = ctx.contract.concat(configHash);
  if (VerificationConfig.load(id) !== null) return;
  const c = event.params.config;
  const config = new VerificationConfig(id);
  config.module = ctx.contract;
  config.method = METHOD;
  config.configHash = configHash;
  config.verifierSet = c.verifierSetId.toString();
  config.quorum = c.quorum;
  config.scored = c.scored;
  config.methodId = c.methodId;
  config.minBond = c.minBond;
  config.arbitrator = c.arbitrator;
  config.contestWindow = c.contestWindow;
  config.slashBps = c.slashBps;
  config.publishedAt = ctx.timestamp;
  config.save();
}

export function handleAttestationAccepted(event: AttestationAccepted): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  markVerifiedBy(ctx, task, METHOD);
  const attestation = new Attestation(ctx.nextRecordId());
  attestation.task = task.id;
  attestation.submission = task.latestSubmission;
  attestation.signer = p.signer;
  attestation.approved = p.approved;
  attestation.scoreBps = p.scoreBps;
  attestation.evidenceHash = p.evidenceHash;
  attestation.timestamp = ctx.timestamp;
  attestation.blockNumber = ctx.blockNumber;
  attestation.transaction = ctx.transactionHash();
  attestation.save();
  ctx.account(p.signer).attestationCount += 1;
  ctx.save();
}

// ---------------------------------------------------------------------------------------------------------------------
// Verifier sets
// ---------------------------------------------------------------------------------------------------------------------

function loadSet(setId: BigInt): VerifierSet {
  const set = VerifierSet.load(setId.toString());
  if (set === null) {
    // `createVerifierSet` emits `VerifierSetCreated` before anything can act on a set.
    log.critical("Verifier set {} is not indexed.", [setId.toString()]);
  }
  return changetype<VerifierSet>(set);
}

function verifierOf(ctx: Context, setId: BigInt, account: Bytes): Verifier {
  const id = verifierKey(setId, account);
  let verifier = Verifier.load(id);
  if (verifier === null) {
    ctx.account(account);
    verifier = new Verifier(id);
    verifier.verifierSet = setId.toString();
    verifier.account = account;
    verifier.status = "NotMember";
    verifier.active = false;
    verifier.bond = BigInt.zero();
    verifier.totalBonded = BigInt.zero();
    verifier.totalSlashed = BigInt.zero();
    verifier.totalWithdrawn = BigInt.zero();
  }
  verifier.updatedAt = ctx.timestamp;
  return verifier;
}

export function handleVerifierSetCreated(event: VerifierSetCreated): void {
  const ctx = new Context(event);
  const p = event.params;
  ctx.account(p.admin);
  const set = new VerifierSet(p.setId.toString());
  set.setId = p.setId;
  set.module = ctx.contract;
  set.admin = p.admin;
  set.memberCount = 0;
  set.createdAt = ctx.timestamp;
  set.save();
  ctx.save();
}

export function handleVerifierSetAdminTransferred(event: VerifierSetAdminTransferred): void {
  const ctx = new Context(event);
  const p = event.params;
  const set = loadSet(p.setId);
  ctx.account(p.newAdmin);
  set.admin = p.newAdmin;
  set.save();
  ctx.save();
}

export function handleVerifierAdded(event: VerifierAdded): void {
  const ctx = new Context(event);
  const p = event.params;
  const set = loadSet(p.setId);
  const verifier = verifierOf(ctx, p.setId, p.verifier);
  verifier.active = true;
  verifier.status = "Active";
  verifier.leftAt = null;
  verifier.unset("removedByAdmin");
  verifier.addedAt = ctx.timestamp;
  verifier.save();
  set.memberCount += 1;
  set.save();
  ctx.save();
}

export function handleVerifierRemoved(event: VerifierRemoved): void {
  const ctx = new Context(event);
  const p = event.params;
  const set = loadSet(p.setId);
  const verifier = verifierOf(ctx, p.setId, p.verifier);
  verifier.active = false;
  verifier.status = "Left";
  verifier.leftAt = ctx.timestamp;
  verifier.removedByAdmin = p.byAdmin;
  verifier.save();
  set.memberCount -= 1;
  set.save();
  ctx.save();
}

export function handleVerifierBonded(event: VerifierBonded): void {
  const ctx = new Context(event);
  const p = event.params;
  loadSet(p.setId);
  const verifier = verifierOf(ctx, p.setId, p.verifier);
  verifier.bond = p.totalBond;
  verifier.totalBonded = verifier.totalBonded.plus(p.amount);
  verifier.save();
  recordPayment(ctx, "VerifierBond", p.verifier, ctx.contract, zeroAddress(), p.amount, new PaymentDetails());
  ctx.save();
}

export function handleVerifierBondWithdrawn(event: VerifierBondWithdrawn): void {
  const ctx = new Context(event);
  const p = event.params;
  const verifier = verifierOf(ctx, p.setId, p.verifier);
  verifier.bond = BigInt.zero();
  verifier.totalWithdrawn = verifier.totalWithdrawn.plus(p.amount);
  verifier.save();
  recordPayment(ctx, "VerifierBondWithdrawn", ctx.contract, p.verifier, zeroAddress(), p.amount, new PaymentDetails());
  ctx.save();
}

/**
 * A signer of a verdict the arbitrator overturned loses part of its bond to the side the verdict wronged: the side the
 * ruling favours (`_afterDispute`). The contest ended just before, in the same transaction.
 */
export function handleVerifierSlashed(event: VerifierSlashed): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const verifier = verifierOf(ctx, p.setId, p.verifier);
  verifier.bond = verifier.bond.minus(p.amount);
  verifier.totalSlashed = verifier.totalSlashed.plus(p.amount);
  verifier.save();

  const disputeId = disputeKey(ctx.contract, task.taskId, task.disputeCount);
  const dispute = Dispute.load(disputeId);
  if (dispute === null || dispute.phase != "Ended") {
    log.critical("VerifierSlashed on task {} without a contest that just ended.", [task.id]);
    return;
  }
  const rulingForExecutor = 2 * dispute.finalShareBps >= BPS;
  const wronged =
    rulingForExecutor == dispute.claimantForExecutor
      ? changetype<Bytes>(dispute.claimant)
      : changetype<Bytes>(dispute.respondent);

  const slash = new VerifierSlash(ctx.nextRecordId());
  slash.verifier = verifier.id;
  slash.task = task.id;
  slash.dispute = dispute.id;
  slash.amount = p.amount;
  slash.timestamp = ctx.timestamp;
  slash.transaction = ctx.transactionHash();
  slash.save();

  recordPayment(
    ctx,
    "VerifierBondSlashed",
    ctx.contract,
    wronged,
    zeroAddress(),
    p.amount,
    PaymentDetails.forTask(task.id).withDispute(dispute.id).withDebited(p.verifier),
  );
  ctx.save();
}
