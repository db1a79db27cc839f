// The ProofModule data source: a valid proof settles a submission at once (`submitVerified`), and anyone may reject a
// submission made without one (docs/verification/proofs.md). The module passes the verifier fee on to whoever made the
// decision, and credits it when the payment fails.
import { Bytes } from "@graphprotocol/graph-ts";

import {
  CreditWithdrawn,
  PaymentCredited,
  ProofAccepted,
  ProofConfigPublished,
  UnprovenSubmissionRejected,
  VerifierFeeForwarded,
} from "../generated/ProofModule/ProofModule";
import { VerificationConfig } from "../generated/schema";
import { Context } from "./common/context";
import { markVerifiedBy } from "./common/disputable";
import { creditAccount, PaymentDetails, recordPayment, withdrawCredit } from "./common/payments";
import { latestSubmission } from "./common/tasks";

const METHOD = "Proof";

export function handleProofConfigPublished(event: ProofConfigPublished): void {
  const ctx = new Context(event);
  const configHash = event.params.configHash;
  const id = ctx.contract.concat(configHash);
  if (VerificationConfig.load(id) !== null) return;
  const c = event.params.config;
  const config = new VerificationConfig(id);
  config.module = ctx.contract;
  config.method = METHOD;
  config.configHash = configHash;
  config.proofVerifier = c.proofVerifier;
  config.commitment = c.commitment;
  config.publishedAt = ctx.timestamp;
  config.save();
}

/** Emitted just before the market's `WorkSubmitted` of the proven result, which reads the mark set here. */
export function handleProofAccepted(event: ProofAccepted): void {
  const ctx = new Context(event);
  const task = ctx.task(event.params.taskId);
  markVerifiedBy(ctx, task, METHOD);
  task.proofTransaction = ctx.transactionHash();
  ctx.save();
}

/** Emitted just before the market's `SubmissionRejected` of the same submission. */
export function handleUnprovenSubmissionRejected(event: UnprovenSubmissionRejected): void {
  const ctx = new Context(event);
  const task = ctx.task(event.params.taskId);
  markVerifiedBy(ctx, task, METHOD);
  const submission = latestSubmission(task);
  if (submission !== null) {
    submission.rejectedUnprovenBy = event.params.caller;
    submission.save();
  }
  ctx.save();
}

export function handleProofModuleVerifierFeeForwarded(event: VerifierFeeForwarded): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const token = changetype<Bytes>(p.token);
  const recipient = ctx.accountToken(p.to, token);
  recipient.verifierFeesEarned = recipient.verifierFeesEarned.plus(p.amount);
  recordPayment(ctx, "VerifierFeeForwarded", ctx.contract, p.to, token, p.amount, PaymentDetails.forTask(task.id));
  ctx.save();
}

export function handleProofModulePaymentCredited(event: PaymentCredited): void {
  const ctx = new Context(event);
  const p = event.params;
  creditAccount(ctx, changetype<Bytes>(p.account), changetype<Bytes>(p.token), p.amount);
  ctx.save();
}

export function handleProofModuleCreditWithdrawn(event: CreditWithdrawn): void {
  const ctx = new Context(event);
  const p = event.params;
  withdrawCredit(ctx, changetype<Bytes>(p.account), changetype<Bytes>(p.token), p.to, p.amount);
  ctx.save();
}
