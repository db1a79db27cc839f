// The ApplicationBoard data source: executors apply with a note and a deposit equal to the claim bond, and the poster
// assigns one of them. The assigned applicant's deposit becomes its claim bond in the market.
import { BigInt, Bytes } from "@graphprotocol/graph-ts";

import {
  ApplicantAssigned,
  ApplicationDismissed,
  ApplicationWithdrawn,
  Applied,
  BoardConfigPublished,
  DependenciesMet,
  DependencyFailed,
} from "../generated/ApplicationBoard/ApplicationBoard";
import { Application, Task } from "../generated/schema";
import { dependenciesMet, dependencyFailed, markAssignedBy, publishedConfig } from "./common/assignment";
import { Context } from "./common/context";
import { applicationKey } from "./common/ids";
import { PaymentDetails, recordPayment } from "./common/payments";

const MODE = "ApplicationBoard";

function applicationOf(ctx: Context, task: Task, applicant: Bytes): Application {
  const id = applicationKey(task.taskId, applicant);
  let application = Application.load(id);
  if (application === null) {
    ctx.account(applicant);
    application = new Application(id);
    application.task = task.id;
    application.applicant = applicant;
    application.status = "Live";
    application.noteURI = "";
    application.noteHash = Bytes.empty();
    application.deposit = BigInt.zero();
    application.applications = 0;
    application.appliedAt = ctx.timestamp;
  }
  application.updatedAt = ctx.timestamp;
  return application;
}

export function handleBoardConfigPublished(event: BoardConfigPublished): void {
  const ctx = new Context(event);
  const p = event.params;
  const requirements = p.config.requirements;
  const config = publishedConfig(
    ctx,
    MODE,
    p.taskId,
    p.configHash,
    requirements.minCompleted,
    requirements.maxDisputesLostBps,
    requirements.dependencies,
  );
  config.applicationDeadline = p.config.applicationDeadline;
  config.save();
  ctx.save();
}

/** The applicant deposits the claim bond, which the terms fix for the task's lifetime. */
export function handleApplied(event: Applied): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  markAssignedBy(ctx, task, MODE);
  const application = applicationOf(ctx, task, p.applicant);
  application.status = "Live";
  application.noteURI = p.noteURI;
  application.noteHash = p.noteHash;
  application.deposit = application.deposit.plus(task.claimBond);
  application.applications += 1;
  application.appliedAt = ctx.timestamp;
  application.save();
  recordPayment(
    ctx,
    "ApplicationDeposit",
    p.applicant,
    ctx.contract,
    task.token,
    task.claimBond,
    PaymentDetails.forTask(task.id),
  );
  ctx.save();
}

/** The place on the board is freed; the deposit stays the applicant's until it withdraws it. */
export function handleApplicationDismissed(event: ApplicationDismissed): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const application = applicationOf(ctx, task, p.applicant);
  application.status = "Dismissed";
  application.save();
  ctx.save();
}

export function handleApplicationWithdrawn(event: ApplicationWithdrawn): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  const application = applicationOf(ctx, task, p.applicant);
  // A dismissed applicant stays dismissed (it may not apply again); a live one withdrew.
  if (application.status == "Live") application.status = "Withdrawn";
  application.deposit = application.deposit.minus(p.deposit);
  application.save();
  recordPayment(
    ctx,
    "ApplicationDepositReturned",
    ctx.contract,
    p.applicant,
    task.token,
    p.deposit,
    PaymentDetails.forTask(task.id),
  );
  ctx.save();
}

/**
 * The poster assigned the applicant: its deposit leaves the board as the claim bond, in the market's `TaskClaimed`
 * later in this transaction, which records it as paid by the board.
 */
export function handleApplicantAssigned(event: ApplicantAssigned): void {
  const ctx = new Context(event);
  const p = event.params;
  const task = ctx.task(p.taskId);
  markAssignedBy(ctx, task, MODE);
  task.moduleBondTransaction = ctx.transactionHash();
  const application = applicationOf(ctx, task, p.applicant);
  application.status = "Assigned";
  application.deposit = BigInt.zero();
  application.save();
  ctx.save();
}

export function handleApplicationBoardDependenciesMet(event: DependenciesMet): void {
  dependenciesMet(new Context(event), MODE, event.params.taskId, event.params.dependencies);
}

export function handleApplicationBoardDependencyFailed(event: DependencyFailed): void {
  dependencyFailed(new Context(event), MODE, event.params.taskId, event.params.dependency);
}
